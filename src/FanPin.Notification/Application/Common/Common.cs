using FanPin.Notification.Domain;
using FanPin.Policies;
using FanPin.ServiceDefaults.Authentication;

namespace FanPin.Notification.Application.Common;

/// <summary>The province policies in force (escalation hours).</summary>
public sealed class NotificationPolicies(PolicySet set)
{
    /// <summary>The policy of the region's province on a day.</summary>
    public ProvincePolicy InForce(string regionCode, DateOnly on) => set.At(RegionCode.Parse(regionCode), on);

    /// <summary>China's calendar day of an instant (policies take effect by date).</summary>
    public static DateOnly ChinaDay(DateTimeOffset at) => DateOnly.FromDateTime(at.ToOffset(TimeSpan.FromHours(8)).DateTime);
}

/// <summary>
/// Wakes the pollers (inbox watches, webhook and SMS dispatchers) when something was written, so they do not wait
/// for their next poll. Waking early is harmless: each poller reads the database.
/// </summary>
public sealed class WakeSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes the current waiters.</summary>
    public void Wake() => Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Waits for a wake or the timeout.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        var next = Volatile.Read(ref _next).Task;
        // The delay is cancelled once woken, so frequent waits leave no timers behind.
        using var delay = CancellationTokenSource.CreateLinkedTokenSource(ct);
        await Task.WhenAny(next, Task.Delay(timeout, delay.Token)).ConfigureAwait(false);
        await delay.CancelAsync().ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
    }
}

/// <summary>Who may do what, and whose inbox a caller reads.</summary>
public static class NotificationAccess
{
    /// <summary>Rule editing.</summary>
    public static readonly CallerRole[] EditRules = [CallerRole.Province];

    /// <summary>Webhooks and contacts.</summary>
    public static readonly CallerRole[] Administer = [CallerRole.County, CallerRole.Province];

    /// <summary>Reading rules and region notifications (downstream systems get webhooks, not the inbox).</summary>
    public static readonly CallerRole[] Read = [CallerRole.Village, CallerRole.Township, CallerRole.County, CallerRole.Department, CallerRole.Province];

    /// <summary>"role:subject" as recorded in acknowledged_by and updated_by.</summary>
    public static string ActorOf(Caller caller) => $"{caller.Role.ToString().ToLowerInvariant()}:{caller.Subject}";

    /// <summary>
    /// The caller's own inbox: its office's notifications (a village also reads its helpers'); a department reads
    /// its own in every county of its scope.
    /// </summary>
    public static IQueryable<Domain.Notification> Own(IQueryable<Domain.Notification> q, Caller caller)
    {
        var scope = caller.Scope.Value;
        return caller.Role switch
        {
            CallerRole.Village => q.Where(n => (n.RecipientRole == RecipientRole.Village || n.RecipientRole == RecipientRole.Helper) && n.RecipientRegion == scope),
            CallerRole.Township => q.Where(n => n.RecipientRole == RecipientRole.Township && n.RecipientRegion == scope),
            CallerRole.County => q.Where(n => n.RecipientRole == RecipientRole.County && n.RecipientRegion == scope),
            CallerRole.Province => q.Where(n => n.RecipientRole == RecipientRole.Province && n.RecipientRegion == scope),
            CallerRole.Department => q.Where(n => n.RecipientRole == RecipientRole.Department && n.RecipientDepartment == caller.Department && n.RecipientRegion.StartsWith(scope)),
            _ => throw new AccessDeniedException($"role {caller.Role.ToString().ToLowerInvariant()} has no inbox"),
        };
    }

    /// <summary>The same test for one notification (acknowledging).</summary>
    public static bool Owns(Caller caller, Domain.Notification n) => caller.Role switch
    {
        CallerRole.Village => n.RecipientRole is RecipientRole.Village or RecipientRole.Helper && n.RecipientRegion == caller.Scope.Value,
        CallerRole.Township => n.RecipientRole == RecipientRole.Township && n.RecipientRegion == caller.Scope.Value,
        CallerRole.County => n.RecipientRole == RecipientRole.County && n.RecipientRegion == caller.Scope.Value,
        CallerRole.Province => n.RecipientRole == RecipientRole.Province && n.RecipientRegion == caller.Scope.Value,
        CallerRole.Department => n.RecipientRole == RecipientRole.Department && n.RecipientDepartment == caller.Department
            && n.RecipientRegion.StartsWith(caller.Scope.Value, StringComparison.Ordinal),
        _ => false,
    };
}

/// <summary>Settings read from configuration (<c>Notification:*</c>), with the defaults of appsettings.json.</summary>
public sealed record NotificationOptions
{
    /// <summary>Webhooks give up (dead-letter) when the next attempt would start later than this after the delivery was created.</summary>
    public TimeSpan WebhookRetryBudget { get; init; } = TimeSpan.FromHours(24);

    /// <summary>First retry delay (doubles each time).</summary>
    public TimeSpan WebhookFirstRetry { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Longest retry delay.</summary>
    public TimeSpan WebhookMaxRetry { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Per-request timeout of a webhook POST.</summary>
    public TimeSpan WebhookTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the dispatchers look for due work when not woken.</summary>
    public TimeSpan WebhookPoll { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>SMS attempts before it is marked failed.</summary>
    public int SmsMaxAttempts { get; init; } = 5;

    /// <summary>SMS per recipient per hour (Redis counter); more are marked rate-limited.</summary>
    public int SmsPerRecipientPerHour { get; init; } = 10;

    /// <summary>SMS poll.</summary>
    public TimeSpan SmsPoll { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Escalation scan period.</summary>
    public TimeSpan EscalationScan { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Reads <c>Notification:*</c>.</summary>
    public static NotificationOptions From(IConfiguration c) => new()
    {
        WebhookRetryBudget = TimeSpan.FromHours(c.GetValue("Notification:Webhooks:RetryBudgetHours", 24.0)),
        WebhookFirstRetry = TimeSpan.FromSeconds(c.GetValue("Notification:Webhooks:FirstRetrySeconds", 2.0)),
        WebhookMaxRetry = TimeSpan.FromSeconds(c.GetValue("Notification:Webhooks:MaxRetrySeconds", 3600.0)),
        WebhookTimeout = TimeSpan.FromSeconds(c.GetValue("Notification:Webhooks:TimeoutSeconds", 10.0)),
        WebhookPoll = TimeSpan.FromMilliseconds(c.GetValue("Notification:Webhooks:PollMilliseconds", 500)),
        SmsMaxAttempts = c.GetValue("Notification:Sms:MaxAttempts", 5),
        SmsPerRecipientPerHour = c.GetValue("Notification:Sms:PerRecipientPerHour", 10),
        SmsPoll = TimeSpan.FromMilliseconds(c.GetValue("Notification:Sms:PollMilliseconds", 1000)),
        EscalationScan = TimeSpan.FromSeconds(c.GetValue("Notification:Escalation:ScanSeconds", 60.0)),
    };
}

/// <summary>The service's wake signals.</summary>
public sealed class NotificationSignals
{
    /// <summary>New in-app notifications (watch streams).</summary>
    public WakeSignal Inbox { get; } = new();

    /// <summary>New webhook deliveries.</summary>
    public WakeSignal Webhooks { get; } = new();

    /// <summary>New SMS.</summary>
    public WakeSignal Sms { get; } = new();
}
