using FanPin.IntegrationEvents;
using FanPin.Messaging.PublicEvents;
using FanPin.Notification.Application.Common;
using FanPin.Notification.Domain;
using FanPin.Notification.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Notification.Application.Events;

/// <summary>
/// Turns one consumed event into notifications (in-app, SMS) by the rules, and into webhook deliveries for the
/// matching subscriptions, all in the consumer's transaction (the caller saves). Called once per event by the
/// idempotent consumers; the unique (event, recipient, channel) index is the backstop, and rows already present
/// are skipped rather than failing.
/// </summary>
public sealed class RecordEvent(NotificationDbContext db, TimeProvider time, NotificationPolicies policies, NotificationSignals signals)
{
    /// <summary>What was added.</summary>
    public sealed record Result(int Notifications, int Deliveries);

    /// <summary>Adds the rows (not saved).</summary>
    public async Task<Result> HandleAsync(EventFacts facts, IntegrationEvent integrationEvent, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var region = RegionCode.Parse(facts.RegionCode);
        var rules = await db.Rules.AsNoTracking().Where(r => r.EventType == facts.EventType).ToListAsync(ct).ConfigureAwait(false);
        var chosen = RuleMatching.Select(rules, facts.EventType, facts.Grade, facts.RegionCode);
        var existing = (await db.Notifications.AsNoTracking().Where(n => n.EventId == facts.EventId).Select(n => new { n.Recipient, n.Channel }).ToListAsync(ct).ConfigureAwait(false))
            .Select(x => (x.Recipient, x.Channel)).ToHashSet();
        var escalationDue = EscalationDue(facts, now);
        var added = 0;
        foreach (var rule in chosen)
        {
            var text = Template.Render(rule.Template, facts.Values);
            foreach (var role in rule.Recipients)
            {
                if (Recipient.Resolve(role, region, facts.HouseholdId, facts.Department) is not { } recipient)
                {
                    continue;
                }
                if (existing.Add((recipient.Key, Channel.InApp)))
                {
                    db.Notifications.Add(New(facts, rule.Id, recipient, Channel.InApp, text, now, escalationDue));
                    added++;
                }
                if (rule.Channels.Contains(Channel.Sms) && existing.Add((recipient.Key, Channel.Sms)))
                {
                    var phone = await db.Contacts.AsNoTracking().Where(c => c.Recipient == recipient.Key).Select(c => c.Phone).FirstOrDefaultAsync(ct).ConfigureAwait(false);
                    if (phone is not null)
                    {
                        var sms = New(facts, rule.Id, recipient, Channel.Sms, text, now, null);
                        sms.SmsStatus = SmsStatus.Pending;
                        sms.Phone = phone;
                        sms.NextAttemptAt = now;
                        db.Notifications.Add(sms);
                        added++;
                    }
                }
            }
        }

        var deliveries = 0;
        var subscriptions = await db.WebhookSubscriptions.AsNoTracking().Where(s => s.Active).ToListAsync(ct).ConfigureAwait(false);
        var delivered = await db.WebhookDeliveries.AsNoTracking().Where(d => d.EventId == facts.EventId).Select(d => d.SubscriptionId).ToListAsync(ct).ConfigureAwait(false);
        string? payload = null;
        foreach (var s in subscriptions.Where(s => facts.RegionCode.StartsWith(s.RegionPrefix, StringComparison.Ordinal)
            && (s.EventTypes.Count == 0 || s.EventTypes.Contains(facts.EventType)) && !delivered.Contains(s.Id)))
        {
            payload ??= CloudEvents.Serialize(integrationEvent);
            db.WebhookDeliveries.Add(new WebhookDelivery
            {
                Id = Guid.CreateVersion7(),
                SubscriptionId = s.Id,
                EventId = facts.EventId,
                EventType = facts.EventType,
                Payload = payload,
                Status = DeliveryStatus.Pending,
                NextAttemptAt = now,
                CreatedAt = now,
            });
            deliveries++;
        }
        // Pollers read committed rows only; an early wake costs one empty read.
        if (added > 0)
        {
            signals.Inbox.Wake();
            signals.Sms.Wake();
        }
        if (deliveries > 0)
        {
            signals.Webhooks.Wake();
        }
        return new Result(added, deliveries);
    }

    /// <summary>Grade I warnings escalate when unacknowledged after the province policy's hours (in force on the day the notification is created).</summary>
    private DateTimeOffset? EscalationDue(EventFacts facts, DateTimeOffset now) =>
        facts.Grade == "I" && facts.EventType is "WarningRaised" or "WarningGradeChanged"
            ? now.AddHours(policies.InForce(facts.RegionCode, NotificationPolicies.ChinaDay(now)).Notification.GradeOneEscalationHours)
            : null;

    internal static Domain.Notification New(EventFacts facts, Guid? ruleId, Recipient recipient, Channel channel, string text, DateTimeOffset now, DateTimeOffset? escalationDue) => new()
    {
        Id = Guid.CreateVersion7(),
        EventId = facts.EventId,
        EventType = facts.EventType,
        RegionCode = facts.RegionCode,
        HouseholdId = facts.HouseholdId,
        Grade = facts.Grade,
        RuleId = ruleId,
        Recipient = recipient.Key,
        RecipientRole = recipient.Role,
        RecipientRegion = recipient.Region,
        RecipientDepartment = recipient.Department,
        Channel = channel,
        Text = text,
        CreatedAt = now,
        EscalationDueAt = channel == Channel.InApp ? escalationDue : null,
    };
}

/// <summary>The CloudEvent JSON a webhook receives: the same document as the public exchange's (<see cref="CloudEventFormatter"/>).</summary>
public static class CloudEvents
{
    /// <summary>Area and name of the events that are not public on the exchange but are delivered to webhooks.</summary>
    private static readonly Dictionary<Type, (PublicEventAttribute Info, string Source)> Internal = new()
    {
        [typeof(TaskAssigned)] = (new PublicEventAttribute("task", "assigned"), "/fanpin/assistance"),
        [typeof(TaskOverdue)] = (new PublicEventAttribute("task", "overdue"), "/fanpin/assistance"),
        [typeof(FeedOverdue)] = (new PublicEventAttribute("feed", "overdue"), "/fanpin/monitoring"),
        [typeof(FeedAnomaly)] = (new PublicEventAttribute("feed", "anomaly"), "/fanpin/monitoring"),
    };

    /// <summary>Serializes the event; warning events keep their public type and grading's source.</summary>
    public static string Serialize(IntegrationEvent e)
    {
        var type = e.GetType();
        var (info, source) = type.GetCustomAttributes(typeof(PublicEventAttribute), false).FirstOrDefault() is PublicEventAttribute attribute
            ? (attribute, "/fanpin/" + (attribute.Area == "warning" ? "grading" : attribute.Area))
            : Internal[type];
        return System.Text.Encoding.UTF8.GetString(CloudEventFormatter.Serialize(e, info, source));
    }
}
