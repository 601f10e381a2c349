using FanPin.Messaging.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace FanPin.Messaging.Outbox;

/// <summary>
/// Degraded when the oldest unpublished outbox row is older than <see cref="OutboxRelayOptions.BacklogAgeWarning"/>:
/// events are safe in the database, but someone should look at the broker or the relay.
/// </summary>
internal sealed class OutboxHealthCheck(MessagingOptions options, TimeProvider time) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (MessagingMetrics.BacklogOf(options.ServiceName) is not { } backlog)
        {
            return Task.FromResult(HealthCheckResult.Healthy("no backlog measured yet"));
        }
        var age = backlog.OldestAge(time.GetUtcNow());
        var data = new Dictionary<string, object> { ["pending"] = backlog.Pending, ["oldestAgeSeconds"] = age.TotalSeconds };
        return Task.FromResult(age > options.Relay.BacklogAgeWarning
            ? new HealthCheckResult(context.Registration.FailureStatus, $"{backlog.Pending} events wait in the outbox, the oldest for {age.TotalSeconds:0} s", data: data)
            : HealthCheckResult.Healthy($"{backlog.Pending} pending", data));
    }
}
