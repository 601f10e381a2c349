namespace FanPin.Policies.Tests;

public class PolicyHistoryTests
{
    private static ProvincePolicy Version(int version, string effective, long lineFen = 650_000) =>
        DefaultPolicy.For("62") with
        {
            Version = version,
            EffectiveFrom = DateOnly.Parse(effective),
            Monitoring = DefaultPolicy.Policy.Monitoring with { MonitoringLineFen = lineFen },
        };

    private static readonly PolicyHistory History = PolicyHistory.Of([
        Version(3, "2025-07-01", 700_000),
        Version(1, "2024-01-01", 500_000),
        Version(2, "2025-01-01", 650_000),
    ]);

    [Theory]
    [InlineData("2024-01-01", 1)]
    [InlineData("2024-12-31", 1)]
    [InlineData("2025-01-01", 2)]
    [InlineData("2025-06-30", 2)]
    [InlineData("2025-07-01", 3)]
    [InlineData("2030-01-01", 3)]
    public void The_version_in_force_is_the_latest_effective_on_the_date(string date, int version) =>
        Assert.Equal(version, History.At(DateOnly.Parse(date)).Version);

    [Fact]
    public void Before_the_first_version_nothing_is_in_force()
    {
        Assert.Null(History.TryAt(new DateOnly(2023, 12, 31)));
        var ex = Assert.Throws<PolicyNotInForceException>(() => History.At(new DateOnly(2023, 12, 31)));
        Assert.Contains("2024-01-01", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_published_version_cannot_change()
    {
        var ex = Assert.Throws<PolicyPublicationException>(() => History.Publish(Version(2, "2025-01-01", 520_000)));
        Assert.Contains("cannot change", ex.Message, StringComparison.Ordinal);
        Assert.Equal(650_000, History.At(new DateOnly(2025, 3, 1)).Monitoring.MonitoringLineFen);
    }

    [Fact]
    public void Publishing_the_same_version_again_is_a_no_op() =>
        Assert.Same(History, History.Publish(Version(2, "2025-01-01", 650_000)));

    [Theory]
    [InlineData(4, "2025-07-01", "not after version 3")]
    [InlineData(4, "2025-03-01", "not after version 3")]
    public void A_new_version_must_take_effect_after_the_latest(int version, string effective, string reason)
    {
        var ex = Assert.Throws<PolicyPublicationException>(() => History.Publish(Version(version, effective)));
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Versions_of_another_province_or_invalid_ones_are_refused()
    {
        Assert.Throws<PolicyPublicationException>(() => History.Publish(Version(4, "2026-01-01") with { Province = "45" }));
        var invalid = Assert.Throws<PolicyValidationException>(() => History.Publish(Version(4, "2026-01-01", -1)));
        Assert.Contains(invalid.Errors, e => e.Path == "monitoring.monitoring_line_fen");
        Assert.Equal(3, History.Latest.Version); // histories are immutable values
    }

    [Fact]
    public void A_set_finds_a_region_s_province_and_falls_back_to_the_default()
    {
        var set = PolicySet.LoadDirectory(Path.Combine(AppContext.BaseDirectory, "policies"));
        Assert.Equal(["45", "51"], set.Provinces.Order(StringComparer.Ordinal));
        var guangxiVillage = RegionCode.Parse("450102001001");
        Assert.Equal(1, set.At(guangxiVillage, new DateOnly(2025, 6, 30)).Version);
        Assert.Equal(700_000, set.At(guangxiVillage, new DateOnly(2025, 7, 1)).Monitoring.MonitoringLineFen);
        Assert.Equal("00", set.At(RegionCode.Parse("620102001001"), new DateOnly(2025, 1, 1)).Province);
    }

    [Fact]
    public void Loading_a_folder_reports_the_problems_of_every_file()
    {
        var folder = Directory.CreateTempSubdirectory("fanpin-policies-");
        try
        {
            File.WriteAllText(Path.Combine(folder.FullName, "a.yaml"), "base: default\nprovince: \"62\"\nversion: 1\neffective_from: 2025-01-01\nvisits: { per_month: 0 }\n");
            File.WriteAllText(Path.Combine(folder.FullName, "b.json"), "{ \"base\": \"default\", \"province\": \"63\", \"version\": 1 }");
            var ex = Assert.Throws<PolicyValidationException>(() => PolicySet.LoadDirectory(folder.FullName));
            Assert.Equal(["a.yaml: visits.per_month", "b.json: effective_from"], ex.Errors.Select(e => e.Path));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
