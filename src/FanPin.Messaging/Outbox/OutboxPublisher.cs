using System.Text.Json;
using FanPin.IntegrationEvents;
using FanPin.Messaging.Persistence;
using FanPin.Messaging.PublicEvents;
using FanPin.Messaging.Serialization;
using MassTransit;

namespace FanPin.Messaging.Outbox;

/// <summary>
/// The relay's default publisher: bus rows through MassTransit (publisher confirms on, so the task completes on
/// the broker's ack), public rows as CloudEvents through <see cref="PublicExchangePublisher"/>.
/// </summary>
internal sealed class OutboxPublisher(IBus bus, PublicExchangePublisher publicExchange, IntegrationEventTypes types, MessagingOptions options) : IOutboxPublisher
{
    /// <summary>Header naming the event's region on the internal bus (for tracing and ad-hoc inspection).</summary>
    public const string RegionHeader = "FanPin-RegionCode";

    public async Task PublishAsync(OutboxRecord record, CancellationToken cancellationToken)
    {
        var type = types.Resolve(record.EventType);
        var integrationEvent = (IntegrationEvent)(JsonSerializer.Deserialize(record.Payload, type, EventJson.Options)
            ?? throw new InvalidOperationException($"Outbox row {record.Id} has an empty payload."));
        switch (record.Destination)
        {
            case OutboxDestination.Bus:
                await bus.Publish(integrationEvent, type, Pipe.Execute<PublishContext>(context =>
                {
                    // The event id is the message id: consumers and the error queue show the same id as the outbox.
                    context.MessageId = integrationEvent.EventId;
                    context.CorrelationId = integrationEvent.CorrelationId == Guid.Empty ? null : integrationEvent.CorrelationId;
                    context.Durable = true;
                    context.Headers.Set(RegionHeader, integrationEvent.RegionCode);
                }), cancellationToken).ConfigureAwait(false);
                break;
            case OutboxDestination.PublicExchange:
                var info = IntegrationEventTypes.PublicEventOf(type)
                    ?? throw new InvalidOperationException($"Outbox row {record.Id}: {type.Name} is not a public event.");
                var body = CloudEventFormatter.Serialize(integrationEvent, info, options.PublicSource);
                await publicExchange.PublishAsync(record.RoutingKey ?? throw new InvalidOperationException($"Outbox row {record.Id} has no routing key."),
                    body, integrationEvent.EventId.ToString("D"), info.CloudEventType, integrationEvent.OccurredAt, cancellationToken).ConfigureAwait(false);
                break;
            default:
                throw new InvalidOperationException($"Outbox row {record.Id} has an unknown destination {record.Destination}.");
        }
    }
}
