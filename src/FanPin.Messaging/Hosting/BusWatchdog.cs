using MassTransit;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;

namespace FanPin.Messaging.Hosting;

/// <summary>
/// Watches for the one failure MassTransit 8.4.0 does not heal by itself: when the broker connection dies while
/// messages are being consumed, the failed acknowledgements can leave its connection context un-recycled, and the
/// receive endpoints retry on the dead connection for ever (measured here; the pattern of MassTransit issue #2072).
/// A bus restart inside the process does not clear it. So when the bus stays unhealthy although a fresh AMQP
/// connection to the broker succeeds, the watchdog reports unhealthy and stops the host: the supervisor (AppHost,
/// systemd, Kubernetes) starts it again with a new connection. Nothing is lost: unacknowledged messages are
/// redelivered, the inbox skips what was already processed, and unpublished events wait in the outbox.
/// </summary>
internal sealed class BusWatchdog(
    IBusControl bus,
    MessagingOptions options,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<BusWatchdog> logger) : BackgroundService, IHealthCheck
{
    private DateTimeOffset? _reachableButUnhealthySince;
    private volatile bool _stuck;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var watch = options.Watchdog;
        if (!watch.Enabled)
        {
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(watch.CheckInterval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            if (bus.CheckHealth().Status == BusHealthStatus.Healthy)
            {
                _reachableButUnhealthySince = null;
                continue;
            }
            if (!await BrokerReachableAsync(stoppingToken).ConfigureAwait(false))
            {
                _reachableButUnhealthySince = null; // the broker is down: MassTransit's retries are the right thing
                continue;
            }
            var now = time.GetUtcNow();
            _reachableButUnhealthySince ??= now;
            if (now - _reachableButUnhealthySince < watch.StuckAfter || _stuck)
            {
                continue;
            }
            _stuck = true;
            logger.LogCritical(
                "The message bus has been unhealthy for {Seconds:0} s although the broker accepts connections: MassTransit did not recover its connection. {Action}",
                (now - _reachableButUnhealthySince.Value).TotalSeconds,
                watch.StopApplicationWhenStuck ? "Stopping the service so that its supervisor restarts it." : "Reporting unhealthy.");
            if (watch.StopApplicationWhenStuck)
            {
                lifetime.StopApplication();
            }
        }
    }

    /// <summary>Unhealthy once the bus was found stuck (a restart is the only cure).</summary>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_stuck
            ? new HealthCheckResult(context.Registration.FailureStatus, "The message bus did not recover its broker connection; the service must be restarted.")
            : HealthCheckResult.Healthy());

    private async Task<bool> BrokerReachableAsync(CancellationToken cancellationToken)
    {
        try
        {
            var factory = new ConnectionFactory
            {
                Uri = options.BrokerUri,
                ClientProvidedName = $"{options.ServiceName}-watchdog",
                AutomaticRecoveryEnabled = false,
                RequestedConnectionTimeout = TimeSpan.FromSeconds(3),
            };
            await using var connection = await factory.CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
            await connection.CloseAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is RabbitMQ.Client.Exceptions.BrokerUnreachableException or RabbitMQ.Client.Exceptions.RabbitMQClientException
            or IOException or System.Net.Sockets.SocketException or TimeoutException or OperationCanceledException)
        {
            return false;
        }
    }
}
