using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using FanPin.Messaging.Diagnostics;

namespace FanPin.Testing;

/// <summary>Counts the inbox outcomes (processed, duplicate) of one consumer, from the FanPin.Messaging meter.</summary>
public sealed class InboxCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _counts = new();

    /// <summary>Starts counting for <paramref name="consumer"/>.</summary>
    public InboxCounter(string consumer)
    {
        // Initialize the meter's instruments first: the publish callback below compares with them, and would see
        // nulls if the instruments were created (inside the static initializer) after the listener started.
        _ = MessagingMetrics.Processed;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MessagingMetrics.MeterName && (instrument == MessagingMetrics.Processed || instrument == MessagingMetrics.Duplicates))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "consumer" && Equals(tag.Value, consumer))
                {
                    _counts.AddOrUpdate(instrument.Name, value, (_, sum) => sum + value);
                }
            }
        });
        _listener.Start();
    }

    /// <summary>Processed deliveries.</summary>
    public long Processed => _counts.GetValueOrDefault(MessagingMetrics.Processed.Name);

    /// <summary>Duplicates acknowledged.</summary>
    public long Duplicates => _counts.GetValueOrDefault(MessagingMetrics.Duplicates.Name);

    /// <inheritdoc />
    public void Dispose() => _listener.Dispose();
}
