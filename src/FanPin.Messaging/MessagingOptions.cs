using System.Reflection;
using FanPin.Messaging.Outbox;

namespace FanPin.Messaging;

/// <summary>One service's messaging settings. Defaults suit production; tests shorten the delays.</summary>
public sealed class MessagingOptions
{
    /// <summary>The service's name ("registry", "grading"): prefix of its queue names and the CloudEvents source.</summary>
    public required string ServiceName { get; init; }

    /// <summary>The broker as an amqp:// (or amqps://) URI with credentials and vhost, from <c>ConnectionStrings:messaging</c>.</summary>
    public required Uri BrokerUri { get; init; }

    /// <summary>The outbox relay's settings.</summary>
    public OutboxRelayOptions Relay { get; } = new();

    /// <summary>The bus watchdog's settings.</summary>
    public Hosting.BusWatchdogOptions Watchdog { get; } = new();

    /// <summary>
    /// In-memory retry intervals for transient consumer failures (database deadlock, serialization failure,
    /// timeout, lost connection). After the last one the message goes to the error queue. Non-transient errors
    /// (validation, bugs) go there at once: retrying them only delays the operator.
    /// </summary>
    public IList<TimeSpan> RetryIntervals { get; } =
        [TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15)];

    /// <summary>
    /// Declare the service's queues as quorum queues (replicated across a RabbitMQ cluster; configuration
    /// <c>Messaging:QuorumQueues</c>). Off by default: a single local broker gains nothing from it.
    /// </summary>
    public bool QuorumQueues { get; set; }

    /// <summary>Messages a receive endpoint fetches ahead.</summary>
    public int PrefetchCount { get; set; } = 64;

    /// <summary>
    /// Messages a per-message endpoint handles at once (a batch consumer sets its own). Each one in flight holds a
    /// database connection for its transaction: the default of 8 keeps a service with seven consumers well inside
    /// Npgsql's pool of 100 and five services inside the local PostgreSQL's 400 connections. With MassTransit's default
    /// (the prefetch count, 64) a backlog after a fault test's restarts exhausted PostgreSQL ("too many clients"), and
    /// more concurrent transactions only queued on the same rows on two cores.
    /// </summary>
    public int? ConcurrentMessageLimit { get; set; } = 8;

    /// <summary>Assemblies whose <c>IntegrationEvent</c> records the relay may publish, besides the contracts assembly.</summary>
    public IList<Assembly> EventAssemblies { get; } = [];

    /// <summary>The CloudEvents <c>source</c> of this service's public events.</summary>
    public string PublicSource => $"/fanpin/{ServiceName}";
}
