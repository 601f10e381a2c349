namespace FanPin.Messaging.Persistence;

/// <summary>Where an outbox row goes. A public event is written twice, once per destination, so each is retried on its own.</summary>
public enum OutboxDestination : short
{
    /// <summary>The internal MassTransit bus (exchange per event type).</summary>
    Bus = 0,

    /// <summary>The public <c>fanpin.events</c> topic exchange, as a CloudEvents document.</summary>
    PublicExchange = 1,
}

/// <summary>
/// One event waiting to be published (or published, until pruned). Written by <c>AddIntegrationEvent</c> in the
/// same transaction as the state change it reports; read only by the relay.
/// </summary>
public sealed class OutboxMessage
{
    /// <summary>Insertion order; the relay publishes each partition in this order.</summary>
    public long Id { get; set; }

    public Guid EventId { get; set; }

    /// <summary>The event's CLR full name (see <see cref="Serialization.IntegrationEventTypes"/>).</summary>
    public string EventType { get; set; } = "";

    public OutboxDestination Destination { get; set; }

    /// <summary>Ordering key: the household id, or the region code for events without a household.</summary>
    public string PartitionKey { get; set; } = "";

    /// <summary>Topic routing key for <see cref="OutboxDestination.PublicExchange"/> rows.</summary>
    public string? RoutingKey { get; set; }

    /// <summary>The event as JSON (<see cref="Serialization.EventJson"/>).</summary>
    public string Payload { get; set; } = "";

    public Guid CorrelationId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Failed publish attempts so far.</summary>
    public int Attempts { get; set; }

    /// <summary>Not claimed before this time (backoff after a failure).</summary>
    public DateTimeOffset NextAttemptAt { get; set; }

    /// <summary>Set when the broker confirmed the publish; published rows are pruned after the retention period.</summary>
    public DateTimeOffset? PublishedAt { get; set; }

    public string? LastError { get; set; }
}

/// <summary>A consumer's record that it has processed an event (written in the transaction of its side effects).</summary>
public sealed class InboxMessage
{
    public string Consumer { get; set; } = "";

    public Guid EventId { get; set; }

    public DateTimeOffset ProcessedAt { get; set; }
}
