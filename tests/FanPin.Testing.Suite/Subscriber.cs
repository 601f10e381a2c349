using System.Collections.Concurrent;
using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace FanPin.Testing.Suite;

/// <summary>One message a subscriber received: routing key, AMQP properties and the JSON body.</summary>
public sealed record Received(string Exchange, string RoutingKey, string? ContentType, string? MessageId, string? Type, string? AppId, JsonElement Body);

/// <summary>
/// A downstream subscriber with plain RabbitMQ.Client (no FanPin code): its own queue bound to an exchange with the
/// given keys, collecting everything that arrives. For the public stream, bind before relying on it (the exchange
/// keeps nothing for a queue that does not exist yet).
/// </summary>
public sealed class Subscriber : IAsyncDisposable
{
    private readonly IConnection _connection;
    private readonly IChannel _channel;
    private readonly ConcurrentQueue<Received> _received = new();

    private Subscriber(IConnection connection, IChannel channel)
    {
        _connection = connection;
        _channel = channel;
    }

    /// <summary>Everything received so far.</summary>
    public IReadOnlyList<Received> Messages => [.. _received];

    /// <summary>A subscriber on the public topic exchange <c>fanpin.events</c> with these binding keys.</summary>
    public static Task<Subscriber> PublicAsync(Uri broker, params string[] bindingKeys) =>
        BindAsync(broker, "fanpin.events", ExchangeType.Topic, bindingKeys);

    private static async Task<Subscriber> BindAsync(Uri broker, string exchange, string type, string[] keys)
    {
        var connection = await new ConnectionFactory { Uri = broker }.CreateConnectionAsync();
        var channel = await connection.CreateChannelAsync();
        // Declared as the publishers declare it (durable, not auto-deleted), so whoever comes first wins alike.
        await channel.ExchangeDeclareAsync(exchange, type, durable: true, autoDelete: false);
        var queue = (await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true)).QueueName;
        foreach (var key in keys)
        {
            await channel.QueueBindAsync(queue, exchange, key);
        }
        var subscriber = new Subscriber(connection, channel);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            using var document = JsonDocument.Parse(delivery.Body);
            subscriber._received.Enqueue(new Received(delivery.Exchange, delivery.RoutingKey, delivery.BasicProperties.ContentType,
                delivery.BasicProperties.MessageId, delivery.BasicProperties.Type, delivery.BasicProperties.AppId, document.RootElement.Clone()));
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(queue, autoAck: true, consumer);
        return subscriber;
    }

    public async ValueTask DisposeAsync()
    {
        await _channel.CloseAsync();
        await _connection.CloseAsync();
        _channel.Dispose();
        _connection.Dispose();
    }
}
