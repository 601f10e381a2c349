using FanPin.Messaging.Persistence;

namespace FanPin.Messaging.Outbox;

/// <summary>A claimed outbox row, as the relay hands it to a publisher.</summary>
public sealed record OutboxRecord(
    long Id,
    Guid EventId,
    string EventType,
    OutboxDestination Destination,
    string PartitionKey,
    string? RoutingKey,
    string Payload,
    Guid CorrelationId,
    DateTimeOffset CreatedAt,
    int Attempts);

/// <summary>Publishes one outbox row and returns once the broker confirmed it (or throws).</summary>
public interface IOutboxPublisher
{
    Task PublishAsync(OutboxRecord record, CancellationToken cancellationToken);
}
