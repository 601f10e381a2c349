using FanPin.Grading.Application.Common;
using FanPin.Grading.Application.Dashboard;
using FanPin.Grading.Application.Policies;
using FanPin.Grading.Application.Warnings;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace FanPin.Grading.Infrastructure.Hosting;

/// <summary>Periodic work (section <c>Grading</c>).</summary>
public sealed class GradingScheduleOptions
{
    /// <summary>How often overdue warnings are escalated (<c>Grading:EscalationInterval</c>).</summary>
    public TimeSpan EscalationInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often due re-grades are looked for (<c>Grading:RegradeInterval</c>); a publication wakes it at once.</summary>
    public TimeSpan RegradeInterval { get; set; } = TimeSpan.FromMinutes(10);
}

/// <summary>Runs <see cref="EscalateOverdueWarnings"/> periodically.</summary>
public sealed partial class EscalationService(IServiceScopeFactory scopes, IOptions<GradingScheduleOptions> options, TimeProvider time, ILogger<EscalationService> logger)
    : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.EscalationInterval, time);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var result = await scope.ServiceProvider.GetRequiredService<EscalateOverdueWarnings>()
                    .HandleAsync(new EscalateOverdueWarningsRequest(), stoppingToken).ConfigureAwait(false);
                if (result.Escalated.Count > 0)
                {
                    LogEscalated(logger, result.Escalated.Count);
                }
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                LogFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Escalated {Count} overdue warnings")]
    private static partial void LogEscalated(ILogger logger, int count);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "The escalation sweep failed; it runs again at the next tick")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}

/// <summary>
/// Runs <see cref="RunDueRegrades"/> periodically and when a publication asks for it, then
/// <see cref="EnsureGradeProjections"/> (rebuilds a Redis projection that is missing).
/// </summary>
public sealed partial class RegradeService(IServiceScopeFactory scopes, RegradeTrigger trigger, IOptions<GradingScheduleOptions> options, TimeProvider time,
    ILogger<RegradeService> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var woken = trigger.WaitAsync();
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var result = await scope.ServiceProvider.GetRequiredService<RunDueRegrades>().HandleAsync(new RunDueRegradesRequest(), stoppingToken).ConfigureAwait(false);
                foreach (var regrade in result.Regrades)
                {
                    LogRegraded(logger, regrade.Province, regrade.PolicyProvince, regrade.PolicyVersion, regrade.Households, regrade.Changed);
                }
                var ensured = await scope.ServiceProvider.GetRequiredService<EnsureGradeProjections>()
                    .HandleAsync(new EnsureGradeProjectionsRequest(), stoppingToken).ConfigureAwait(false);
                foreach (var province in ensured.Rebuilt)
                {
                    LogProjectionRebuilt(logger, province);
                }
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException or StackExchange.Redis.RedisException)
            {
                LogFailed(logger, ex);
            }
            try
            {
                await woken.WaitAsync(options.Value.RegradeInterval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // The periodic tick: a version published for a later day comes into force at some tick.
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "Re-graded province {Province} under policy {PolicyProvince} v{PolicyVersion}: {Households} households, {Changed} changed")]
    private static partial void LogRegraded(ILogger logger, string province, string policyProvince, int policyVersion, int households, int changed);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "A re-grade run failed; it runs again at the next tick")]
    private static partial void LogFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Rebuilt the grade projection of province {Province} from PostgreSQL")]
    private static partial void LogProjectionRebuilt(ILogger logger, string province);
}
