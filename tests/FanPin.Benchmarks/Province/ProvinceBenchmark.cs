using System.Globalization;
using FanPin.Testing.Suite;

namespace FanPin.Benchmarks.Province;

/// <summary>
/// Issue 11: a province of ≈ 1,000,000 feed rows end to end through the whole suite (the AppHost as a child process):
/// registry import, feed import, signals, grades, warning events at a downstream subscriber, with the time of each
/// stage, the counts, the peak memory of every service and server, and the reconciliation of the fault test (here
/// without faults, as a sanity check). Target: feed → warning events ≤ 5 minutes.
/// </summary>
public sealed class ProvinceBenchmark : IBenchmark
{
    public string Name => "province";

    public string Description => "Province end to end: ≈1,000,000 feed rows → signals → grades → warning events, per stage; memory of each service";

    public async Task<int> RunAsync(BenchmarkArguments arguments, CancellationToken cancellationToken)
    {
        var options = new ProvinceIngestOptions
        {
            Households = arguments.GetInt("households", ProvinceIngestOptions.MillionRowHouseholds),
            Seed = arguments.GetInt("seed", 20261124),
            EndMonth = arguments.Get("end-month") ?? "2026-10",
            Timeout = TimeSpan.FromMinutes(arguments.GetInt("timeout-minutes", 30)),
            Live = arguments.Has("live"),
        };
        var loadBefore = File.ReadAllText("/proc/loadavg").Trim();
        Console.WriteLine($"province benchmark: {Machine()}; load before: {loadBefore}; {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; feeds sent {(options.Live ? "live (--live)" : "as a back-fill")}");
        await using var suite = await SuiteProcess.StartAsync();
        Console.WriteLine($"suite ready in {suite.StartTime.TotalSeconds:F1} s");
        ProvinceIngestResult result;
        IReadOnlyList<ResourceUsage> memory;
        await using (var sampler = new ResourceSampler(suite))
        {
            try
            {
                result = await new ProvinceIngest(suite, options).RunAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                Console.WriteLine("interrupted");
                return 130;
            }
            await sampler.SampleAsync(cancellationToken);
            memory = sampler.Snapshot();
        }
        var loadAfter = File.ReadAllText("/proc/loadavg").Trim();
        Print(result, memory);
        var notApplied = suite.Lines("not applied (acknowledged)");
        Console.WriteLine($"assistance: {notApplied.Count} warning events logged as not applied{(notApplied.Count > 0 ? ", e.g. " + notApplied[0] : "")}");
        Console.WriteLine($"load after: {loadAfter}");
        return result.Quiescent && result.Reconciliation.Agrees ? 0 : 1;
    }

    private static void Print(ProvinceIngestResult r, IReadOnlyList<ResourceUsage> memory)
    {
        var t = r.Times;
        string At(DateTimeOffset? at) => at is { } x ? ((x - t.Start).TotalSeconds).ToString("F1", CultureInfo.InvariantCulture) : "-";
        string Took(DateTimeOffset? from, DateTimeOffset? to) => from is { } f && to is { } e ? ((e - f).TotalSeconds).ToString("F1", CultureInfo.InvariantCulture) : "-";
        var g = r.Generated;
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"province: seed {g.Seed}, {g.Households:N0} households ({r.HouseholdsAccepted:N0} accepted), {g.Members:N0} members, {g.FeedRows:N0} feed rows in {g.Feeds} feeds; datagen {r.GenerationTime.TotalSeconds:F1} s (not counted)"));
        Console.WriteLine();
        Console.WriteLine("| stage | ends at (s) | took (s) |");
        Console.WriteLine("| --- | ---: | ---: |");
        Console.WriteLine($"| registry import (regions + households) | {At(t.RegistryImported)} | {Took(t.Start, t.RegistryImported)} |");
        Console.WriteLine($"| monitoring and grading learn the households (registry events) | {At(t.HouseholdsKnown)} | {Took(t.RegistryImported, t.HouseholdsKnown)} |");
        Console.WriteLine($"| feed import (every row committed in monitoring) | {At(t.FeedsImported)} | {Took(t.HouseholdsKnown, t.FeedsImported)} |");
        Console.WriteLine($"| signals (last RiskSignalsDetected published) | {At(t.LastSignalsPublished)} | {Took(t.FeedsImported, t.LastSignalsPublished)} |");
        Console.WriteLine($"| grades (last warning log entry) | {At(t.LastWarningLogged)} | {Took(t.LastSignalsPublished, t.LastWarningLogged)} |");
        Console.WriteLine($"| warning events (subscriber's last receipt) | {At(t.LastEventReceived)} | {Took(t.LastWarningLogged, t.LastEventReceived)} |");
        Console.WriteLine($"| quiescent (every outbox and inbox agrees) | {At(t.Quiescent)} | {Took(t.LastEventReceived, t.Quiescent)} |");
        var feedToEvents = (t.LastEventReceived ?? t.Quiescent) - t.HouseholdsKnown;
        var importTime = t.FeedsImported - t.HouseholdsKnown;
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"feed -> warning events: {feedToEvents.TotalSeconds:F1} s for {g.FeedRows:N0} rows = {g.FeedRows / feedToEvents.TotalSeconds:N0} rows/s end to end; feed import alone {g.FeedRows / importTime.TotalSeconds:N0} rows/s; whole run from the registry import {((t.LastEventReceived ?? t.Quiescent) - t.Start).TotalSeconds:F1} s"));
        Console.WriteLine($"target feed -> warning events <= 5 min: {(feedToEvents <= TimeSpan.FromMinutes(5) ? "MET" : "NOT MET")}");
        var c = r.Counts;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"counts: feed rows received {c.FeedRowsReceived:N0}, applied {c.RowsApplied:N0}, unchanged {c.RowsUnchanged:N0}, refused {c.RowsRefused:N0}; households evaluated {c.HouseholdsEvaluated:N0}; RiskSignalsDetected {c.RiskSignalsDetected:N0}; warnings raised {c.WarningsRaised:N0}, grade changed {c.WarningsGradeChanged:N0}, escalated {c.WarningsEscalated:N0}, cleared {c.WarningsCleared:N0} (open {c.OpenWarnings:N0}); events received {c.EventsReceived:N0} distinct, {c.Deliveries:N0} deliveries; import retries {r.ImportRetries}"));
        Console.WriteLine();
        Console.WriteLine("| resource | peak RSS (VmHWM, MiB) | largest sampled RSS (MiB) | RSS at end (MiB) | CPU (s) |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
        foreach (var m in memory)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {m.Name} | {m.PeakKiB / 1024.0:F0} | {m.MaxSampledRssKiB / 1024.0:F0} | {m.LastRssKiB / 1024.0:F0} | {m.Cpu.TotalSeconds:F0} |"));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"CPU of the resources in all: {memory.Aggregate(TimeSpan.Zero, (sum, m) => sum + m.Cpu).TotalSeconds:F0} s (the CLI's import processes and this runner not included)"));
        Console.WriteLine();
        Console.WriteLine(r.Quiescent ? "quiescent: yes" : "quiescent: NO (timed out)");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"reconciliation: {(r.Reconciliation.Agrees ? "AGREES" : "DISAGREES")} ({r.Reconciliation.LogEntries:N0} log entries, {r.Reconciliation.HouseholdsCompared:N0} households' signals compared, {r.Reconciliation.RawDuplicates:N0} raw duplicate deliveries)"));
        if (!r.Reconciliation.Agrees)
        {
            Console.WriteLine(r.Reconciliation.Describe());
        }
    }

    private static string Machine()
    {
        var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?";
        var memory = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal", StringComparison.Ordinal)).Split(':', 2)[1].Trim();
        return $"{Environment.ProcessorCount} cores ({cpu}), {memory} RAM";
    }
}
