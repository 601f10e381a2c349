using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace FanPin.Testing.Suite;

/// <summary>What to generate and how long to wait.</summary>
public sealed record ProvinceIngestOptions
{
    /// <summary>
    /// Households of the 1,000,000-row province: datagen writes ≈ 27.9 feed rows per household over 12 months
    /// (docs/datagen.md: 27.9 million rows for 1,000,000 households), so 36,000 households × 12 months ≈ 1.0 million
    /// feed rows. Twelve months, not more households over fewer months: a year is what the policy's windows (yearly
    /// income, the 12-month medical and disaster windows) evaluate, so every profile crosses its line as in production.
    /// </summary>
    public const int MillionRowHouseholds = 36_000;

    /// <summary>The seed (output is deterministic by seed and options).</summary>
    public long Seed { get; init; } = 20261124;

    /// <summary>Households in all, spread over every county of province 62.</summary>
    public int Households { get; init; } = MillionRowHouseholds;

    /// <summary>Months of history.</summary>
    public int Months { get; init; } = 12;

    /// <summary>The last month of history (fixed, so runs on different days generate the same province).</summary>
    public string EndMonth { get; init; } = "2026-10";

    /// <summary>Where the files go (default: a folder in the suite's state folder, deleted with it).</summary>
    public string? Output { get; init; }

    /// <summary>Longest wait for monitoring to learn the households and for the pipeline to become quiescent.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(20);

    /// <summary>Progress lines.</summary>
    public Action<string> Log { get; init; } = Console.WriteLine;

    /// <summary>
    /// Send the feeds as live feeds (<c>fanpin feeds import --live</c>: each household evaluated after every feed
    /// that touches it) instead of as the back-fill of a year of history (evaluated once, when the back-fill ends).
    /// </summary>
    public bool Live { get; init; }

    /// <summary>
    /// The CLI's dll (<c>fanpin.dll</c>); by default its build output in the repository, in the configuration this
    /// code was built in (the AppHost's DemoSeed finds it the same way; building the AppHost builds it).
    /// </summary>
    public string Cli { get; init; } = DefaultCli();

    private static string DefaultCli()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "FanPinAspire.sln")))
            {
                return Path.Combine(dir.FullName, "src", "FanPin.Cli", "bin", configuration, "net10.0", "fanpin.dll");
            }
        }
        return Path.Combine(AppContext.BaseDirectory, "fanpin.dll");
    }
}

/// <summary>What datagen wrote (its manifest.json).</summary>
public sealed record GeneratedProvince(string Directory, long Seed, long Households, long Members, long FeedRows, int Feeds)
{
    /// <summary>Reads <c>manifest.json</c> of <paramref name="directory"/>.</summary>
    public static GeneratedProvince Read(string directory)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "manifest.json")));
        var r = json.RootElement;
        return new GeneratedProvince(directory, r.GetProperty("seed").GetInt64(), r.GetProperty("households").GetInt64(), r.GetProperty("members").GetInt64(),
            r.GetProperty("feed_rows").GetInt64(), r.GetProperty("feeds").GetArrayLength());
    }
}

/// <summary>Times of the stages, from the start of the registry import (UTC).</summary>
public sealed record StageTimes(
    DateTimeOffset Start,
    DateTimeOffset RegistryImported,
    DateTimeOffset HouseholdsKnown,
    DateTimeOffset FeedsImported,
    DateTimeOffset? FeedsCommitted,
    DateTimeOffset? LastSignalsPublished,
    DateTimeOffset? LastWarningLogged,
    DateTimeOffset? LastEventReceived,
    DateTimeOffset Quiescent);

/// <summary>What one province ingest did.</summary>
public sealed record ProvinceIngestResult(
    GeneratedProvince Generated,
    TimeSpan GenerationTime,
    StageTimes Times,
    int HouseholdsAccepted,
    int ImportRetries,
    bool Quiescent,
    ProvinceCounts Counts,
    Reconciliation Reconciliation);

/// <summary>
/// The province benchmark's and the fault test's driver: generates a deterministic province with datagen, binds a
/// durable downstream subscriber on <c>fanpin.events</c> for <c>warning.#</c> BEFORE anything is imported, imports
/// regions and households into the registry and every monthly department feed into monitoring through the public gRPC
/// APIs (the CLI as a child process: <c>fanpin regions import</c>, <c>households import</c>, <c>feeds import</c>; each
/// import is sent again under its id when a service goes away), then waits until the pipeline is quiescent: every outbox drained, monitoring's evaluation queue
/// empty, grading has consumed every RiskSignalsDetected, assistance and notification every warning event, and the
/// subscriber holds every event of the warning log. Stage times come from the services' databases (read only).
/// </summary>
public sealed partial class ProvinceIngest(SuiteProcess suite, ProvinceIngestOptions? options = null)
{
    private readonly ProvinceIngestOptions _options = options ?? new ProvinceIngestOptions();
    private int _feedsDone;
    private int _feedsTotal;
    private long _rowsSent;
    private int _retries;

    /// <summary>The current stage: generating, registry, waiting, feeds, quiescing, done.</summary>
    public string Stage { get; private set; } = "created";

    /// <summary>Feeds imported so far, of <see cref="FeedsTotal"/>.</summary>
    public int FeedsDone => Volatile.Read(ref _feedsDone);

    /// <summary>Feeds to import.</summary>
    public int FeedsTotal => Volatile.Read(ref _feedsTotal);

    /// <summary>Feed rows whose feed was imported so far.</summary>
    public long RowsSent => Interlocked.Read(ref _rowsSent);

    /// <summary>The downstream subscriber (bound once <see cref="RunAsync"/> started).</summary>
    public DurableSubscriber? Subscriber { get; private set; }

    /// <summary>The services' databases (read only).</summary>
    public SuiteDatabases Databases { get; } = new(suite);

    /// <summary>Generates, imports, waits for quiescence and reconciles. Disposes the subscriber at the end.</summary>
    public async Task<ProvinceIngestResult> RunAsync(CancellationToken ct = default)
    {
        var log = _options.Log;
        var output = _options.Output ?? Path.Combine(suite.State, "province");
        Stage = "generating";
        if (!File.Exists(_options.Cli))
        {
            throw new InvalidOperationException($"{_options.Cli} is missing: build the AppHost (it builds the CLI)");
        }
        var generation = Stopwatch.StartNew();
        await CliAsync(["datagen", "--seed", I(_options.Seed), "--households", I(_options.Households), "--months", I(_options.Months),
            "--end-month", _options.EndMonth, "--output", output], ct);
        generation.Stop();
        var generated = GeneratedProvince.Read(output);
        _feedsTotal = generated.Feeds;
        log(string.Create(CultureInfo.InvariantCulture,
            $"province: seed {generated.Seed}, {generated.Households:N0} households, {generated.Members:N0} members, {generated.FeedRows:N0} feed rows in {generated.Feeds} feeds, generated in {generation.Elapsed.TotalSeconds:F1} s"));

        // Bound before anything is imported: the exchange keeps nothing for a queue that does not exist yet.
        Subscriber = await DurableSubscriber.BindAsync(suite.Messaging, "warning.#");
        try
        {
            Stage = "registry";
            var start = DateTimeOffset.UtcNow;
            string[] registry = ["--registry", suite.Endpoints["registry"], "--token", suite.ProvinceToken];
            await CliAsync(["regions", "import", Path.Combine(output, "regions.csv"), .. registry], ct);
            var households = await CliAsync(["households", "import", Path.Combine(output, "households.csv"), .. registry, "--batch-id", $"province-{generated.Seed}"], ct);
            var accepted = households.Select(l => HouseholdsLine().Match(l)).LastOrDefault(m => m.Success) is { } m
                ? int.Parse(m.Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture)
                : throw new InvalidOperationException("households import printed no outcome line");
            var registryImported = DateTimeOffset.UtcNow;
            log(string.Create(CultureInfo.InvariantCulture, $"registry: {accepted:N0} households accepted after {(registryImported - start).TotalSeconds:F1} s"));

            // Monitoring matches feed rows to the households it learnt from the registry's events: every one must be
            // known first, or its rows are refused as unmatched (for good: a feed sent again keeps its first outcome).
            Stage = "waiting";
            // Grading too: a warning raised before grading knows the household's members would carry no labour
            // abilities (and could be graded on missing facts). In production the registry is loaded long before feeds.
            await WaitAsync("monitoring and grading to learn every household", async () =>
                await Databases.ScalarAsync("monitoringdb", "SELECT count(*) FROM known_households", ct) >= accepted
                && await Databases.ScalarAsync("gradingdb", "SELECT count(*) FROM household_facts WHERE members_full + members_partial + members_lost + members_none > 0", ct) >= accepted, ct);
            var householdsKnown = DateTimeOffset.UtcNow;
            log(string.Create(CultureInfo.InvariantCulture, $"monitoring and grading know all {accepted:N0} households after {(householdsKnown - start).TotalSeconds:F1} s"));

            Stage = "feeds";
            await CliAsync(["feeds", "import", output, "--monitoring", suite.Endpoints["monitoring"], "--token", suite.ProvinceToken, .. (_options.Live ? ["--live"] : Array.Empty<string>())],
                ct, allowRefused: true);
            var feedsImported = DateTimeOffset.UtcNow;
            log(string.Create(CultureInfo.InvariantCulture, $"feeds: {generated.Feeds} feeds, {generated.FeedRows:N0} rows imported after {(feedsImported - start).TotalSeconds:F1} s"));

            Stage = "quiescing";
            var quiescent = await WaitQuiescentAsync(start, ct);
            var quiet = DateTimeOffset.UtcNow;
            Stage = "done";

            var deliveries = Subscriber.Deliveries;
            var times = new StageTimes(start, registryImported, householdsKnown, feedsImported,
                await Databases.TimeAsync("monitoringdb", "SELECT max(last_imported_at) FROM feeds", ct),
                await Databases.TimeAsync("monitoringdb", "SELECT max(published_at) FROM outbox_message WHERE event_type LIKE '%RiskSignalsDetected%'", ct),
                await Databases.TimeAsync("gradingdb", "SELECT max(occurred_at) FROM warning_log", ct),
                deliveries.Count == 0 ? null : deliveries.Max(d => d.ReceivedAt),
                quiet);
            var counts = await ProvinceCounts.ReadAsync(Databases, deliveries, ct);
            var reconciliation = await Reconciliation.CheckAsync(Databases, deliveries, generated.FeedRows, ct);
            return new ProvinceIngestResult(generated, generation.Elapsed, times, accepted, Volatile.Read(ref _retries), quiescent, counts, reconciliation);
        }
        finally
        {
            await Subscriber.DisposeAsync();
        }
    }

    private static string I(long value) => value.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^households: [\d,]+ received in \d+ batch\(es\), ([\d,]+) accepted")]
    private static partial Regex HouseholdsLine();

    /// <summary>Runs the CLI to its end; its lines go to the log. Exit 1 (rows refused) is allowed only with <paramref name="allowRefused"/>.</summary>
    private async Task<IReadOnlyList<string>> CliAsync(string[] arguments, CancellationToken ct, bool allowRefused = false)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(_options.Cli);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        var lines = new List<string>();
        using var process = new Process { StartInfo = start };
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }
            lock (lines)
            {
                lines.Add(line);
            }
            if (line.Contains("sending it again", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _retries);
            }
            if (line.StartsWith("feed ", StringComparison.Ordinal) && line.Contains(" rows, applied ", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _feedsDone);
                if (FeedRowsLine().Match(line) is { Success: true } rows)
                {
                    Interlocked.Add(ref _rowsSent, long.Parse(rows.Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture));
                }
            }
            // Per-feed lines are many: every tenth, plus anything that is not one (retries, refusals, summaries).
            if (!line.StartsWith("feed ", StringComparison.Ordinal) || FeedsDone % 10 == 0 || !line.Contains(", invalid 0, unmatched 0, duplicates 0", StringComparison.Ordinal))
            {
                _options.Log("  fanpin: " + line);
            }
        }
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        if (process.ExitCode != 0 && !(allowRefused && process.ExitCode == 1))
        {
            throw new InvalidOperationException($"fanpin {string.Join(' ', arguments.Take(2))} exited with {process.ExitCode}:\n{string.Join('\n', lines.TakeLast(20))}");
        }
        return lines;
    }

    [GeneratedRegex(@"^feed \S+: ([\d,]+) rows, applied")]
    private static partial Regex FeedRowsLine();

    private async Task<bool> WaitQuiescentAsync(DateTimeOffset start, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        string? previous = null;
        var report = Stopwatch.StartNew();
        while (watch.Elapsed < _options.Timeout)
        {
            var state = await QuiescenceAsync(ct);
            if (state.Done && state.Fingerprint == previous)
            {
                _options.Log(string.Create(CultureInfo.InvariantCulture, $"quiescent after {(DateTimeOffset.UtcNow - start).TotalSeconds:F1} s: {state.Description}"));
                return true;
            }
            previous = state.Done ? state.Fingerprint : null;
            if (report.Elapsed > TimeSpan.FromSeconds(10))
            {
                report.Restart();
                _options.Log($"  waiting ({(DateTimeOffset.UtcNow - start).TotalSeconds:F0} s): {state.Description}");
            }
            await Task.Delay(TimeSpan.FromSeconds(2), ct);
        }
        _options.Log($"NOT quiescent within {_options.Timeout.TotalMinutes:0} minutes: {(await QuiescenceAsync(ct)).Description}");
        return false;
    }

    private async Task<(bool Done, string Fingerprint, string Description)> QuiescenceAsync(CancellationToken ct)
    {
        try
        {
            long pending = 0;
            var pendingBy = new List<string>();
            foreach (var db in SuiteDatabases.All)
            {
                var n = await Databases.ScalarAsync(db, "SELECT count(*) FROM outbox_message WHERE published_at IS NULL", ct);
                pending += n;
                if (n > 0)
                {
                    pendingBy.Add($"{db} {n}");
                }
            }
            var queued = await Databases.ScalarAsync("monitoringdb", "SELECT count(*) FROM evaluation_queue", ct);
            var signals = await Databases.ScalarAsync("monitoringdb", "SELECT count(DISTINCT event_id) FROM outbox_message WHERE event_type LIKE '%RiskSignalsDetected%'", ct);
            var graded = await Databases.ScalarAsync("gradingdb", "SELECT count(*) FROM inbox_message WHERE consumer = 'grading.RiskSignalsDetected'", ct);
            var logged = await Databases.ScalarAsync("gradingdb", "SELECT count(*) FROM warning_log", ct);
            var forAssistance = await Databases.ScalarAsync("gradingdb", "SELECT count(*) FROM warning_log WHERE event_type IN (1, 2, 4)", ct);
            var assistance = await Databases.ScalarAsync("assistancedb", "SELECT count(*) FROM inbox_message WHERE consumer IN ('assistance.WarningRaised', 'assistance.WarningGradeChanged', 'assistance.WarningCleared')", ct);
            var notification = await Databases.ScalarAsync("notificationdb", "SELECT count(*) FROM inbox_message WHERE consumer LIKE 'notification.Warning%'", ct);
            var received = Subscriber!.Deliveries.Select(d => d.Id).Distinct().Count();
            var done = pending == 0 && queued == 0 && graded == signals && assistance == forAssistance && notification == logged && received == logged;
            var description = string.Create(CultureInfo.InvariantCulture,
                $"outbox pending {pending} ({string.Join(", ", pendingBy)}), evaluation queue {queued}, RiskSignalsDetected {signals} consumed by grading {graded}, warning log {logged}, assistance consumed {assistance}/{forAssistance}, notification {notification}/{logged}, subscriber {received} distinct ({Subscriber.Count} deliveries)");
            return (done, $"{signals}/{logged}/{received}/{Subscriber.Count}", description);
        }
        catch (Npgsql.NpgsqlException ex)
        {
            // A database that restarts (fault tests) answers again in a moment.
            return (false, "", "database unavailable: " + ex.Message);
        }
    }

    private async Task WaitAsync(string what, Func<Task<bool>> condition, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > _options.Timeout)
            {
                throw new TimeoutException($"waited {_options.Timeout.TotalMinutes:0} minutes for {what}");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
        }
    }
}
