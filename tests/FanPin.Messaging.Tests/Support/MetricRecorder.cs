using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using FanPin.Messaging.Diagnostics;

namespace FanPin.Messaging.Tests.Support;

/// <summary>Sums the FanPin.Messaging counters, by instrument and one tag value (test classes run in parallel, each with its own names).</summary>
internal sealed class MetricRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string Instrument, string Tag), long> _sums = new();

    public MetricRecorder()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MessagingMetrics.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key is "service" or "consumer" or "endpoint" && tag.Value is string v)
                {
                    _sums.AddOrUpdate((instrument.Name, v), value, (_, sum) => sum + value);
                }
            }
        });
        _listener.Start();
    }

    /// <summary>The sum of a counter for one service, consumer or endpoint (queue) name.</summary>
    public long Sum(string instrument, string tagValue) => _sums.GetValueOrDefault((instrument, tagValue));

    public void Dispose() => _listener.Dispose();
}
