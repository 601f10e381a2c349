using System.Collections.Concurrent;
using System.Diagnostics;

namespace FanPin.Benchmarks.Messaging;

/// <summary>Commit and consume timestamps per event id (one process, one clock).</summary>
public sealed class LatencyRecorder
{
    private readonly ConcurrentDictionary<Guid, long> _committed = new();
    private readonly ConcurrentBag<double> _latenciesMs = [];
    private long _consumed;

    public long ConsumedCount => Interlocked.Read(ref _consumed);

    public void Committed(Guid eventId) => _committed[eventId] = Stopwatch.GetTimestamp();

    public void Consumed(Guid eventId)
    {
        Interlocked.Increment(ref _consumed);
        if (_committed.TryRemove(eventId, out var committed))
        {
            _latenciesMs.Add(Stopwatch.GetElapsedTime(committed).TotalMilliseconds);
        }
    }

    public void Reset()
    {
        _committed.Clear();
        _latenciesMs.Clear();
        Interlocked.Exchange(ref _consumed, 0);
    }

    public (double P50, double P99, double Max, int Count) Percentiles()
    {
        var sorted = _latenciesMs.Order().ToArray();
        if (sorted.Length == 0)
        {
            return (0, 0, 0, 0);
        }
        double At(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        return (At(0.50), At(0.99), sorted[^1], sorted.Length);
    }
}
