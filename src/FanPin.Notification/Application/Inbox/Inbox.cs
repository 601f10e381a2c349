using FanPin.Grpc;
using FanPin.Notification.Application.Common;
using FanPin.Notification.Domain;
using FanPin.Notification.Infrastructure;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Notification.Application.Inbox;

/// <summary>The caller's inbox, or a region's notifications.</summary>
public sealed class ListNotifications(NotificationDbContext db)
{
    /// <summary>Newest first.</summary>
    public async Task<IReadOnlyList<Domain.Notification>> HandleAsync(Caller caller, string regionPrefix, bool unacknowledgedOnly, int limit, CancellationToken ct)
    {
        var v = new FieldViolations();
        v.AddIf(limit is < 0 or > 500, "limit", "must be between 0 (default 50) and 500");
        var q = Filter(db.Notifications.AsNoTracking(), caller, regionPrefix, v);
        if (unacknowledgedOnly)
        {
            q = q.Where(n => n.AcknowledgedAt == null);
        }
        return await q.OrderByDescending(n => n.Sequence).Take(limit == 0 ? 50 : limit).ToListAsync(ct).ConfigureAwait(false);
    }

    /// <summary>In-app notifications of the caller's inbox, or below a prefix of its scope; throws on a bad prefix or role.</summary>
    public static IQueryable<Domain.Notification> Filter(IQueryable<Domain.Notification> q, Caller caller, string regionPrefix, FieldViolations v)
    {
        RegionScope.DemandRole(caller, "read notifications", NotificationAccess.Read);
        RegionPrefix prefix = default;
        if (regionPrefix.Length > 0 && !RegionPrefix.TryParse(regionPrefix, out prefix, out var error))
        {
            v.Add("region_prefix", error);
        }
        v.ThrowIfAny();
        q = q.Where(n => n.Channel == Channel.InApp);
        if (regionPrefix.Length == 0)
        {
            return NotificationAccess.Own(q, caller);
        }
        RegionScope.Demand(caller, prefix);
        var p = prefix.Value;
        return q.Where(n => n.RegionCode.StartsWith(p));
    }
}

/// <summary>Acknowledges one of the caller's own notifications.</summary>
public sealed class AcknowledgeNotification(NotificationDbContext db, TimeProvider time)
{
    /// <summary>Acknowledges.</summary>
    public async Task<Domain.Notification> HandleAsync(Caller caller, string notificationId, CancellationToken ct)
    {
        RegionScope.DemandRole(caller, "acknowledge notifications", NotificationAccess.Read);
        if (!Guid.TryParse(notificationId, out var id))
        {
            new FieldViolations().Add("notification_id", notificationId.Length == 0 ? "required" : "must be a UUID").ThrowIfAny();
        }
        var n = await db.Notifications.SingleOrDefaultAsync(x => x.Id == id && x.Channel == Channel.InApp, ct).ConfigureAwait(false);
        // Someone else's notification is reported as absent: its existence is not the caller's business.
        if (n is null || !NotificationAccess.Owns(caller, n))
        {
            throw RpcException.NotFound($"notification {id} not found in the caller's inbox", "NOTIFICATION_NOT_FOUND");
        }
        if (n.AcknowledgedAt is { } at)
        {
            throw RpcException.FailedPrecondition($"notification {id} was already acknowledged at {at:O} by {n.AcknowledgedBy}", "ALREADY_ACKNOWLEDGED");
        }
        n.AcknowledgedAt = time.GetUtcNow();
        n.AcknowledgedBy = NotificationAccess.ActorOf(caller);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return n;
    }
}
