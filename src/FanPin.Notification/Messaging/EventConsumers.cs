using System.Globalization;
using FanPin.IntegrationEvents;
using FanPin.Messaging.Inbox;
using FanPin.Notification.Application.Events;
using FanPin.Notification.Domain;
using FanPin.Notification.Infrastructure;
using MassTransit;

namespace FanPin.Notification.Messaging;

/// <summary>
/// Base of every consumer: the event's facts → <see cref="RecordEvent"/>, once per event (the inbox row and the
/// notifications commit together). A failure rolls both back and the message is retried or parked, never acked.
/// </summary>
public abstract class NotifyingConsumer<TEvent>(NotificationDbContext db, RecordEvent useCase) : IdempotentConsumer<TEvent, NotificationDbContext>(db)
    where TEvent : IntegrationEvent
{
    /// <inheritdoc />
    protected override string ConsumerName => "notification." + typeof(TEvent).Name;

    /// <summary>The facts of the event.</summary>
    protected abstract EventFacts Facts(TEvent message);

    /// <inheritdoc />
    protected override Task HandleAsync(TEvent message, ConsumeContext<TEvent> context, CancellationToken cancellationToken) =>
        useCase.HandleAsync(Facts(message), message, cancellationToken);

    /// <summary>Facts with the common placeholders ({event}, {region}, {household}, {time}) and the event's own.</summary>
    protected static EventFacts FactsOf(TEvent e, string? grade, string? department, params (string Key, string? Value)[] values)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["event"] = typeof(TEvent).Name,
            ["region"] = e.RegionCode,
            ["household"] = e.HouseholdId?.ToString("D") ?? "",
            ["time"] = e.OccurredAt.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in values)
        {
            map[key] = value ?? "";
        }
        return new EventFacts(e.EventId, typeof(TEvent).Name, e.OccurredAt, e.RegionCode, e.HouseholdId, grade, department, map);
    }

    /// <summary>A date as templates show it.</summary>
    protected static string Day(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

/// <summary>Grading's WarningRaised.</summary>
public sealed class WarningRaisedConsumer(NotificationDbContext db, RecordEvent useCase) : NotifyingConsumer<WarningRaised>(db, useCase)
{
    /// <inheritdoc />
    protected override EventFacts Facts(WarningRaised m) => FactsOf(m, m.Grade.ToString(), null,
        ("grade", m.Grade.ToString()), ("rule", m.ReasonRuleId), ("warning", m.WarningId.ToString("D")));
}

/// <summary>Grading's WarningGradeChanged.</summary>
public sealed class WarningGradeChangedConsumer(NotificationDbContext db, RecordEvent useCase) : NotifyingConsumer<WarningGradeChanged>(db, useCase)
{
    /// <inheritdoc />
    protected override EventFacts Facts(WarningGradeChanged m) => FactsOf(m, m.Grade.ToString(), null,
        ("grade", m.Grade.ToString()), ("previous_grade", m.PreviousGrade.ToString()), ("rule", m.ReasonRuleId), ("warning", m.WarningId.ToString("D")));
}

/// <summary>Grading's WarningEscalated.</summary>
public sealed class WarningEscalatedConsumer(NotificationDbContext db, RecordEvent useCase) : NotifyingConsumer<WarningEscalated>(db, useCase)
{
    /// <inheritdoc />
    protected override EventFacts Facts(WarningEscalated m) => FactsOf(m, m.Grade.ToString(), null,
        ("grade", m.Grade.ToString()), ("rule", m.ReasonRuleId), ("warning", m.WarningId.ToString("D")),
        ("level", m.EscalationLevel.ToString(CultureInfo.InvariantCulture)));
}

/// <summary>Grading's WarningCleared (the grade filter sees the previous grade).</summary>
public sealed class WarningClearedConsumer(NotificationDbContext db, RecordEvent useCase) : NotifyingConsumer<WarningCleared>(db, useCase)
{
    /// <inheritdoc />
    protected override EventFacts Facts(WarningCleared m) => FactsOf(m, m.PreviousGrade.ToString(), null,
        ("previous_grade", m.PreviousGrade.ToString()), ("rule", m.ReasonRuleId), ("warning", m.WarningId.ToString("D")));
}

/// <summary>Assistance's TaskAssigned (the department recipient is the assignee when it is a department).</summary>
public sealed class TaskAssignedConsumer(NotificationDbContext db, RecordEvent useCase) : NotifyingConsumer<TaskAssigned>(db, useCase)
{
    /// <inheritdoc />
    protected override EventFacts Facts(TaskAssigned m) => FactsOf(m, null, m.AssigneeKind == "Department" ? m.Assignee : null,
        ("task", m.TaskId.ToString("D")), ("measure", m.MeasureCode), ("assignee", m.Assignee), ("due", Day(m.DueDate)));
}

/// <summary>Assistance's TaskOverdue.</summary>
public sealed class TaskOverdueConsumer(NotificationDbContext db, RecordEvent useCase) : NotifyingConsumer<TaskOverdue>(db, useCase)
{
    /// <inheritdoc />
    protected override EventFacts Facts(TaskOverdue m) => FactsOf(m, null, m.AssigneeKind == "Department" ? m.Assignee : null,
        ("task", m.TaskId.ToString("D")), ("assignee", m.Assignee), ("due", Day(m.DueDate)));
}

/// <summary>Monitoring's FeedOverdue.</summary>
public sealed class FeedOverdueConsumer(NotificationDbContext db, RecordEvent useCase) : NotifyingConsumer<FeedOverdue>(db, useCase)
{
    /// <inheritdoc />
    protected override EventFacts Facts(FeedOverdue m) => FactsOf(m, null, m.Department,
        ("department", m.Department), ("period", m.Period), ("due", Day(m.DueDate)));
}

/// <summary>Monitoring's FeedAnomaly.</summary>
public sealed class FeedAnomalyConsumer(NotificationDbContext db, RecordEvent useCase) : NotifyingConsumer<FeedAnomaly>(db, useCase)
{
    /// <inheritdoc />
    protected override EventFacts Facts(FeedAnomaly m) => FactsOf(m, null, m.Department,
        ("department", m.Department), ("period", m.Period), ("kind", m.Kind), ("detail", m.Detail));
}
