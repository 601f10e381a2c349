using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using FanPin.Policies;
using FanPin.Registry;
using FanPin.Registry.Application.Common;
using FanPin.Registry.Application.Households;
using FanPin.Registry.Application.Ledger;
using FanPin.Registry.Domain;
using FanPin.ServiceDefaults.Authentication;
using FanPin.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace FanPin.Benchmarks.Registry;

/// <summary>
/// Registry targets (issue 5): a county's bulk import of 100,000 households with their members in ≤ 60 s,
/// and its ledger in ≤ 200 ms. Runs on its own database of the local test servers. Arguments:
/// <c>--households N</c> (default 100000). Exit code 0 when both targets are met.
/// </summary>
public static class RegistryBenchmark
{
    /// <summary>Runs the benchmark and prints the figures.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var households = ArgumentValue(args, "--households", 100_000);
        var infrastructure = new IsolatedInfrastructure();
        await infrastructure.InitializeAsync().ConfigureAwait(false);
        try
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                [$"ConnectionStrings:{RegistryServices.DatabaseName}"] = infrastructure.PostgresConnectionString,
                ["Registry:IdNumbers:EncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
                ["Registry:IdNumbers:HashKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            }).Build();
            var services = new ServiceCollection().AddLogging().AddRegistry(configuration, isDevelopment: false).BuildServiceProvider();
            await using (services.ConfigureAwait(false))
            {
                await services.MigrateRegistryDatabaseAsync().ConfigureAwait(false);
                var villages = await SeedCountyAsync(infrastructure.PostgresConnectionString).ConfigureAwait(false);
                var county = new Caller("benchmark", CallerRole.County, RegionPrefix.Parse("620102"), null);

                var members = 0;
                var watch = Stopwatch.StartNew();
                ImportHouseholdsResult result;
                await using (var scope = services.CreateAsyncScope())
                {
                    result = await scope.ServiceProvider.GetRequiredService<ImportHouseholds>()
                        .HandleAsync(county, new ImportHouseholdsRequest("benchmark-1", Rows(households, villages, () => members++))).ConfigureAwait(false);
                }
                var import = watch.Elapsed;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"registry import: {result.Accepted:N0} households, {members:N0} members in {import.TotalSeconds:F1} s ({result.Accepted / import.TotalSeconds:N0} households/s); rejected {result.Rejected}"));

                watch.Restart();
                await using (var scope = services.CreateAsyncScope())
                {
                    await scope.ServiceProvider.GetRequiredService<ImportHouseholds>()
                        .HandleAsync(county, new ImportHouseholdsRequest("benchmark-1", Rows(1, villages, () => { }))).ConfigureAwait(false);
                }
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"registry import replay (same batch id): {watch.Elapsed.TotalMilliseconds:F0} ms"));

                await using (var connection = new NpgsqlConnection(infrastructure.PostgresConnectionString))
                {
                    await connection.OpenAsync().ConfigureAwait(false);
                    await using var vacuum = new NpgsqlCommand("VACUUM ANALYZE households", connection);
                    await vacuum.ExecuteNonQueryAsync().ConfigureAwait(false);
                }
                var ledgerTimes = new List<double>();
                GetLedgerResult? ledger = null;
                for (var i = 0; i < 7; i++)
                {
                    watch.Restart();
                    await using var scope = services.CreateAsyncScope();
                    ledger = await scope.ServiceProvider.GetRequiredService<GetLedger>().HandleAsync(county, new GetLedgerRequest(null)).ConfigureAwait(false);
                    ledgerTimes.Add(watch.Elapsed.TotalMilliseconds);
                }
                var ledgerMedian = ledgerTimes.Order().ElementAt(ledgerTimes.Count / 2);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"registry ledger (county, {ledger!.All.Households:N0} households, {ledger.All.Persons:N0} persons): median {ledgerMedian:F1} ms, first {ledgerTimes[0]:F1} ms"));

                var listTimes = new List<double>();
                for (var i = 0; i < 5; i++)
                {
                    watch.Restart();
                    await using var scope = services.CreateAsyncScope();
                    await scope.ServiceProvider.GetRequiredService<ListHouseholds>().HandleAsync(county, new ListHouseholdsRequest(null, PageSize: 100)).ConfigureAwait(false);
                    listTimes.Add(watch.Elapsed.TotalMilliseconds);
                }
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"registry list (first page of 100): median {listTimes.Order().ElementAt(2):F1} ms"));

                var met = (households < 100_000 || import <= TimeSpan.FromSeconds(60)) && ledgerMedian <= 200;
                Console.WriteLine(met ? "registry targets met (import ≤ 60 s, ledger ≤ 200 ms)" : "registry targets NOT met");
                return met ? 0 : 1;
            }
        }
        finally
        {
            await infrastructure.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static int ArgumentValue(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    /// <summary>城关区 (620102) with 30 townships of 50 villages each.</summary>
    private static async Task<string[]> SeedCountyAsync(string connectionString)
    {
        var regions = new List<(string Code, string Name)>
        {
            ("620000000000", "甘肃省"), ("620100000000", "兰州市"), ("620102000000", "城关区"),
        };
        var villages = new List<string>();
        for (var t = 1; t <= 30; t++)
        {
            var township = $"620102{t:D3}";
            regions.Add((township + "000", $"街道{t}"));
            for (var v = 1; v <= 50; v++)
            {
                var code = $"{township}{v:D3}";
                regions.Add((code, $"社区{t}-{v}"));
                villages.Add(code);
            }
        }
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand("INSERT INTO regions (code, name, level, parent_code) SELECT * FROM unnest(@codes, @names, @levels, @parents)", connection);
        var parsed = regions.Select(r => RegionCode.Parse(r.Code)).ToList();
        command.Parameters.AddWithValue("codes", parsed.Select(c => c.Value).ToArray());
        command.Parameters.AddWithValue("names", regions.Select(r => r.Name).ToArray());
        command.Parameters.AddWithValue("levels", parsed.Select(c => (short)c.Level).ToArray());
        command.Parameters.AddWithValue("parents", parsed.Select(c => c.Parent?.Value).ToArray());
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        return [.. villages];
    }

    /// <summary>Synthetic households of 1–6 members with unique valid ID numbers, generated as the stream is read.</summary>
    private static async IAsyncEnumerable<ImportHouseholdRow> Rows(int count, string[] villages, Action countMember)
    {
        var random = new Random(20251123);
        var person = 0;
        MemberInput Member(string name, Relation relation, int age)
        {
            countMember();
            var n = person++;
            var birth = new DateOnly(2024 - age, 1, 1).AddDays(n / 1000 % 365);
            var id = IdNumber.Create("620102", birth, n % 1000).Value;
            var labour = age < 16 ? LabourAbility.None : age > 65 ? LabourAbility.Lost : LabourAbility.Full;
            return new MemberInput(name, id, relation, labour, HealthCondition.Healthy, null,
                age < 16 ? SchoolingStage.Compulsory : SchoolingStage.NotInSchool, age is >= 18 and <= 60 ? EmploymentLocation.InsideProvince : EmploymentLocation.None,
                age is >= 18 and <= 60 ? 8 : 0, true, age >= 18);
        }
        for (var i = 1; i <= count; i++)
        {
            var size = 1 + random.Next(6);
            var members = new List<MemberInput>(size) { Member("户主" + i, Relation.Head, 30 + random.Next(40)) };
            if (size > 1)
            {
                members.Add(Member("配偶" + i, Relation.Spouse, 28 + random.Next(40)));
            }
            for (var k = 2; k < size; k++)
            {
                members.Add(Member($"子女{i}-{k}", Relation.Child, 1 + random.Next(20)));
            }
            yield return new ImportHouseholdRow(i, villages[random.Next(villages.Length)],
                random.Next(10) < 3 ? HouseholdCategory.PovertyAlleviated : HouseholdCategory.Ordinary, random.Next(20) == 0, false, members);
            if (i % 1000 == 0)
            {
                await Task.Yield();
            }
        }
    }
}
