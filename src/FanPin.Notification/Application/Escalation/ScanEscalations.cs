using System.Globalization;
using FanPin.Notification.Application.Common;
using FanPin.Notification.Application.Events;
using FanPin.Notification.Domain;
using FanPin.Notification.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Notification.Application.Escalation;

/// <summary>
/// Escalates grade I warning notifications not acknowledged by their due time (province policy
/// <c>notification.grade_one_escalation_hours</c>): the next level up gets a notification (which escalates in turn
/// if ignored), and the original records when. Exactly once: a notification is claimed by a conditional update
/// (<c>escalated_at IS NULL</c>) in the transaction that adds the escalation, so concurrent scanners and replicas
/// cannot both escalate it.
/// </summary>
public sealed class ScanEscalations(NotificationDbContext db, TimeProvider time, NotificationPolicies policies, NotificationSignals signals)
{
    /// <summary>How many notifications were escalated.</summary>
    public async Task<int> HandleAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var due = await db.Notifications.AsNoTracking()
            .Where(n => n.Channel == Channel.InApp && n.AcknowledgedAt == null && n.EscalatedAt == null && n.EscalationDueAt != null && n.EscalationDueAt <= now)
            .OrderBy(n => n.EscalationDueAt).Select(n => n.Id).Take(500).ToListAsync(ct).ConfigureAwait(false);
        var escalated = 0;
        foreach (var id in due)
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
            var claimed = await db.Notifications.Where(n => n.Id == id && n.EscalatedAt == null && n.AcknowledgedAt == null)
                .ExecuteUpdateAsync(u => u.SetProperty(n => n.EscalatedAt, now), ct).ConfigureAwait(false);
            if (claimed == 0)
            {
                continue;
            }
            var original = await db.Notifications.AsNoTracking().SingleAsync(n => n.Id == id, ct).ConfigureAwait(false);
            var current = new Recipient(original.Recipient, original.RecipientRole, original.RecipientRegion, original.RecipientDepartment);
            if (current.NextLevelUp() is { } next
                && !await db.Notifications.AnyAsync(n => n.EventId == original.EventId && n.Recipient == next.Key && n.Channel == Channel.InApp, ct).ConfigureAwait(false))
            {
                var hours = policies.InForce(original.RegionCode, NotificationPolicies.ChinaDay(now)).Notification.GradeOneEscalationHours;
                var facts = new EventFacts(original.EventId, original.EventType, original.CreatedAt, original.RegionCode, original.HouseholdId, original.Grade, null,
                    new Dictionary<string, string>());
                var text = string.Create(CultureInfo.InvariantCulture,
                    $"【预警升级】{original.Recipient} 于 {original.CreatedAt.ToOffset(TimeSpan.FromHours(8)):yyyy-MM-dd HH:mm} 收到的Ⅰ级预警通知超过{hours}小时未确认，请督办：{original.Text}");
                var escalation = RecordEvent.New(facts, original.RuleId, next, Channel.InApp, text, now, now.AddHours(hours));
                escalation.EscalationOf = original.Id;
                db.Notifications.Add(escalation);
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
            }
            await tx.CommitAsync(ct).ConfigureAwait(false);
            escalated++;
        }
        if (escalated > 0)
        {
            signals.Inbox.Wake();
        }
        return escalated;
    }
}
