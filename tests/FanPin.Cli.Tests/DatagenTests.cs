extern alias monitoring;
extern alias registry;

using FanPin.Cli.Datagen;
using Xunit.Abstractions;
using FanPin.Policies;
using monitoring::FanPin.Monitoring.Domain;
using monitoring::FanPin.Monitoring.Infrastructure;
using registry::FanPin.Registry.Application.Common;
using registry::FanPin.Registry.Domain;
using LabourAbility = FanPin.Policies.LabourAbility;

namespace FanPin.Cli.Tests;

public sealed class DeterminismTests
{
    private static DatagenSettings Settings(long seed) => new(seed, 3_000, "62", ["620102", "621121"], 12, GeneratedProvince.LastMonth);

    private static Dictionary<string, byte[]> Files(GeneratedProvince p) => Directory.EnumerateFiles(p.Directory, "*", SearchOption.AllDirectories)
        .ToDictionary(f => Path.GetRelativePath(p.Directory, f), File.ReadAllBytes);

    [Fact]
    public void The_same_seed_gives_byte_identical_files_and_another_seed_other_households()
    {
        using var first = new GeneratedProvince(Settings(42));
        using var second = new GeneratedProvince(Settings(42));
        using var other = new GeneratedProvince(Settings(43));
        var a = Files(first);
        var b = Files(second);
        Assert.True(a.Count > 20, "regions, households, manifest and the feed files");
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var (name, bytes) in a)
        {
            Assert.True(bytes.AsSpan().SequenceEqual(b[name]), $"{name} differs between two runs with the same seed");
        }
        Assert.False(a[DatagenRunner.HouseholdsFile].AsSpan().SequenceEqual(File.ReadAllBytes(other.PathOf(DatagenRunner.HouseholdsFile))));
    }

    [Fact]
    public void Output_does_not_depend_on_how_households_are_split_into_chunks()
    {
        // A county boundary inside the first chunk and several chunks per county: lines are still in household order.
        using var p = new GeneratedProvince(new DatagenSettings(5, ProvinceGenerator.ChunkSize * 3, "62", ["620102", "620103"], 12, GeneratedProvince.LastMonth));
        var numbers = File.ReadLines(p.PathOf(DatagenRunner.HouseholdsFile)).Skip(1).Select(l => int.Parse(l[..l.IndexOf(',')], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(Enumerable.Range(1, ProvinceGenerator.ChunkSize * 3), numbers.Distinct());
        Assert.True(numbers.SequenceEqual(numbers.Order()));
    }
}

public sealed class GeneratedDataTests(TenThousandHouseholds province, ITestOutputHelper output) : IClassFixture<TenThousandHouseholds>
{
    private static readonly DateOnly Today = GeneratedProvince.LastMonth.AddMonths(1).FirstDay;

    [Fact]
    public async Task Every_household_passes_the_registry_import_rules_with_valid_unique_ID_numbers_in_a_generated_village()
    {
        var villages = File.ReadLines(province.PathOf(DatagenRunner.RegionsFile)).Skip(1).Select(l => l.Split(','))
            .Where(c => c[2] == "village").Select(c => c[0]).ToHashSet();
        var ids = new HashSet<string>();
        var count = 0;
        await using var stream = File.OpenRead(province.PathOf(DatagenRunner.HouseholdsFile));
        await foreach (var row in HouseholdCsv.ReadAsync(stream))
        {
            count++;
            var errors = new FieldErrors();
            var village = HouseholdInputRules.ValidateVillage(row.RegionCode, "region_code", errors);
            Assert.NotNull(village);
            Assert.Contains(row.RegionCode, villages);
            Assert.True(Enum.TryParse<HouseholdCategory>(row.Category, out _), row.Category);
            var members = row.Members.Select(m => new MemberInput(m.Name, m.IdNumber, Enum.Parse<Relation>(m.Relation), Enum.Parse<LabourAbility>(m.LabourAbility),
                Enum.Parse<HealthCondition>(m.Health), m.DisabilityGrade, Enum.Parse<SchoolingStage>(m.Schooling), Enum.Parse<EmploymentLocation>(m.EmploymentLocation),
                m.EmploymentMonths, m.MedicalInsured, m.PensionInsured)).ToList();
            var valid = HouseholdInputRules.ValidateMembers(members, "members", Today, errors);
            Assert.True(errors.Count == 0, $"household {row.Household}: {string.Join("; ", errors.Violations.Select(v => $"{v.Field} {v.Description}"))}");
            foreach (var member in valid)
            {
                Assert.True(ids.Add(member.IdNumber.Value), $"ID number of household {row.Household} is used twice");
                // The ID number's address code is the county the village lies in.
                Assert.Equal(row.RegionCode[..6], member.IdNumber.AddressCode);
                Assert.True(IdNumber.TryParse(member.IdNumber.Value, Today, out _, out var error), error);
            }
        }
        Assert.Equal(10_000, count);
        Assert.Equal(province.Summary.Members, ids.Count);
    }

    [Fact]
    public void Region_codes_are_valid_with_their_parents_present_and_real_down_to_the_township()
    {
        var rows = File.ReadLines(province.PathOf(DatagenRunner.RegionsFile)).Skip(1).Select(l => l.Split(',')).ToList();
        var codes = rows.Select(r => r[0]).ToHashSet();
        var reference = File.ReadLines(Path.Combine(AppContext.BaseDirectory, "regions-62-gansu-to-township.csv")).Skip(1).Select(l => l.Split(',')[0]).ToHashSet();
        foreach (var r in rows)
        {
            Assert.True(RegionCode.TryParse(r[0], out var code, out var error), error);
            Assert.Equal(r[2], code.Level.ToString().ToLowerInvariant());
            Assert.Equal(code.Parent?.Value ?? "", r[3]);
            Assert.True(r[3].Length == 0 || codes.Contains(r[3]), $"parent of {r[0]}");
            if (code.Level != RegionLevel.Village)
            {
                Assert.Contains(r[0], reference);
            }
        }
        Assert.Equal(1403, rows.Count(r => r[2] == "township"));
    }

    [Fact]
    public async Task Every_feed_row_parses_with_FeedCsv_passes_the_row_check_of_its_department_and_names_a_generated_person()
    {
        var people = File.ReadLines(province.PathOf(DatagenRunner.HouseholdsFile)).Skip(1).Select(l => l.Split(',')[6]).ToHashSet();
        var rows = 0L;
        foreach (var (file, expected) in province.Summary.Feeds)
        {
            Assert.True(Month.TryParse(file.Period.ToString(), out _));
            var period = YearMonth.Parse(file.Period.ToString());
            var seen = new HashSet<(string?, string?, string?, string?)>();
            var count = 0;
            await using var stream = File.OpenRead(province.PathOf(file.RelativePath));
            await foreach (var row in FeedCsv.ReadAsync(stream))
            {
                count++;
                var check = FeedRowCheck.Check(row, file.Department, period, Today);
                Assert.True(check.Error is null, $"{file.RelativePath} row {row.RowNumber}: {check.Error}");
                Assert.Contains(row.IdNumber!, people);
                Assert.True(check.Month < period, $"{file.RelativePath} row {row.RowNumber}: month {check.Month} is not before the reporting month");
                Assert.True(seen.Add((row.IdNumber, row.Item, row.Month, row.Reference)), $"{file.RelativePath} row {row.RowNumber} repeats an earlier row");
            }
            Assert.Equal(expected, count);
            rows += count;
        }
        Assert.Equal(province.Summary.FeedRows, rows);
        // Every expected department has a file for every reporting month it is due in (education in March and September).
        var policy = DefaultPolicy.Policy.DepartmentFeeds;
        foreach (var department in policy.Expected)
        {
            for (var i = 1; i <= 12; i++)
            {
                var periodMonth = province.Settings.FirstMonth.AddMonths(i);
                if (policy.MonthsFor(department).Contains(periodMonth.Number))
                {
                    Assert.Contains(province.Summary.Feeds, f => f.File.Department == department && f.File.Period == periodMonth);
                }
            }
        }
    }

    [Fact]
    public async Task About_five_percent_of_households_cross_a_line_of_the_default_policy_and_every_grade_occurs()
    {
        var households = await ProvinceCheck.RunAsync(province);
        Assert.Equal(10_000, households.Count);
        var monitored = households.Values.Where(ProvinceCheck.IsMonitored).ToList();
        var rate = (double)monitored.Count / households.Count;
        output.WriteLine($"flagged {households.Values.Count(h => h.Signals.Count > 0)}, monitored (not excluded) {monitored.Count} = {rate:P2}; grade I {monitored.Count(h => h.Grade == 1)}, " +
            $"II {monitored.Count(h => h.Grade == 2)}, III {monitored.Count(h => h.Grade == 3)}, none {monitored.Count(h => h.Grade is null)}; signals: " +
            string.Join(", ", monitored.SelectMany(h => h.Signals).GroupBy(s => s).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}")));
        Assert.InRange(rate, 0.04, 0.065);
        for (var grade = 1; grade <= 3; grade++)
        {
            var g = grade;
            Assert.True(monitored.Count(h => h.Grade == g) >= 10, $"grade {g}: {monitored.Count(h => h.Grade == g)} households");
        }
        foreach (var signal in new[] { "IncomeBelowLine", "MedicalCostAboveWarningLine", "SchoolingCostAboveWarningLine", "DisasterLossAboveWarningLine",
                     "HousingSafetyGap", "CompulsoryEducationGap", "MedicalInsuranceGap", "DrinkingWaterGap", "RigidExpenditureAboveIncome" })
        {
            Assert.Contains(monitored, h => h.Signals.Contains(signal));
        }
        // Exclusion facts exist and block some flagged households.
        Assert.Contains(households.Values, h => h.Excluded && h.Signals.Count > 0);
        Assert.True(households.Values.Count(h => h.Excluded) > 5);
    }
}

public sealed class SettingsTests
{
    private static readonly DateTime Now = new(2026, 11, 24, 0, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData("--seed x --households 10", "--seed must be a whole number")]
    [InlineData("--seed 1 --households 0", "--households must be a positive whole number")]
    [InlineData("--seed 1 --households 10 --months 0", "--months must be 1 to 60")]
    [InlineData("--seed 1 --households 10 --end-month 2026-13", "--end-month '2026-13' is not a month (yyyy-MM)")]
    [InlineData("--seed 1 --households 10 --counties 6201", "--counties: '6201' is not a 6-digit county code")]
    [InlineData("--seed 1 --households 10 --end-month 2026-11", "--end-month 2026-11 is after last month (2026-10): the imports refuse months that are not over yet")]
    [InlineData("--households 10", "--seed is required")]
    public void Bad_options_are_refused_naming_the_option(string args, string message)
    {
        var ex = Assert.Throws<UsageException>(() => DatagenCommand.ParseSettings(new Arguments(args.Split(' ')), Now));
        Assert.Equal(message, ex.Message);
    }

    [Fact]
    public async Task A_bad_wait_for_monitoring_is_refused_before_anything_is_written()
    {
        var output = Path.Combine(Path.GetTempPath(), "fanpin-datagen-bad-" + Guid.NewGuid().ToString("N"));
        var errors = await StandardErrorOf(async () =>
            Assert.Equal(2, await CliApp.RunAsync(["datagen", "--seed", "1", "--households", "10", "--output", output, "--wait-for-monitoring", "soon"])));
        Assert.Contains("--wait-for-monitoring takes whole seconds (0: do not wait)", errors, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public async Task A_live_flag_given_a_value_is_refused_with_its_reason_before_anything_is_sent()
    {
        var output = Path.Combine(Path.GetTempPath(), "fanpin-datagen-live-" + Guid.NewGuid().ToString("N"));
        var errors = await StandardErrorOf(async () =>
        {
            // DIR after --live is read as its value: refused, not taken for a live import of no folder.
            Assert.Equal(2, await CliApp.RunAsync(["feeds", "import", "--monitoring", "http://127.0.0.1:1", "--token", "t", "--live", output]));
            Assert.Equal(2, await CliApp.RunAsync(["datagen", "--seed", "1", "--households", "10", "--output", output, "--live", "yes"]));
        });
        Assert.Contains($"--live takes no value (got '{output}'; put DIR before the options)", errors, StringComparison.Ordinal);
        Assert.Contains("--live takes no value (got 'yes'", errors, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output));
    }

    /// <summary>What <paramref name="run"/> wrote to standard error (where the CLI's usage errors go).</summary>
    private static async Task<string> StandardErrorOf(Func<Task> run)
    {
        var error = Console.Error;
        using var captured = new StringWriter();
        Console.SetError(captured);
        try
        {
            await run();
        }
        finally
        {
            Console.SetError(error);
        }
        return captured.ToString();
    }

    [Fact]
    public void Defaults_are_province_62_twelve_months_ending_last_month()
    {
        var s = DatagenCommand.ParseSettings(new Arguments("--seed 9 --households 5 --counties 620102,621121".Split(' ')), Now);
        Assert.Equal(("62", 12, "2026-10", "2025-11"), (s.Province, s.Months, s.LastMonth.ToString(), s.FirstMonth.ToString()));
        Assert.Equal(["620102", "621121"], s.Counties!);
    }

    [Theory]
    [InlineData("11", null, "province 11 has no bundled region data; available: 62 (Gansu)")]
    [InlineData("62", "620199", "county 620199 is not a county of province 62")]
    [InlineData("62", "620100", "county 620100 is not a county of province 62")]
    public void Unknown_provinces_and_counties_are_refused(string province, string? county, string message)
    {
        var ex = Assert.Throws<ArgumentException>(() => RegionTree.Build(province, county is null ? null : [county], 1));
        Assert.Equal(message, ex.Message);
    }

    [Fact]
    public void A_county_cannot_hold_more_households_than_unique_ID_numbers_allow()
    {
        var settings = new DatagenSettings(1, DatagenSettings.MaxHouseholdsPerCounty + 1, "62", ["620102"], 12, GeneratedProvince.LastMonth);
        var ex = Assert.Throws<ArgumentException>(() => new ProvinceGenerator(settings, RegionTree.Build("62", ["620102"], 1), DefaultPolicy.Policy));
        Assert.Contains("at most 250,000 per county", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Education_rows_go_to_the_March_and_September_feeds_and_others_to_the_next_month()
    {
        var policy = DefaultPolicy.Policy.DepartmentFeeds;
        var last = Month.Of(2026, 10);
        Assert.Equal(Month.Of(2026, 3), DatagenFeeds.PeriodOf(policy, Departments.Education, Month.Of(2025, 12), last));
        Assert.Equal(Month.Of(2026, 9), DatagenFeeds.PeriodOf(policy, Departments.Education, Month.Of(2026, 3), last));
        Assert.Equal(last, DatagenFeeds.PeriodOf(policy, Departments.Education, Month.Of(2026, 9), last));
        Assert.Equal(Month.Of(2026, 1), DatagenFeeds.PeriodOf(policy, Departments.Housing, Month.Of(2025, 12), last));
    }
}

public sealed class HouseholdCsvTests
{
    [Fact]
    public async Task A_household_reads_back_as_the_import_message_with_the_registry_enums()
    {
        const string csv = """
            household,region_code,category,minimum_living_guarantee,extreme_poverty_support,name,id_number,relation,labour_ability,health,disability_grade,schooling,employment_location,employment_months,medical_insured,pension_insured
            7,620102001001,PovertyAlleviated,true,false,王伟,620102198001010011,Head,Partial,Disability,3,NotInSchool,InsideCounty,4,true,true
            7,620102001001,PovertyAlleviated,true,false,李芳,620102198203040022,Spouse,Full,Healthy,,NotInSchool,OutsideProvince,10,true,false
            8,620102001002,Ordinary,false,true,张兰,620102194005060020,Head,None,Chronic,,NotInSchool,None,0,false,true
            """;
        var rows = new List<HouseholdCsvRow>();
        await foreach (var row in HouseholdCsv.ReadAsync(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(csv))))
        {
            rows.Add(row);
        }
        Assert.Equal([7, 8], rows.Select(r => r.Household));
        var proto = ImportStreams.ToProto(rows[0]);
        Assert.Equal((7, "620102001001", FanPin.Contracts.Registry.V1.HouseholdCategory.PovertyAlleviated, true, false),
            (proto.RowNumber, proto.RegionCode, proto.Category, proto.MinimumLivingGuarantee, proto.ExtremePovertySupport));
        Assert.Equal(2, proto.Members.Count);
        var head = proto.Members[0];
        Assert.Equal((FanPin.Contracts.Registry.V1.Relation.Head, FanPin.Contracts.Registry.V1.LabourAbility.Partial, FanPin.Contracts.Registry.V1.HealthCondition.Disability, 3,
            FanPin.Contracts.Registry.V1.EmploymentLocation.InsideCounty, 4), (head.Relation, head.LabourAbility, head.Health, head.DisabilityGrade, head.EmploymentLocation, head.EmploymentMonths));
        Assert.False(proto.Members[1].HasDisabilityGrade);
        Assert.False(ImportStreams.ToProto(rows[1]).Members[0].MedicalInsured);
    }

    [Fact]
    public async Task Lines_of_a_household_that_are_not_consecutive_are_refused()
    {
        const string csv = """
            household,region_code,category,minimum_living_guarantee,extreme_poverty_support,name,id_number,relation,labour_ability,health,disability_grade,schooling,employment_location,employment_months,medical_insured,pension_insured
            1,620102001001,Ordinary,false,false,王伟,620102198001010011,Head,Full,Healthy,,NotInSchool,None,0,true,true
            2,620102001001,Ordinary,false,false,李芳,620102198203040022,Head,Full,Healthy,,NotInSchool,None,0,true,true
            1,620102001001,Ordinary,false,false,张兰,620102194005060020,Spouse,Full,Healthy,,NotInSchool,None,0,true,true
            """;
        var ex = await Assert.ThrowsAsync<FormatException>(async () =>
        {
            await foreach (var _ in HouseholdCsv.ReadAsync(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(csv))))
            {
            }
        });
        Assert.Contains("household 1 are not consecutive", ex.Message, StringComparison.Ordinal);
    }
}
