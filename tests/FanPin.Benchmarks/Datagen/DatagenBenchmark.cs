using System.Diagnostics;
using System.Globalization;
using FanPin.Cli.Datagen;

namespace FanPin.Benchmarks.Datagen;

/// <summary>
/// <c>datagen</c>: the synthetic province generator (docs/datagen.md) writing 1,000,000 households of every Gansu county
/// with 12 months of feeds to CSV, as <c>fanpin datagen</c> does. Options: <c>--households N</c> (1,000,000),
/// <c>--seed N</c> (1), <c>--output DIR</c> (a temporary directory, deleted afterwards unless <c>--keep</c>).
/// </summary>
public sealed class DatagenBenchmark : IBenchmark
{
    public string Name => "datagen";

    public string Description => "Synthetic province: 1,000,000 households with 12 months of department feeds to CSV (fanpin datagen)";

    public async Task<int> RunAsync(BenchmarkArguments arguments, CancellationToken cancellationToken)
    {
        var households = arguments.GetInt("households", 1_000_000);
        var seed = arguments.GetInt("seed", 1);
        var output = arguments.Get("output") ?? Path.Combine(Path.GetTempPath(), "fanpin-datagen-bench-" + Guid.NewGuid().ToString("N"));
        // A fixed end month: the figures and files do not depend on the day of the run.
        var settings = new DatagenSettings(seed, households, "62", null, 12, Month.Of(2026, 10));
        var load = File.Exists("/proc/loadavg") ? (await File.ReadAllTextAsync("/proc/loadavg", cancellationToken)).Split(' ')[0] : "n/a";
        Console.WriteLine($"datagen: {households:N0} households, seed {seed} -> {output} (load average {load})");
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var summary = await DatagenRunner.WriteFilesAsync(settings, output, null, cancellationToken);
        watch.Stop();
        process.Refresh();
        var bytes = Directory.EnumerateFiles(output, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            wrote {summary.Regions:N0} regions, {summary.Households:N0} households, {summary.Members:N0} members, {summary.FeedRows:N0} feed rows in {summary.Feeds.Count} files, {bytes / 1048576.0:N0} MiB
            wall {watch.Elapsed.TotalSeconds:F2} s, {summary.Households / watch.Elapsed.TotalSeconds:N0} households/s, CPU {(process.TotalProcessorTime - cpuBefore).TotalSeconds:F2} s, peak working set {process.PeakWorkingSet64 / 1048576.0:N0} MiB
            target ≤ 120 s for 1,000,000 households: {(households >= 1_000_000 ? (watch.Elapsed.TotalSeconds <= 120 ? "met" : "NOT met") : "n/a (fewer households)")}
            """));
        if (!arguments.Has("keep"))
        {
            Directory.Delete(output, recursive: true);
        }
        return 0;
    }
}
