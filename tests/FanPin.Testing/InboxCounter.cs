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
        : this("consumer", consumer)
    {
    }

    /// <summary>
    /// Starts counting for the receive endpoint (queue) <paramref name="endpoint"/>: where tests run in parallel and
    /// other hosts consume the same events under the same consumer name.
    /// </summary>
    public static InboxCounter ForEndpoint(string endpoint) => new("endpoint", endpoint);

    private InboxCounter(string tagKey, string tagValue)
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
                if (tag.Key == tagKey && Equals(tag.Value, tagValue))
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
