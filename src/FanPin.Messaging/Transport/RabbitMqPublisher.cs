using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;

namespace FanPin.Messaging.Transport;

/// <summary>
/// The relay's own AMQP connection: publishes a body to an exchange and returns once the broker confirmed it.
/// </summary>
/// <remarks>
/// Why not MassTransit's <c>IBus.Publish</c>: measured here (docs/messaging.md, "Why the relay does not publish
/// through MassTransit"), MassTransit 8.4.0 on RabbitMQ.Client 7.1.2 never recovers its send path when the broker
/// goes down with publishes in flight: the connection context is not recycled, every later publish times out, and
/// the consumers sharing that connection stop too. This publisher keeps no state worth saving: on any failure it
/// drops the connection, and the relay's retry opens a new one.
/// </remarks>
public sealed class RabbitMqPublisher(MessagingOptions options, ILogger<RabbitMqPublisher> logger) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Session? _session;
    private int _next;

    /// <summary>Publishes (persistent, publisher-confirmed), declaring the exchange first if this connection has not.</summary>
    public async Task PublishAsync(string exchange, string exchangeType, string routingKey, BasicProperties properties, ReadOnlyMemory<byte> body,
        CancellationToken cancellationToken)
    {
        var session = await GetSessionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await session.DeclareAsync(exchange, exchangeType, cancellationToken).ConfigureAwait(false);
            var channel = session.Channels[(Interlocked.Increment(ref _next) & int.MaxValue) % session.Channels.Length];
            await channel.BasicPublishAsync(exchange, routingKey, mandatory: false, properties, body, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !session.IsOpen)
        {
            await ResetAsync(session).ConfigureAwait(false);
            throw;
        }
    }

    private async Task<Session> GetSessionAsync(CancellationToken cancellationToken)
    {
        if (_session is { IsOpen: true } open)
        {
            return open;
        }
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_session is { IsOpen: true } again)
            {
                return again;
            }
            if (_session is { } broken)
            {
                _session = null;
                await broken.DisposeAsync(logger).ConfigureAwait(false);
            }
            _session = await Session.OpenAsync(options, cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Outbox relay connected to the broker with {Channels} confirming channels", _session.Channels.Length);
            return _session;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task ResetAsync(Session failed)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!ReferenceEquals(failed, _session))
            {
                return; // another publish already replaced it
            }
            _session = null;
        }
        finally
        {
            _gate.Release();
        }
        await failed.DisposeAsync(logger).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _session, null) is { } session)
        {
            await session.DisposeAsync(logger).ConfigureAwait(false);
        }
        _gate.Dispose();
    }

    /// <summary>One connection, its confirming channels, and the exchanges declared on it.</summary>
    private sealed class Session(IConnection connection, IChannel topology, IChannel[] channels)
    {
        private readonly ConcurrentDictionary<string, Lazy<Task>> _declared = new(StringComparer.Ordinal);

        public IChannel[] Channels { get; } = channels;

        public bool IsOpen => connection.IsOpen && topology.IsOpen && Array.TrueForAll(Channels, c => c.IsOpen);

        public static async Task<Session> OpenAsync(MessagingOptions options, CancellationToken cancellationToken)
        {
            var factory = new ConnectionFactory
            {
                Uri = options.BrokerUri,
                ClientProvidedName = $"{options.ServiceName}-outbox-relay",
                AutomaticRecoveryEnabled = false,
                RequestedConnectionTimeout = TimeSpan.FromSeconds(5),
                RequestedHeartbeat = TimeSpan.FromSeconds(10),
            };
            var connection = await factory.CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var topology = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                var channels = new IChannel[Math.Max(1, options.Relay.PublisherChannels)];
                for (var i = 0; i < channels.Length; i++)
                {
                    channels[i] = await connection.CreateChannelAsync(
                        new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
                        cancellationToken).ConfigureAwait(false);
                }
                return new Session(connection, topology, channels);
            }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        /// <summary>Declares an exchange once per connection (durable, not auto-deleted, no arguments: as MassTransit declares its own).</summary>
        public Task DeclareAsync(string exchange, string type, CancellationToken cancellationToken) =>
            _declared.GetOrAdd(exchange, name => new Lazy<Task>(() =>
                topology.ExchangeDeclareAsync(name, type, durable: true, autoDelete: false, cancellationToken: cancellationToken))).Value;

        public async Task DisposeAsync(ILogger logger)
        {
            try
            {
                foreach (var channel in Channels.Append(topology))
                {
                    await channel.DisposeAsync().ConfigureAwait(false);
                }
                await connection.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or RabbitMQ.Client.Exceptions.RabbitMQClientException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
            {
                logger.LogDebug(ex, "Closing a broken relay connection");
            }
        }
    }
}
