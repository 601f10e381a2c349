using FanPin.Messaging.Diagnostics;
using FanPin.Messaging.Persistence;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace FanPin.Messaging.Outbox;

/// <summary>
/// Runs the relay: <see cref="OutboxRelayOptions.Workers"/> claim loops woken when this process commits outbox rows
/// (<see cref="OutboxCommitInterceptor"/>) or when a NOTIFY on <c>fanpin_outbox</c> arrives (other writers), with
/// polling as the fallback, plus backlog gauges and pruning.
/// </summary>
internal sealed class OutboxRelayService<TContext>(
    OutboxRelay<TContext> relay,
    IBusControl bus,
    RelaySignal signal,
    IServiceScopeFactory scopes,
    MessagingOptions options,
    TimeProvider time,
    ILogger<OutboxRelayService<TContext>> logger) : BackgroundService
    where TContext : DbContext
{
    private readonly RelaySignal _signal = signal;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Relay.Enabled)
        {
            logger.LogInformation("Outbox relay disabled for {Service}", options.ServiceName);
            return;
        }
        // Yield first: the host starts the other hosted services (the bus among them) while the relay warms up.
        await Task.Yield();
        await WaitForBusAsync(stoppingToken).ConfigureAwait(false);
        var loops = new List<Task> { ListenAsync(stoppingToken), MaintainAsync(stoppingToken) };
        for (var i = 0; i < Math.Max(1, options.Relay.Workers); i++)
        {
            loops.Add(WorkAsync(stoppingToken));
        }
        await Task.WhenAll(loops).ConfigureAwait(false);
    }

    /// <summary>
    /// Waits (bounded) until the bus has started its receive endpoints. An event published before this process's
    /// own queues are bound would be routed nowhere; after the bound the relay starts anyway and failed publishes
    /// are retried as usual.
    /// </summary>
    private async Task WaitForBusAsync(CancellationToken stoppingToken)
    {
        var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(30);
        while (!stoppingToken.IsCancellationRequested && time.GetUtcNow() < deadline)
        {
            if (bus.CheckHealth().Status == BusHealthStatus.Healthy)
            {
                return;
            }
            await Delay(TimeSpan.FromMilliseconds(100), stoppingToken).ConfigureAwait(false);
        }
        logger.LogWarning("The bus is not healthy yet; the outbox relay starts anyway and retries failed publishes");
    }

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        var errors = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var wake = _signal.Next;
            try
            {
                var result = await relay.RunBatchAsync(stoppingToken).ConfigureAwait(false);
                errors = 0;
                if (result.Published > 0)
                {
                    continue; // more may be due (a full batch, or rows that waited behind this batch's partitions)
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The database is unreachable or the claim failed: nothing was marked, nothing is lost. Back off.
                errors++;
                logger.LogError(ex, "Outbox relay batch failed ({Errors} in a row)", errors);
                await Delay(OutboxBackoff.Delay(errors, options.Relay.PollInterval, options.Relay.RetryMaxDelay, Random.Shared.NextDouble()), stoppingToken).ConfigureAwait(false);
                continue;
            }
            await WaitAsync(wake, options.Relay.PollInterval, stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>Holds a connection in LISTEN; each notification wakes the workers. Reconnects after errors.</summary>
    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<TContext>();
                await db.Database.OpenConnectionAsync(stoppingToken).ConfigureAwait(false);
                var connection = (NpgsqlConnection)db.Database.GetDbConnection();
                connection.Notification += (_, _) => _signal.Set();
                await using (var listen = new NpgsqlCommand($"LISTEN {MessagingTables.NotifyChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken).ConfigureAwait(false);
                }
                _signal.Set(); // rows committed while nobody listened
                while (!stoppingToken.IsCancellationRequested)
                {
                    if (!await connection.WaitAsync(TimeSpan.FromSeconds(30), stoppingToken).ConfigureAwait(false))
                    {
                        // Quiet for 30 s: prove the connection is alive, else a dead socket would silence NOTIFY for good.
                        await using var ping = new NpgsqlCommand("SELECT 1", connection);
                        await ping.ExecuteScalarAsync(stoppingToken).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Outbox LISTEN connection lost; polling every {Interval} until it is back", options.Relay.PollInterval);
                await Delay(TimeSpan.FromSeconds(2), stoppingToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Refreshes the backlog gauges and prunes old rows.</summary>
    private async Task MaintainAsync(CancellationToken stoppingToken)
    {
        var nextPrune = time.GetUtcNow();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<TContext>();
                var store = relay.StoreFor(db);
                await db.Database.OpenConnectionAsync(stoppingToken).ConfigureAwait(false);
                var connection = (NpgsqlConnection)db.Database.GetDbConnection();
                var (pending, oldest) = await store.BacklogAsync(connection, stoppingToken).ConfigureAwait(false);
                MessagingMetrics.ReportBacklog(options.ServiceName, pending, oldest);
                var now = time.GetUtcNow();
                if (now >= nextPrune)
                {
                    var pruned = await store.PruneAsync(connection, now - options.Relay.PublishedRetention, now - options.Relay.InboxRetention, stoppingToken).ConfigureAwait(false);
                    if (pruned > 0)
                    {
                        MessagingMetrics.Pruned.Add(pruned, new KeyValuePair<string, object?>("service", options.ServiceName));
                        logger.LogInformation("Pruned {Rows} published outbox and old inbox rows", pruned);
                    }
                    nextPrune = now + options.Relay.PruneInterval;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Outbox maintenance (backlog, pruning) failed");
            }
            await Delay(options.Relay.StatsInterval, stoppingToken).ConfigureAwait(false);
        }
    }

    private static async Task WaitAsync(Task wake, TimeSpan timeout, CancellationToken stoppingToken)
    {
        try
        {
            await wake.WaitAsync(timeout, stoppingToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task Delay(TimeSpan delay, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(delay, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
