using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace FanPin.Grading.Infrastructure.WarningLog;

/// <summary>
/// Wakes watchers when a province's warning log grows. Fed by PostgreSQL LISTEN/NOTIFY (<see cref="WarningLogListener"/>);
/// a notification is only a hint — watchers always read from the log by sequence, and poll on a timer too, so a
/// notification lost while the listener reconnects costs latency, never an entry.
/// </summary>
public sealed class WarningLogNotifications
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _signals = new(StringComparer.Ordinal);

    /// <summary>
    /// A task that completes at the next notification for <paramref name="province"/>. Take it BEFORE reading the
    /// log, so a commit between the read and the wait still wakes the watcher.
    /// </summary>
    public Task NextAsync(string province) => Signal(province).Task;

    /// <summary>Wakes the watchers of a province.</summary>
    public void Notify(string province)
    {
        if (_signals.TryRemove(province, out var signal))
        {
            signal.TrySetResult();
        }
    }

    /// <summary>Wakes every watcher (after a reconnect: notifications may have been missed).</summary>
    public void NotifyAll()
    {
        foreach (var province in _signals.Keys)
        {
            Notify(province);
        }
    }

    private TaskCompletionSource Signal(string province) =>
        _signals.GetOrAdd(province, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}

/// <summary>Holds one LISTEN connection and forwards notifications; reconnects after failures.</summary>
public sealed partial class WarningLogListener(NpgsqlDataSource dataSource, WarningLogNotifications notifications, ILogger<WarningLogListener> logger)
    : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken).ConfigureAwait(false);
                connection.Notification += (_, e) => notifications.Notify(e.Payload);
                await using (var command = new NpgsqlCommand($"LISTEN {WarningLogSequences.Channel}", connection))
                {
                    await command.ExecuteNonQueryAsync(stoppingToken).ConfigureAwait(false);
                }
                notifications.NotifyAll();
                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
            {
                LogListenFailed(logger, ex);
                notifications.NotifyAll();
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Listening for warning log notifications failed; watchers poll until it reconnects")]
    private static partial void LogListenFailed(ILogger logger, Exception exception);
}
