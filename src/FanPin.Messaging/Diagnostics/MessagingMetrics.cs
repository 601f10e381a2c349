using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace FanPin.Messaging.Diagnostics;

/// <summary>
/// The Meter "FanPin.Messaging" (picked up by ServiceDefaults' "FanPin.*" telemetry). What an operator watches:
/// the outbox backlog and its oldest row's age (the relay is stuck or the broker is down when these grow),
/// publish lag, failures, and the inbox's duplicate count (redeliveries that were skipped).
/// </summary>
public static class MessagingMetrics
{
    public const string MeterName = "FanPin.Messaging";

    private static readonly Meter Meter = new(MeterName, "1.0");
    private static readonly ConcurrentDictionary<string, BacklogSnapshot> Backlogs = new(StringComparer.Ordinal);

    /// <summary>Events the broker confirmed, by service and destination.</summary>
    public static readonly Counter<long> Published = Meter.CreateCounter<long>(
        "fanpin.messaging.outbox.published", "{event}", "Outbox rows published and confirmed by the broker");

    /// <summary>Failed publish attempts (each is retried with backoff).</summary>
    public static readonly Counter<long> PublishFailures = Meter.CreateCounter<long>(
        "fanpin.messaging.outbox.publish_failures", "{event}", "Outbox publish attempts that failed and will be retried");

    /// <summary>Seconds from the outbox insert to the broker's confirm.</summary>
    public static readonly Histogram<double> Lag = Meter.CreateHistogram<double>(
        "fanpin.messaging.outbox.lag", "s", "Time from the outbox insert to the confirmed publish");

    /// <summary>Published rows deleted after the retention period.</summary>
    public static readonly Counter<long> Pruned = Meter.CreateCounter<long>(
        "fanpin.messaging.outbox.pruned", "{row}", "Published outbox rows and old inbox rows deleted");

    /// <summary>Events a consumer processed (side effects committed).</summary>
    public static readonly Counter<long> Processed = Meter.CreateCounter<long>(
        "fanpin.messaging.inbox.processed", "{event}", "Events processed by idempotent consumers");

    /// <summary>Redeliveries a consumer acknowledged without processing (already in its inbox).</summary>
    public static readonly Counter<long> Duplicates = Meter.CreateCounter<long>(
        "fanpin.messaging.inbox.duplicates", "{event}", "Duplicate deliveries skipped by idempotent consumers");

    static MessagingMetrics()
    {
        Meter.CreateObservableGauge("fanpin.messaging.outbox.backlog",
            () => Backlogs.Select(b => new Measurement<long>(b.Value.Pending, new KeyValuePair<string, object?>("service", b.Key))),
            "{event}", "Outbox rows not yet published");
        Meter.CreateObservableGauge("fanpin.messaging.outbox.oldest_pending_age",
            () => Backlogs.Select(b => new Measurement<double>(b.Value.OldestAge(DateTimeOffset.UtcNow).TotalSeconds, new KeyValuePair<string, object?>("service", b.Key))),
            "s", "Age of the oldest unpublished outbox row");
    }

    /// <summary>Records the latest backlog measurement of a service's outbox.</summary>
    public static void ReportBacklog(string service, long pending, DateTimeOffset? oldestCreatedAt) =>
        Backlogs[service] = new BacklogSnapshot(pending, oldestCreatedAt);

    /// <summary>The latest backlog measurement, if any (for health checks and tests).</summary>
    public static BacklogSnapshot? BacklogOf(string service) => Backlogs.TryGetValue(service, out var b) ? b : null;

    internal static TagList Tags(string service, string destination) => new() { { "service", service }, { "destination", destination } };
}

/// <summary>A service's outbox backlog at one moment.</summary>
public sealed record BacklogSnapshot(long Pending, DateTimeOffset? OldestCreatedAt)
{
    public TimeSpan OldestAge(DateTimeOffset now) => OldestCreatedAt is { } oldest && now > oldest ? now - oldest : TimeSpan.Zero;
}
