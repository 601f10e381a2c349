namespace FanPin.IntegrationEvents;

/// <summary>
/// A household received a warning grade. <see cref="Sequence"/> is the grading service's position in its
/// durable warning log: downstream systems resume their watch from it and can detect gaps.
/// </summary>
[PublicEvent("warning", "raised")]
public sealed record WarningRaised : IntegrationEvent
{
    /// <summary>The warning's id (stable through grade changes, escalation and clearing).</summary>
    public required Guid WarningId { get; init; }

    /// <summary>The grade given.</summary>
    public required WarningGrade Grade { get; init; }

    /// <summary>The policy rule that decided the grade (e.g. "gs-2024.grade-i.income-below-line").</summary>
    public required string ReasonRuleId { get; init; }

    /// <summary>Position in the province's warning log: strictly increasing and gap-free per province (the first two digits of the region code).</summary>
    public required long Sequence { get; init; }

    /// <summary>The household's risk types as the registry names them ("Illness", "Disability", "Schooling", ...); empty when none is recorded.</summary>
    public IReadOnlyList<string> RiskTypes { get; init; } = [];

    /// <summary>The signal codes behind the grade (monitoring's codes, e.g. "MedicalCostAboveWarningLine"); empty when the grade rests on household facts alone.</summary>
    public IReadOnlyList<string> SignalCodes { get; init; } = [];

    /// <summary>The household's category ("PovertyAlleviated" or "Ordinary"); null when grading does not know it yet.</summary>
    public string? HouseholdCategory { get; init; }

    /// <summary>The labour ability of each current member ("Full", "Partial", "Lost", "None"), so assistance can fit measures without asking the registry.</summary>
    public IReadOnlyList<string> MemberLabourAbilities { get; init; } = [];
}

/// <summary>A warning was re-graded because the household's data changed.</summary>
[PublicEvent("warning", "grade-changed")]
public sealed record WarningGradeChanged : IntegrationEvent
{
    public required Guid WarningId { get; init; }

    public required WarningGrade PreviousGrade { get; init; }

    public required WarningGrade Grade { get; init; }

    public required string ReasonRuleId { get; init; }

    public required long Sequence { get; init; }

    /// <summary>The household's risk types as the registry names them ("Illness", "Disability", "Schooling", ...); empty when none is recorded.</summary>
    public IReadOnlyList<string> RiskTypes { get; init; } = [];

    /// <summary>The signal codes behind the grade (monitoring's codes, e.g. "MedicalCostAboveWarningLine"); empty when the grade rests on household facts alone.</summary>
    public IReadOnlyList<string> SignalCodes { get; init; } = [];

    /// <summary>The household's category ("PovertyAlleviated" or "Ordinary"); null when grading does not know it yet.</summary>
    public string? HouseholdCategory { get; init; }

    /// <summary>The labour ability of each current member ("Full", "Partial", "Lost", "None"), so assistance can fit measures without asking the registry.</summary>
    public IReadOnlyList<string> MemberLabourAbilities { get; init; } = [];
}

/// <summary>A warning was escalated because its handling is overdue (限时办结).</summary>
[PublicEvent("warning", "escalated")]
public sealed record WarningEscalated : IntegrationEvent
{
    public required Guid WarningId { get; init; }

    public required WarningGrade Grade { get; init; }

    public required string ReasonRuleId { get; init; }

    /// <summary>The escalation step reached: 1 = county dispatch centre, 2 = city, 3 = province.</summary>
    public required int EscalationLevel { get; init; }

    public required long Sequence { get; init; }
}

/// <summary>A warning was cleared (解除预警); the household stays under monitoring.</summary>
[PublicEvent("warning", "cleared")]
public sealed record WarningCleared : IntegrationEvent
{
    public required Guid WarningId { get; init; }

    /// <summary>The grade the warning had when it was cleared.</summary>
    public required WarningGrade PreviousGrade { get; init; }

    public required string ReasonRuleId { get; init; }

    public required long Sequence { get; init; }
}
