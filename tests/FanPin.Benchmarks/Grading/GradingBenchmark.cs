using System.Diagnostics;
using System.Globalization;
using FanPin.Grading;
using FanPin.Grading.Application.Policies;
using FanPin.Grading.Domain;
using FanPin.Policies;
using FanPin.ServiceDefaults.Authentication;
using FanPin.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;

namespace FanPin.Benchmarks.Grading;

/// <summary>
/// Bulk re-grade after a policy change (target: 100,000 households in ≤ 30 s on the build machine).
/// <para>
/// Seeds a province's household facts with binary COPY (varied labour, income, transfer shares, unstable income,
/// risk types), grades them once under the built-in default (the initial grading: raises every warning), then
/// evaluates a draft (what-if), publishes it for today and re-grades in bulk — warnings raised, regraded and
/// cleared with their history, log sequences, staged events and the Redis projection, exactly as in service.
/// Prints the figures; exit code 0 when the re-grade met the target, 3 when it did not.
/// </para>
/// Usage: <c>grading [--households 100000] [--chunk 5000] [--target-seconds 30]</c>. Servers: the
/// <c>FANPIN_TEST_*</c> variables, or private ones started for the run (FanPin.Testing).
/// </summary>
public static class GradingBenchmark
{
    private const string Province = "62";

    /// <summary>Runs the benchmark.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var households = Option(args, "households", 100_000);
        var chunk = Option(args, "chunk", 5_000);
        var target = TimeSpan.FromSeconds(Option(args, "target-seconds", 30));

        var infrastructure = new IsolatedInfrastructure();
        await infrastructure.InitializeAsync().ConfigureAwait(false);
        try
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:gradingdb"] = infrastructure.PostgresConnectionString,
                ["ConnectionStrings:cache"] = infrastructure.RedisConfiguration,
                ["Cache:KeyPrefix"] = infrastructure.RedisKeyPrefix,
                ["Grading:BackgroundServices"] = "false",
            }).Build();
            var services = new ServiceCollection();
            services.AddLogging();
            services.AddApplicationServices(configuration);
            services.AddScoped(sp => new FanPin.Grading.Infrastructure.Bulk.BulkRegrader(
                sp.GetRequiredService<FanPin.Grading.Infrastructure.GradingDbContext>(),
                sp.GetRequiredService<FanPin.Grading.Application.Common.GradeProjector>(),
                sp.GetRequiredService<FanPin.Grading.Application.Common.GradingClock>()) { ChunkSize = chunk });
            await using var provider = services.BuildServiceProvider();
            await provider.MigrateGradingDatabaseAsync().ConfigureAwait(false);

            var seed = Stopwatch.StartNew();
            await SeedAsync(infrastructure.PostgresConnectionString, households).ConfigureAwait(false);
            Console.WriteLine($"seed          {households,9:N0} households by COPY in {seed.Elapsed.TotalSeconds,6:F2} s");

            var initial = await TimedRegradeAsync(provider).ConfigureAwait(false);
            Report("initial grade", initial.Result, initial.Elapsed);

            var today = DateOnly.FromDateTime(DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)).DateTime);
            var draft = $$"""
                base: default
                province: "{{Province}}"
                version: 1
                effective_from: {{today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}}
                title: "benchmark: line up, transfers 80%, strict grade III"
                monitoring: { poverty_line_fen: 480_000 }
                grading:
                  grade_two: { min_transfer_income_share: 0.8 }
                  grade_three: { unstable_income_suffices: false }
                """;
            var admin = new Caller("benchmark", CallerRole.Province, RegionPrefix.Parse(Province), null);
            var whatIfClock = Stopwatch.StartNew();
            EvaluateDraftPolicyResult whatIf;
            await using (var scope = provider.CreateAsyncScope())
            {
                whatIf = await scope.ServiceProvider.GetRequiredService<EvaluateDraftPolicy>()
                    .HandleAsync(admin, new EvaluateDraftPolicyRequest(draft)).ConfigureAwait(false);
            }
            Console.WriteLine($"what-if       {whatIf.Households,9:N0} households, {whatIf.Changed,7:N0} would change, in {whatIfClock.Elapsed.TotalSeconds,6:F2} s");
            await using (var scope = provider.CreateAsyncScope())
            {
                await scope.ServiceProvider.GetRequiredService<PublishPolicy>().HandleAsync(admin, new PublishPolicyRequest(draft)).ConfigureAwait(false);
            }

            var regrade = await TimedRegradeAsync(provider).ConfigureAwait(false);
            Report("re-grade", regrade.Result, regrade.Elapsed);
            var agrees = regrade.Result.Changed == whatIf.Changed;
            Console.WriteLine($"what-if matches the re-grade: {(agrees ? "yes" : "NO")}");
            var met = regrade.Elapsed <= target;
            Console.WriteLine($"target        {households:N0} households re-graded in ≤ {target.TotalSeconds:F0} s: {(met ? "met" : "MISSED")}");
            return met && agrees ? 0 : 3;
        }
        finally
        {
            await infrastructure.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task<(FanPin.Grading.Infrastructure.Bulk.BulkRegradeResult Result, TimeSpan Elapsed)> TimedRegradeAsync(IServiceProvider provider)
    {
        await using var scope = provider.CreateAsyncScope();
        var clock = Stopwatch.StartNew();
        var result = await scope.ServiceProvider.GetRequiredService<RunDueRegrades>().HandleAsync(new RunDueRegradesRequest()).ConfigureAwait(false);
        return (result.Regrades.Single(r => r.Province == Province), clock.Elapsed);
    }

    private static void Report(string phase, FanPin.Grading.Infrastructure.Bulk.BulkRegradeResult result, TimeSpan elapsed) =>
        Console.WriteLine($"{phase,-13} {result.Households,9:N0} households, {result.Changed,7:N0} changed, in {elapsed.TotalSeconds,6:F2} s " +
            $"({result.Households / elapsed.TotalSeconds,8:N0} households/s; policy {result.PolicyProvince} v{result.PolicyVersion})");

    /// <summary>Household facts as grading stores them, in 20 counties of 10 townships of 10 villages, from a fixed seed.</summary>
    private static async Task SeedAsync(string connectionString, int households)
    {
        var random = new Random(20261124);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        await using var copy = await connection.BeginBinaryImportAsync("""
            COPY household_facts (household_id, region_code, province, category, status, risk_type_mask, members_full, members_partial,
                                  members_lost, members_none, signal_codes, per_capita_income_fen, transfer_income_share, income_unstable,
                                  registry_as_of, signals_as_of, updated_at) FROM STDIN (FORMAT BINARY)
            """).ConfigureAwait(false);
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < households; i++)
        {
            var region = string.Create(CultureInfo.InvariantCulture,
                $"{Province}01{random.Next(1, 21):D2}{random.Next(1, 11):D3}{random.Next(1, 11):D3}");
            var (full, partial, lost, none) = random.Next(100) switch
            {
                < 10 => (0, 0, 1, random.Next(0, 3)),
                < 35 => (0, 0, 0, random.Next(1, 3)),
                < 60 => (random.Next(0, 1), 1, 0, random.Next(0, 3)),
                _ => (random.Next(1, 3), 0, 0, random.Next(0, 3)),
            };
            var codes = new List<string>();
            long? perCapita = null;
            decimal? transfer = null;
            var unstable = false;
            if (random.Next(100) < 50)
            {
                codes.Add("IncomeBelowLine");
                perCapita = random.Next(300_000, 900_000);
            }
            if (random.Next(100) < 30)
            {
                codes.Add("TransferIncomeOnly");
                transfer = random.Next(6, 11) / 10m;
                perCapita ??= random.Next(650_000, 900_000);
            }
            if (random.Next(100) < 20)
            {
                codes.Add("UnstableIncome");
                unstable = true;
            }
            var riskMask = random.Next(100) < 80 ? RiskTypeSet.ToMask([(RiskType)random.Next(1, 16)]) : 0;
            await copy.StartRowAsync().ConfigureAwait(false);
            await copy.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid).ConfigureAwait(false);
            await copy.WriteAsync(region, NpgsqlDbType.Varchar).ConfigureAwait(false);
            await copy.WriteAsync(Province, NpgsqlDbType.Char).ConfigureAwait(false);
            await copy.WriteAsync((short)(random.Next(2) == 0 ? HouseholdCategory.PovertyAlleviated : HouseholdCategory.Ordinary), NpgsqlDbType.Smallint).ConfigureAwait(false);
            await copy.WriteAsync((short)MonitoringStatus.Monitored, NpgsqlDbType.Smallint).ConfigureAwait(false);
            await copy.WriteAsync(riskMask, NpgsqlDbType.Integer).ConfigureAwait(false);
            await copy.WriteAsync(full, NpgsqlDbType.Integer).ConfigureAwait(false);
            await copy.WriteAsync(partial, NpgsqlDbType.Integer).ConfigureAwait(false);
            await copy.WriteAsync(lost, NpgsqlDbType.Integer).ConfigureAwait(false);
            await copy.WriteAsync(none, NpgsqlDbType.Integer).ConfigureAwait(false);
            await copy.WriteAsync(codes.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text).ConfigureAwait(false);
            await WriteAsync(copy, perCapita, NpgsqlDbType.Bigint).ConfigureAwait(false);
            await WriteAsync(copy, transfer, NpgsqlDbType.Numeric).ConfigureAwait(false);
            await copy.WriteAsync(unstable, NpgsqlDbType.Boolean).ConfigureAwait(false);
            await copy.WriteAsync(now, NpgsqlDbType.TimestampTz).ConfigureAwait(false);
            await copy.WriteAsync(now, NpgsqlDbType.TimestampTz).ConfigureAwait(false);
            await copy.WriteAsync(now, NpgsqlDbType.TimestampTz).ConfigureAwait(false);
        }
        await copy.CompleteAsync().ConfigureAwait(false);
    }

    private static async Task WriteAsync<T>(NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type)
        where T : struct
    {
        if (value is { } v)
        {
            await copy.WriteAsync(v, type).ConfigureAwait(false);
        }
        else
        {
            await copy.WriteNullAsync().ConfigureAwait(false);
        }
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, "--" + name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;
    }
}
