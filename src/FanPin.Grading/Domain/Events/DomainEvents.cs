namespace FanPin.Grading.Domain.Events;

/// <summary>
/// Something that happened in grading that other services must hear about. Aggregates and use cases collect
/// them; <c>GradingDbContext.SaveChangesAsync</c> (and the bulk re-grade, in its own transaction) hands them to
/// <c>IDomainEventStaging</c> in the same transaction as the state change: THE hook where the outbox staging turns
/// them into integration events in the outbox.
/// </summary>
public abstract record DomainEvent
{
    /// <summary>Unique id (UUIDv7); reuse it as the integration event's id so consumers deduplicate.</summary>
    public Guid EventId { get; init; } = Guid.CreateVersion7();

    /// <summary>When it happened (UTC).</summary>
    public required DateTimeOffset OccurredAt { get; init; }

    /// <summary>The 12-digit region code it belongs to (the household's village; a province's code for policy events).</summary>
    public required string RegionCode { get; init; }

    /// <summary>The household concerned; null for policy events.</summary>
    public Guid? HouseholdId { get; init; }

    /// <summary>The event's type name.</summary>
    public string EventType => GetType().Name;
}

/// <summary>
/// A warning event of the public stream: written to the durable warning log with a gap-free sequence per
/// province (<see cref="Sequence"/>, assigned in the saving transaction), published on the bus and on the public
/// CloudEvents exchange, and replayed by WatchWarnings.
/// </summary>
public abstract record WarningLogEvent : DomainEvent
{
    /// <summary>The warning (stable through grade changes, escalation and clearing).</summary>
    public required Guid WarningId { get; init; }

    /// <summary>The warning's grade after the event (for a clearing: the grade it had).</summary>
    public required WarningGrade Grade { get; init; }

    /// <summary>The rule behind the event (a grading rule id, or <see cref="RuleIds.EscalationOverdue"/>).</summary>
    public required string RuleId { get; init; }

    /// <summary>The warning's status after the event.</summary>
    public required WarningStatus Status { get; init; }

    /// <summary>The escalation level after the event.</summary>
    public required int EscalationLevel { get; init; }

    /// <summary>The response deadline after the event (null once cleared).</summary>
    public required DateOnly? DueOn { get; init; }

    /// <summary>The province (first two digits of the region code): the sequence's scope.</summary>
    public string Province => RegionCode[..2];

    /// <summary>Position in the province's warning log; 0 until the saving transaction assigns it.</summary>
    public long Sequence { get; set; }
}

/// <summary>A household received a warning grade: a new warning (WarningRaised).</summary>
public sealed record WarningRaised : WarningLogEvent;

/// <summary>A warning's grade changed (upgrade or downgrade; the same warning keeps its history).</summary>
public sealed record WarningGradeChanged : WarningLogEvent
{
    /// <summary>The grade before.</summary>
    public required WarningGrade PreviousGrade { get; init; }
}

/// <summary>A warning's response deadline passed: it went one level up (限时办结).</summary>
public sealed record WarningEscalated : WarningLogEvent;

/// <summary>A warning was cleared (解除预警); <see cref="WarningLogEvent.Grade"/> is the grade it had.</summary>
public sealed record WarningCleared : WarningLogEvent;

/// <summary>The county acknowledged a warning (internal: not in the public stream).</summary>
public sealed record WarningAcknowledged : DomainEvent
{
    /// <summary>The warning.</summary>
    public required Guid WarningId { get; init; }

    /// <summary>Who acknowledged it.</summary>
    public required string By { get; init; }
}

/// <summary>A warning was handed to the township and named departments (清单交办); assistance and notification act on it.</summary>
public sealed record WarningDispatched : DomainEvent
{
    /// <summary>The warning.</summary>
    public required Guid WarningId { get; init; }

    /// <summary>The warning's grade.</summary>
    public required WarningGrade Grade { get; init; }

    /// <summary>The township's 12-digit code.</summary>
    public required string TownshipCode { get; init; }

    /// <summary>Departments (the <c>dept</c> claim names, e.g. <c>civil-affairs</c>).</summary>
    public required IReadOnlyList<string> Departments { get; init; }

    /// <summary>The response deadline.</summary>
    public required DateOnly DueOn { get; init; }

    /// <summary>Who dispatched it.</summary>
    public required string By { get; init; }
}

/// <summary>Assistance started on a warning (the response deadline is met).</summary>
public sealed record WarningAssistanceStarted : DomainEvent
{
    /// <summary>The warning.</summary>
    public required Guid WarningId { get; init; }

    /// <summary>Who reported it.</summary>
    public required string By { get; init; }
}

/// <summary>A province published a policy version (registry and monitoring apply policies too).</summary>
public sealed record PolicyVersionPublished : DomainEvent
{
    /// <summary>2-digit province code.</summary>
    public required string Province { get; init; }

    /// <summary>The version.</summary>
    public required int Version { get; init; }

    /// <summary>First day in force.</summary>
    public required DateOnly EffectiveFrom { get; init; }

    /// <summary>The complete stored document (YAML).</summary>
    public required string Document { get; init; }
}
