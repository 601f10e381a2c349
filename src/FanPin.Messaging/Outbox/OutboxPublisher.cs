using System.Text.Json;
using FanPin.IntegrationEvents;
using FanPin.Messaging.Hosting;
using FanPin.Messaging.Persistence;
using FanPin.Messaging.PublicEvents;
using FanPin.Messaging.Serialization;
using FanPin.Messaging.Transport;
using RabbitMQ.Client;

namespace FanPin.Messaging.Outbox;

/// <summary>
/// The relay's default publisher. Bus rows go to MassTransit's exchange for the event type, in MassTransit's
/// envelope, so MassTransit consumers receive them as if <c>IBus.Publish</c> had sent them; public rows go to
/// <c>fanpin.events</c> as CloudEvents. Both through <see cref="RabbitMqPublisher"/> with publisher confirms.
/// </summary>
internal sealed class OutboxPublisher(RabbitMqPublisher publisher, IntegrationEventTypes types, MessagingOptions options, TimeProvider time) : IOutboxPublisher
{
    private readonly BrokerAddress _broker = BrokerAddress.Parse(options.BrokerUri);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Uri> _addresses = new(StringComparer.Ordinal);

    public Task PublishAsync(OutboxRecord record, CancellationToken cancellationToken)
    {
        var type = types.Resolve(record.EventType);
        return record.Destination switch
        {
            OutboxDestination.Bus => PublishToBusAsync(record, type, cancellationToken),
            OutboxDestination.PublicExchange => PublishPublicAsync(record, type, cancellationToken),
            _ => throw new InvalidOperationException($"Outbox row {record.Id} has an unknown destination {record.Destination}."),
        };
    }

    private Task PublishToBusAsync(OutboxRecord record, Type type, CancellationToken cancellationToken)
    {
        var exchange = MassTransitEnvelope.ExchangeOf(type);
        var body = MassTransitEnvelope.Serialize(record.Payload, type, record.EventId, record.CorrelationId,
            Address($"{options.ServiceName}-outbox"), Address(exchange), time.GetUtcNow());
        var properties = new BasicProperties
        {
            ContentType = MassTransitEnvelope.ContentType,
            DeliveryMode = DeliveryModes.Persistent,
            MessageId = record.EventId.ToString("D"),
        };
        return publisher.PublishAsync(exchange, ExchangeType.Fanout, "", properties, body, cancellationToken);
    }

    /// <summary>Envelope addresses, built once per exchange (a Uri per row was a measurable share of the relay's CPU).</summary>
    private Uri Address(string entity) => _addresses.GetOrAdd(entity, _broker.MassTransitAddress);

    private Task PublishPublicAsync(OutboxRecord record, Type type, CancellationToken cancellationToken)
    {
        // Public rows are few: the event is read back to build the CloudEvents envelope (subject, time, region).
        var integrationEvent = (IntegrationEvent)(JsonSerializer.Deserialize(record.Payload, type, EventJson.Options)
            ?? throw new InvalidOperationException($"Outbox row {record.Id} has an empty payload."));
        var info = IntegrationEventTypes.PublicEventOf(type)
            ?? throw new InvalidOperationException($"Outbox row {record.Id}: {type.Name} is not a public event.");
        var body = CloudEventFormatter.Serialize(integrationEvent, info, options.PublicSource);
        var properties = new BasicProperties
        {
            ContentType = CloudEventFormatter.ContentType,
            DeliveryMode = DeliveryModes.Persistent,
            MessageId = integrationEvent.EventId.ToString("D"),
            Type = info.CloudEventType,
            AppId = options.PublicSource,
            Timestamp = new AmqpTimestamp(integrationEvent.OccurredAt.ToUnixTimeSeconds()),
        };
        return publisher.PublishAsync(PublicRouting.Exchange, ExchangeType.Topic,
            record.RoutingKey ?? throw new InvalidOperationException($"Outbox row {record.Id} has no routing key."),
            properties, body, cancellationToken);
    }
}
