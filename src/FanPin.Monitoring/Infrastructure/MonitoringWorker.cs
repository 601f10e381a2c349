using FanPin.Monitoring.Application.Evaluation;
using FanPin.Monitoring.Application.Feeds;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FanPin.Monitoring.Infrastructure;

/// <summary>Worker settings (<c>Monitoring:Workers</c>).</summary>
public sealed class MonitoringWorkerOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Monitoring:Workers";

    /// <summary>Run the workers (off in tests that drive the use cases themselves).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Pause between queue polls when the queue was empty.</summary>
    public TimeSpan EvaluationPollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Households per evaluation transaction.</summary>
    public int EvaluationBatchSize { get; set; } = 2_000;

    /// <summary>How often stale evaluations (month rolled over, new policy version) are queued.</summary>
    public TimeSpan StaleCheckInterval { get; set; } = TimeSpan.FromHours(6);

    /// <summary>How often the feed schedule is checked for overdue feeds.</summary>
    public TimeSpan FeedScheduleInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long a household a back-fill feed touched waits for the back-fill's end (EndBackfill) before it is
    /// evaluated anyway, counted from its last back-fill feed: a client that dies mid back-fill delays the
    /// evaluation, never loses it.
    /// </summary>
    public TimeSpan BackfillHold { get; set; } = TimeSpan.FromMinutes(15);
}

/// <summary>
/// Runs the evaluation queue, the stale-evaluation sweep and the feed schedule check in the background. Each
/// step is a use case in its own scope; a failing step is logged and retried on the next round, since all of
/// them are idempotent and their state is in the database.
/// </summary>
public sealed partial class MonitoringWorker(IServiceScopeFactory scopes, MonitoringWorkerOptions options, EvaluationWakeUp wakeUp, TimeProvider time,
    ILogger<MonitoringWorker> logger)
    : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var nextStale = time.GetUtcNow();
        var nextSchedule = time.GetUtcNow();
        while (!stoppingToken.IsCancellationRequested)
        {
            var worked = false;
            var woken = wakeUp.Next; // read before the round: a feed committed during it wakes the next wait
            try
            {
                if (time.GetUtcNow() >= nextStale)
                {
                    var stale = await RunAsync<EnqueueStaleEvaluations, EnqueueStaleResult>(u => u.HandleAsync(stoppingToken)).ConfigureAwait(false);
                    LogStale(logger, stale.Queued, stale.ReferenceMonth);
                    nextStale = time.GetUtcNow() + options.StaleCheckInterval;
                }
                if (time.GetUtcNow() >= nextSchedule)
                {
                    var check = await RunAsync<CheckFeedSchedule, CheckFeedScheduleResult>(u => u.HandleAsync(stoppingToken)).ConfigureAwait(false);
                    LogOverdue(logger, check.Announced.Count);
                    nextSchedule = time.GetUtcNow() + options.FeedScheduleInterval;
                }
                var evaluated = await RunAsync<EvaluateQueuedHouseholds, EvaluateQueuedResult>(
                    u => u.HandleAsync(new EvaluateQueuedRequest(options.EvaluationBatchSize * 10, options.EvaluationBatchSize), stoppingToken)).ConfigureAwait(false);
                worked = evaluated.Evaluated + evaluated.Skipped > 0;
                if (worked)
                {
                    LogEvaluated(logger, evaluated.Evaluated, evaluated.Changed, evaluated.EventsRaised);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(logger, ex);
            }
            if (!worked)
            {
                try
                {
                    await woken.WaitAsync(options.EvaluationPollInterval, time, stoppingToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    // the idle poll
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task<TResult> RunAsync<TUseCase, TResult>(Func<TUseCase, Task<TResult>> run)
        where TUseCase : notnull
    {
        await using var scope = scopes.CreateAsyncScope();
        return await run(scope.ServiceProvider.GetRequiredService<TUseCase>()).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Evaluated {Evaluated} households: {Changed} changed, {Events} RiskSignalsDetected")]
    private static partial void LogEvaluated(ILogger logger, int evaluated, int changed, int events);

    [LoggerMessage(Level = LogLevel.Information, Message = "Queued {Queued} stale evaluations for {Month}")]
    private static partial void LogStale(ILogger logger, int queued, string month);

    [LoggerMessage(Level = LogLevel.Information, Message = "Feed schedule check announced {Count} overdue feeds")]
    private static partial void LogOverdue(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Monitoring worker round failed; retrying next round")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}

/// <summary>Registration of the worker.</summary>
public static class MonitoringWorkerRegistration
{
    /// <summary>The settings bound from <c>Monitoring:Workers</c>.</summary>
    public static MonitoringWorkerOptions Options(IConfiguration configuration)
    {
        var options = new MonitoringWorkerOptions();
        configuration.GetSection(MonitoringWorkerOptions.Section).Bind(options);
        return options;
    }

    /// <summary>Adds the background worker unless <c>Monitoring:Workers:Enabled</c> is false.</summary>
    public static IServiceCollection AddMonitoringWorkers(this IServiceCollection services, IConfiguration configuration)
    {
        var options = Options(configuration);
        services.TryAddSingleton(options);
        if (options.Enabled)
        {
            services.AddHostedService<MonitoringWorker>();
        }
        return services;
    }
}
