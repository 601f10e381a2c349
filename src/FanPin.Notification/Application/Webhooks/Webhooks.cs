using System.Security.Cryptography;
using FanPin.Grpc;
using FanPin.Notification.Application.Common;
using FanPin.Notification.Domain;
using FanPin.Notification.Infrastructure;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Notification.Application.Webhooks;

/// <summary>Subscribes an endpoint; returns the secret once.</summary>
public sealed class CreateWebhookSubscription(NotificationDbContext db, TimeProvider time)
{
    /// <summary>Validates, then writes.</summary>
    public async Task<(WebhookSubscription Subscription, string Secret)> HandleAsync(Caller caller, string name, string url, string regionPrefix, IReadOnlyList<string> eventTypes, CancellationToken ct)
    {
        RegionScope.DemandRole(caller, "subscribe webhooks", NotificationAccess.Administer);
        var v = new FieldViolations();
        v.AddIf(string.IsNullOrWhiteSpace(name), "name", "required");
        v.AddIf(!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"), "url", "must be an absolute http or https URL");
        RegionPrefix prefix = default;
        if (!RegionPrefix.TryParse(regionPrefix, out prefix, out var error))
        {
            v.Add("region_prefix", error);
        }
        for (var i = 0; i < eventTypes.Count; i++)
        {
            v.AddIf(!DefaultRules.EventTypes.Contains(eventTypes[i]), $"event_types[{i}]", $"must be one of {string.Join(", ", DefaultRules.EventTypes)}");
        }
        v.ThrowIfAny();
        RegionScope.Demand(caller, prefix);
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var s = new WebhookSubscription
        {
            Id = Guid.CreateVersion7(),
            Name = name.Trim(),
            Url = url,
            RegionPrefix = prefix.Value,
            EventTypes = eventTypes.Distinct().ToList(),
            Secret = secret,
            Active = true,
            CreatedAt = time.GetUtcNow(),
            CreatedBy = NotificationAccess.ActorOf(caller),
        };
        db.WebhookSubscriptions.Add(s);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return (s, secret);
    }
}

/// <summary>Subscriptions inside the caller's scope.</summary>
public sealed class ListWebhookSubscriptions(NotificationDbContext db)
{
    /// <summary>Lists.</summary>
    public async Task<IReadOnlyList<WebhookSubscription>> HandleAsync(Caller caller, CancellationToken ct)
    {
        RegionScope.DemandRole(caller, "list webhooks", NotificationAccess.Administer);
        var scope = caller.Scope.Value;
        return await db.WebhookSubscriptions.AsNoTracking().Where(s => s.RegionPrefix.StartsWith(scope)).OrderBy(s => s.CreatedAt).ToListAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Finds a subscription the caller may manage (NOT_FOUND otherwise).</summary>
    internal static async Task<WebhookSubscription> FindAsync(NotificationDbContext db, Caller caller, string subscriptionId, bool tracking, CancellationToken ct)
    {
        RegionScope.DemandRole(caller, "manage webhooks", NotificationAccess.Administer);
        if (!Guid.TryParse(subscriptionId, out var id))
        {
            new FieldViolations().Add("subscription_id", subscriptionId.Length == 0 ? "required" : "must be a UUID").ThrowIfAny();
        }
        var q = tracking ? db.WebhookSubscriptions : db.WebhookSubscriptions.AsNoTracking();
        var s = await q.SingleOrDefaultAsync(x => x.Id == id, ct).ConfigureAwait(false);
        if (s is null || !s.RegionPrefix.StartsWith(caller.Scope.Value, StringComparison.Ordinal))
        {
            throw RpcException.NotFound($"webhook subscription {id} not found in the caller's scope", "SUBSCRIPTION_NOT_FOUND");
        }
        return s;
    }
}

/// <summary>Stops a subscription; its pending deliveries are dead-lettered (visible in the log).</summary>
public sealed class DeactivateWebhookSubscription(NotificationDbContext db, TimeProvider time)
{
    /// <summary>Deactivates.</summary>
    public async Task<WebhookSubscription> HandleAsync(Caller caller, string subscriptionId, CancellationToken ct)
    {
        var s = await ListWebhookSubscriptions.FindAsync(db, caller, subscriptionId, tracking: true, ct).ConfigureAwait(false);
        if (!s.Active)
        {
            throw RpcException.FailedPrecondition($"webhook subscription {s.Id} is already inactive", "SUBSCRIPTION_INACTIVE");
        }
        var now = time.GetUtcNow();
        s.Active = false;
        await using var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        await db.WebhookDeliveries.Where(d => d.SubscriptionId == s.Id && d.Status == DeliveryStatus.Pending)
            .ExecuteUpdateAsync(u => u.SetProperty(d => d.Status, DeliveryStatus.DeadLettered).SetProperty(d => d.FinishedAt, now)
                .SetProperty(d => d.LastError, "subscription deactivated"), ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return s;
    }
}

/// <summary>The delivery log of a subscription.</summary>
public sealed class ListWebhookDeliveries(NotificationDbContext db)
{
    /// <summary>Newest first.</summary>
    public async Task<IReadOnlyList<WebhookDelivery>> HandleAsync(Caller caller, string subscriptionId, DeliveryStatus? status, int limit, CancellationToken ct)
    {
        new FieldViolations().AddIf(limit is < 0 or > 1000, "limit", "must be between 0 (default 100) and 1000").ThrowIfAny();
        var s = await ListWebhookSubscriptions.FindAsync(db, caller, subscriptionId, tracking: false, ct).ConfigureAwait(false);
        var q = db.WebhookDeliveries.AsNoTracking().Where(d => d.SubscriptionId == s.Id);
        if (status is { } st)
        {
            q = q.Where(d => d.Status == st);
        }
        return await q.OrderByDescending(d => d.Sequence).Take(limit == 0 ? 100 : limit).ToListAsync(ct).ConfigureAwait(false);
    }
}
