using Microsoft.Extensions.Logging;
using RabbitMQ.Client;

namespace FanPin.Messaging.PublicEvents;

/// <summary>
/// Publishes CloudEvents documents to the public exchange with plain RabbitMQ.Client, not MassTransit: the body,
/// content type and routing key must be exactly what a non-.NET subscriber expects, without MassTransit's envelope.
/// Publisher confirms are awaited per message; a broken connection is dropped and reopened on the next publish.
/// </summary>
public sealed class PublicExchangePublisher(MessagingOptions options, ILogger<PublicExchangePublisher> logger) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IConnection? _connection;
    private IChannel? _channel;

    /// <summary>Publishes one document and returns once the broker has confirmed it.</summary>
    public async Task PublishAsync(string routingKey, ReadOnlyMemory<byte> body, string messageId, string type, DateTimeOffset time, CancellationToken cancellationToken)
    {
        var channel = await GetChannelAsync(cancellationToken).ConfigureAwait(false);
        var properties = new BasicProperties
        {
            ContentType = CloudEventFormatter.ContentType,
            DeliveryMode = DeliveryModes.Persistent,
            MessageId = messageId,
            Type = type,
            AppId = options.PublicSource,
            Timestamp = new AmqpTimestamp(time.ToUnixTimeSeconds()),
        };
        try
        {
            await channel.BasicPublishAsync(PublicRouting.Exchange, routingKey, mandatory: false, properties, body, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !channel.IsOpen)
        {
            await ResetAsync(channel).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Declares the exchange (durable topic); idempotent, also done on every (re)connect.</summary>
    public static Task DeclareExchangeAsync(IChannel channel, CancellationToken cancellationToken) =>
        channel.ExchangeDeclareAsync(PublicRouting.Exchange, ExchangeType.Topic, durable: true, autoDelete: false, cancellationToken: cancellationToken);

    private async Task<IChannel> GetChannelAsync(CancellationToken cancellationToken)
    {
        if (_channel is { IsOpen: true } open)
        {
            return open;
        }
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_channel is { IsOpen: true } again)
            {
                return again;
            }
            await CloseAsync().ConfigureAwait(false);
            var factory = new ConnectionFactory
            {
                Uri = options.BrokerUri,
                ClientProvidedName = $"{options.ServiceName}-public-events",
                // Recovery is ours: a failed publish drops the connection and the relay's retry reopens it.
                AutomaticRecoveryEnabled = false,
                RequestedConnectionTimeout = TimeSpan.FromSeconds(5),
            };
            _connection = await factory.CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
            _channel = await _connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
                cancellationToken).ConfigureAwait(false);
            await DeclareExchangeAsync(_channel, cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Connected to the public exchange {Exchange}", PublicRouting.Exchange);
            return _channel;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task ResetAsync(IChannel failed)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (ReferenceEquals(failed, _channel))
            {
                await CloseAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task CloseAsync()
    {
        var channel = _channel;
        var connection = _connection;
        _channel = null;
        _connection = null;
        try
        {
            if (channel is not null)
            {
                await channel.DisposeAsync().ConfigureAwait(false);
            }
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or RabbitMQ.Client.Exceptions.RabbitMQClientException or ObjectDisposedException or OperationCanceledException)
        {
            logger.LogDebug(ex, "Closing a broken public-exchange connection");
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            await CloseAsync().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
        _gate.Dispose();
    }
}
