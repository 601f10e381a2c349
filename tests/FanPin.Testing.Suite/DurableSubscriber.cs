using System.Collections.Concurrent;
using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace FanPin.Testing.Suite;

/// <summary>One delivery to a <see cref="DurableSubscriber"/>: the CloudEvent, its routing key and when it arrived.</summary>
public sealed record Delivery(string RoutingKey, string Id, string Type, JsonElement Event, DateTimeOffset ReceivedAt, bool Redelivered);

/// <summary>
/// A downstream subscriber as docs/messaging.md §6 tells one to write it, with plain RabbitMQ.Client: its own durable
/// queue on <c>fanpin.events</c>, manual acks after the message is stored, automatic connection and consumer recovery.
/// So it survives a broker restart without losing what was routed to it; at-least-once delivery may hand it a message
/// twice (every delivery is kept: callers count duplicates and deduplicate on the CloudEvent id).
/// </summary>
public sealed class DurableSubscriber : IAsyncDisposable
{
    private readonly IConnection _connection;
    private readonly IChannel _channel;
    private readonly string _queue;
    private readonly ConcurrentQueue<Delivery> _deliveries = new();

    private DurableSubscriber(IConnection connection, IChannel channel, string queue)
    {
        _connection = connection;
        _channel = channel;
        _queue = queue;
    }

    /// <summary>Every delivery so far, duplicates included.</summary>
    public IReadOnlyList<Delivery> Deliveries => [.. _deliveries];

    /// <summary>How many deliveries arrived so far.</summary>
    public int Count => _deliveries.Count;

    /// <summary>Binds a new durable queue to <c>fanpin.events</c> with <paramref name="bindingKeys"/> and starts consuming.</summary>
    public static async Task<DurableSubscriber> BindAsync(Uri broker, params string[] bindingKeys)
    {
        var factory = new ConnectionFactory
        {
            Uri = broker,
            AutomaticRecoveryEnabled = true,
            TopologyRecoveryEnabled = true,
            NetworkRecoveryInterval = TimeSpan.FromSeconds(1),
            ClientProvidedName = "fanpin-province-subscriber",
        };
        var connection = await factory.CreateConnectionAsync();
        var channel = await connection.CreateChannelAsync();
        await channel.ExchangeDeclareAsync("fanpin.events", ExchangeType.Topic, durable: true, autoDelete: false);
        var queue = $"province-subscriber-{Guid.NewGuid():N}";
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
        foreach (var key in bindingKeys)
        {
            await channel.QueueBindAsync(queue, "fanpin.events", key);
        }
        await channel.BasicQosAsync(0, 500, global: false);
        var subscriber = new DurableSubscriber(connection, channel, queue);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            using (var document = JsonDocument.Parse(delivery.Body))
            {
                var root = document.RootElement;
                subscriber._deliveries.Enqueue(new Delivery(delivery.RoutingKey, root.GetProperty("id").GetString() ?? "", root.GetProperty("type").GetString() ?? "",
                    root.Clone(), DateTimeOffset.UtcNow, delivery.Redelivered));
            }
            // Stored first, acknowledged second: a broker that dies in between redelivers (a duplicate, never a loss).
            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
        };
        await channel.BasicConsumeAsync(queue, autoAck: false, consumer);
        return subscriber;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _channel.QueueDeleteAsync(_queue);
            await _channel.CloseAsync();
            await _connection.CloseAsync();
        }
        catch (Exception ex) when (ex is RabbitMQ.Client.Exceptions.AlreadyClosedException or RabbitMQ.Client.Exceptions.OperationInterruptedException or IOException)
        {
            // the broker is gone already (the suite stopped first); the queue went with its state folder
        }
        _channel.Dispose();
        _connection.Dispose();
    }
}
