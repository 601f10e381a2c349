using FanPin.Grading.Domain.Events;

namespace FanPin.Grading.Domain;

/// <summary>The kinds of entry in the warning log: the public warning events.</summary>
public enum WarningLogEventType
{
    /// <summary>WarningRaised.</summary>
    Raised = 1,
    /// <summary>WarningGradeChanged.</summary>
    GradeChanged = 2,
    /// <summary>WarningEscalated.</summary>
    Escalated = 3,
    /// <summary>WarningCleared.</summary>
    Cleared = 4,
}

/// <summary>
/// One entry of the durable warning log (<c>warning_log</c>): a public warning event with its gap-free sequence
/// in its province. Never changes once written. WatchWarnings replays it; downstream systems resume by sequence.
/// </summary>
public sealed class WarningLogEntry
{
    /// <summary>2-digit province: the sequence's scope.</summary>
    public string Province { get; set; } = "";

    /// <summary>Position in the province's log: 1, 2, 3, ... without gaps.</summary>
    public long Sequence { get; set; }

    /// <summary>The event's id (the integration event's id too).</summary>
    public Guid EventId { get; set; }

    /// <summary>The kind of event.</summary>
    public WarningLogEventType EventType { get; set; }

    /// <summary>The warning.</summary>
    public Guid WarningId { get; set; }

    /// <summary>The household.</summary>
    public Guid HouseholdId { get; set; }

    /// <summary>The household's village (12 digits).</summary>
    public string RegionCode { get; set; } = "";

    /// <summary>Grade after the event (for a clearing: the grade it had).</summary>
    public WarningGrade Grade { get; set; }

    /// <summary>Grade before, for grade changes.</summary>
    public WarningGrade? PreviousGrade { get; set; }

    /// <summary>Status after the event.</summary>
    public WarningStatus Status { get; set; }

    /// <summary>Escalation level after the event.</summary>
    public int EscalationLevel { get; set; }

    /// <summary>The rule behind the event.</summary>
    public string RuleId { get; set; } = "";

    /// <summary>Deadline after the event.</summary>
    public DateOnly? DueOn { get; set; }

    /// <summary>When it happened.</summary>
    public DateTimeOffset OccurredAt { get; set; }

    /// <summary>The entry of a sequenced event.</summary>
    public static WarningLogEntry From(WarningLogEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (e.Sequence <= 0)
        {
            throw new InvalidOperationException($"{e.EventType} {e.EventId} has no sequence yet.");
        }
        return new WarningLogEntry
        {
            Province = e.Province,
            Sequence = e.Sequence,
            EventId = e.EventId,
            EventType = TypeOf(e),
            WarningId = e.WarningId,
            HouseholdId = e.HouseholdId ?? throw new InvalidOperationException("A warning event names its household."),
            RegionCode = e.RegionCode,
            Grade = e.Grade,
            PreviousGrade = e is WarningGradeChanged changed ? changed.PreviousGrade : null,
            Status = e.Status,
            EscalationLevel = e.EscalationLevel,
            RuleId = e.RuleId,
            DueOn = e.DueOn,
            OccurredAt = e.OccurredAt,
        };
    }

    /// <summary>The log type of an event.</summary>
    public static WarningLogEventType TypeOf(WarningLogEvent e) => e switch
    {
        WarningRaised => WarningLogEventType.Raised,
        WarningGradeChanged => WarningLogEventType.GradeChanged,
        WarningEscalated => WarningLogEventType.Escalated,
        WarningCleared => WarningLogEventType.Cleared,
        _ => throw new ArgumentOutOfRangeException(nameof(e), e.EventType, "not a warning log event"),
    };
}
