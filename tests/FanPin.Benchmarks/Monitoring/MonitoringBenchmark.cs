using System.Diagnostics;
using System.Globalization;
using System.Text;
using FanPin.Monitoring;
using FanPin.Monitoring.Application.Evaluation;
using FanPin.Monitoring.Application.Feeds;
using FanPin.Monitoring.Domain;
using FanPin.Monitoring.Infrastructure;
using FanPin.Policies;
using FanPin.ServiceDefaults.Authentication;
using FanPin.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;

namespace FanPin.Benchmarks.Monitoring;

/// <summary>
/// Monitoring target (issue 6): a department feed of 1,000,000 rows imported in ≤ 60 s (checked and hashed as
/// streamed, binary COPY into staging, set-based merge), on its own database of the local test servers. Also
/// measures re-importing the same feed (idempotent: nothing applied), evaluating every household the feed
/// touched, and optionally (<c>--csv</c>) the same rows read from a CSV file as <c>fanpin feed import</c> does.
/// Arguments: <c>--rows N</c> (default 1000000), <c>--households N</c> (default 250000, 4 members each),
/// <c>--csv</c>. Exit code 0 when the import meets the target.
/// </summary>
public static class MonitoringBenchmark
{
    private const string County = "620102";
    private static readonly TimeSpan Target = TimeSpan.FromSeconds(60);

    /// <summary>Runs the benchmark and prints the figures.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var rows = ArgumentValue(args, "--rows", 1_000_000);
        var households = ArgumentValue(args, "--households", 250_000);
        var infrastructure = new IsolatedInfrastructure();
        await infrastructure.InitializeAsync().ConfigureAwait(false);
        try
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                [$"ConnectionStrings:{MonitoringServices.DatabaseName}"] = infrastructure.PostgresConnectionString,
            }).Build();
            var services = new ServiceCollection().AddLogging().AddMonitoring(configuration, isDevelopment: true).BuildServiceProvider();
            await using (services.ConfigureAwait(false))
            {
                await services.MigrateMonitoringDatabaseAsync().ConfigureAwait(false);
                var hasher = services.GetRequiredService<IdNumberHasher>();
                var today = services.GetRequiredService<FanPin.Monitoring.Application.Common.MonitoringClock>().Today;
                var period = YearMonth.Of(today);
                var watch = Stopwatch.StartNew();
                var people = await SeedAsync(infrastructure.PostgresConnectionString, households, hasher).ConfigureAwait(false);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"monitoring seed: {households:N0} households, {people.Length:N0} members (read model) in {watch.Elapsed.TotalSeconds:F1} s"));

                var department = new Caller("benchmark", CallerRole.Department, RegionPrefix.Parse(County), Departments.MedicalInsurance);
                var request = new ImportFeedRequest("benchmark-1", Departments.MedicalInsurance, period.ToString());
                var phases = new PhaseClock();
                watch.Restart();
                var result = await ImportAsync(services, department, request, Rows(rows, people, period), phases).ConfigureAwait(false);
                var import = watch.Elapsed;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"monitoring feed import: {result.RowsReceived:N0} rows in {import.TotalSeconds:F1} s ({result.RowsReceived / import.TotalSeconds:N0} rows/s; target ≤ {Target.TotalSeconds:F0} s)"));
                Console.WriteLine($"  {phases}");
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  applied {result.Applied:N0}, invalid {result.Invalid:N0}, unknown person {result.Unmatched:N0}, duplicate {result.Duplicates:N0}, outside {result.OutsideScope:N0}; {result.HouseholdsQueued:N0} households queued; match rate {result.MatchRate:P2}, error rate {result.ErrorRate:P2}"));

                watch.Restart();
                var again = await ImportAsync(services, department, request, Rows(rows, people, period), null).ConfigureAwait(false);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"monitoring feed re-import (same feed id): {again.AlreadyImported:N0} rows already imported, {again.Applied} applied, in {watch.Elapsed.TotalSeconds:F1} s"));

                watch.Restart();
                EvaluateQueuedResult evaluation;
                await using (var scope = services.CreateAsyncScope())
                {
                    evaluation = await scope.ServiceProvider.GetRequiredService<EvaluateQueuedHouseholds>()
                        .HandleAsync(new EvaluateQueuedRequest(int.MaxValue, 5_000)).ConfigureAwait(false);
                }
                var evaluate = watch.Elapsed;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"monitoring evaluation: {evaluation.Evaluated:N0} households in {evaluate.TotalSeconds:F1} s ({evaluation.Evaluated / evaluate.TotalSeconds:N0} households/s); {evaluation.Changed:N0} changed, {evaluation.EventsRaised:N0} RiskSignalsDetected"));

                if (args.Contains("--csv"))
                {
                    var file = Path.Combine(Path.GetTempPath(), $"fanpin-monitoring-benchmark-{Environment.ProcessId}.csv");
                    try
                    {
                        await WriteCsvAsync(file, Rows(rows, people, period)).ConfigureAwait(false);
                        watch.Restart();
                        ImportFeedResult fromCsv;
                        await using (var stream = File.OpenRead(file))
                        {
                            fromCsv = await ImportAsync(services, department, request with { FeedId = "benchmark-csv" }, FeedCsv.ReadAsync(stream), null)
                                .ConfigureAwait(false);
                        }
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"monitoring feed import from CSV ({new FileInfo(file).Length / 1_048_576.0:F0} MiB, new feed id, same rows): {fromCsv.RowsReceived:N0} rows in {watch.Elapsed.TotalSeconds:F1} s; {fromCsv.Unchanged:N0} unchanged, {fromCsv.Applied} applied"));
                    }
                    finally
                    {
                        File.Delete(file);
                    }
                }
                return import <= Target && result.Applied > 0 && again.Applied == 0 ? 0 : 1;
            }
        }
        finally
        {
            await infrastructure.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task<ImportFeedResult> ImportAsync(ServiceProvider services, Caller caller, ImportFeedRequest request, IAsyncEnumerable<FeedRow> rows,
        IProgress<ImportProgress>? progress)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ImportFeed>().HandleAsync(caller, request, rows, progress).ConfigureAwait(false);
    }

    /// <summary>
    /// The read model as the registry's events would leave it: households in 10 villages of each of 50 townships
    /// of the county, 4 members each (registered with the household). Written with COPY: seeding is not measured.
    /// </summary>
    private static async Task<IdNumber[]> SeedAsync(string connectionString, int households, IdNumberHasher hasher)
    {
        var people = new IdNumber[households * 4];
        for (var i = 0; i < people.Length; i++)
        {
            people[i] = IdNumber.Create(County, new DateOnly(1950, 1, 1).AddDays(i / 1000), i % 1000);
        }
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        var now = DateTimeOffset.UtcNow;
        var ids = Enumerable.Range(0, households).Select(_ => Guid.CreateVersion7()).ToArray();
        await using (var writer = await connection.BeginBinaryImportAsync(
            "COPY known_households (id, region_code, category, status, updated_at) FROM STDIN (FORMAT BINARY)").ConfigureAwait(false))
        {
            for (var h = 0; h < households; h++)
            {
                await writer.StartRowAsync().ConfigureAwait(false);
                await writer.WriteAsync(ids[h], NpgsqlDbType.Uuid).ConfigureAwait(false);
                await writer.WriteAsync($"{County}{1 + (h % 50):D3}{1 + (h / 50 % 10):D3}", NpgsqlDbType.Varchar).ConfigureAwait(false);
                await writer.WriteAsync((short)(h % 3 == 0 ? HouseholdCategory.PovertyAlleviated : HouseholdCategory.Ordinary), NpgsqlDbType.Smallint).ConfigureAwait(false);
                await writer.WriteAsync((short)HouseholdStatus.Monitored, NpgsqlDbType.Smallint).ConfigureAwait(false);
                await writer.WriteAsync(now, NpgsqlDbType.TimestampTz).ConfigureAwait(false);
            }
            await writer.CompleteAsync().ConfigureAwait(false);
        }
        await using (var writer = await connection.BeginBinaryImportAsync(
            "COPY known_members (id, household_id, id_hash, labour_ability, updated_at) FROM STDIN (FORMAT BINARY)").ConfigureAwait(false))
        {
            for (var i = 0; i < people.Length; i++)
            {
                await writer.StartRowAsync().ConfigureAwait(false);
                await writer.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid).ConfigureAwait(false);
                await writer.WriteAsync(ids[i / 4], NpgsqlDbType.Uuid).ConfigureAwait(false);
                await writer.WriteAsync(hasher.Hash(people[i]), NpgsqlDbType.Bytea).ConfigureAwait(false);
                await writer.WriteAsync((short)(i % 4 == 3 ? LabourAbility.None : LabourAbility.Full), NpgsqlDbType.Smallint).ConfigureAwait(false);
                await writer.WriteAsync(now, NpgsqlDbType.TimestampTz).ConfigureAwait(false);
            }
            await writer.CompleteAsync().ConfigureAwait(false);
        }
        await using (var analyze = new NpgsqlCommand("ANALYZE known_households; ANALYZE known_members", connection))
        {
            await analyze.ExecuteNonQueryAsync().ConfigureAwait(false);
        }
        return people;
    }

    /// <summary>
    /// A medical-insurance feed: self-paid medical bills of last month (a few per person), insurance status, and
    /// the faults a real feed has: 1% ID numbers with a wrong check digit, 1% persons not registered, 0.5%
    /// repeated rows, 0.2% negative amounts.
    /// </summary>
    private static async IAsyncEnumerable<FeedRow> Rows(int count, IdNumber[] people, YearMonth period)
    {
        var random = new Random(42);
        var month = period.AddMonths(-1).ToString();
        FeedRow? previous = null;
        for (var row = 1; row <= count; row++)
        {
            var person = people[random.Next(people.Length)].Value;
            var dice = random.Next(1000);
            FeedRow next;
            if (dice < 10)
            {
                next = new FeedRow(row, person[..17] + (person[17] == '0' ? '1' : '0'), "medical_self_paid", month, 10_000, null, $"b{row}");
            }
            else if (dice < 20)
            {
                next = new FeedRow(row, IdNumber.Create("110101", new DateOnly(1990, 1, 1).AddDays(row % 3000), row % 1000).Value, "medical_self_paid", month, 10_000, null, $"b{row}");
            }
            else if (dice < 25 && previous is not null)
            {
                next = previous with { RowNumber = row };
            }
            else if (dice < 27)
            {
                next = new FeedRow(row, person, "medical_self_paid", month, -1, null, $"b{row}");
            }
            else if (dice < 100)
            {
                next = new FeedRow(row, person, "medical_insured", month, null, random.Next(10) == 0 ? "no" : "yes", null);
            }
            else
            {
                next = new FeedRow(row, person, "medical_self_paid", month, random.Next(1_000, 2_000_000), null, $"b{row}");
            }
            previous = next;
            yield return next;
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }

    private static async Task WriteCsvAsync(string file, IAsyncEnumerable<FeedRow> rows)
    {
        await using var writer = new StreamWriter(file, false, new UTF8Encoding(false), 1 << 20);
        await writer.WriteLineAsync("row,id_number,item,month,amount_fen,value,reference").ConfigureAwait(false);
        await foreach (var r in rows.ConfigureAwait(false))
        {
            await writer.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{r.RowNumber},{r.IdNumber},{r.Item},{r.Month},{r.AmountFen},{r.Value},{r.Reference}")).ConfigureAwait(false);
        }
    }

    private static int ArgumentValue(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : fallback;
    }

    /// <summary>Time spent in each phase of the import, from its progress reports.</summary>
    private sealed class PhaseClock : IProgress<ImportProgress>
    {
        private readonly Stopwatch _watch = Stopwatch.StartNew();
        private readonly List<(string Phase, TimeSpan At)> _marks = [];
        private string? _last;

        public void Report(ImportProgress value)
        {
            var phase = value.Phase == FeedImportPhase.Applying ? $"step {value.Step}" : value.Phase.ToString().ToLowerInvariant();
            if (phase != _last)
            {
                _marks.Add((phase, _watch.Elapsed));
                _last = phase;
            }
        }

        public override string ToString()
        {
            var text = new StringBuilder("phases:");
            for (var i = 0; i + 1 < _marks.Count; i++)
            {
                text.Append(CultureInfo.InvariantCulture, $" {_marks[i].Phase} {(_marks[i + 1].At - _marks[i].At).TotalSeconds:F1} s;");
            }
            return text.ToString();
        }
    }
}
