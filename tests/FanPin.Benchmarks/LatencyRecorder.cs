using System.Diagnostics;

namespace FanPin.Benchmarks;

/// <summary>Per-caller latency samples (no locks on the hot path), merged for percentiles at the end.</summary>
public sealed class LatencyRecorder(int callers)
{
    private readonly List<long>[] _samples = Enumerable.Range(0, callers).Select(_ => new List<long>(1 << 16)).ToArray();

    public void Record(int caller, long elapsedTicks) => _samples[caller].Add(elapsedTicks);

    public BenchmarkResult Summarize(string pair, TimeSpan duration)
    {
        var all = _samples.SelectMany(s => s).ToArray();
        Array.Sort(all);
        double Percentile(double p) => all.Length == 0 ? double.NaN : all[Math.Min(all.Length - 1, (int)(p * all.Length))] * 1000.0 / Stopwatch.Frequency;
        return new BenchmarkResult(pair, all.Length, all.Length / duration.TotalSeconds, Percentile(0.50), Percentile(0.99));
    }
}

/// <summary>Calls per second and latency percentiles (ms) of one client/server pair.</summary>
public sealed record BenchmarkResult(string Pair, long Calls, double CallsPerSecond, double P50Ms, double P99Ms);
