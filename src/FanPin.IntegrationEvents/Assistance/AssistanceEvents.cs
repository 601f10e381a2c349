namespace FanPin.IntegrationEvents;

/// <summary>A confirmed measure became a task handed to a department or township (清单交办), with its deadline.</summary>
public sealed record TaskAssigned : IntegrationEvent
{
    public required Guid TaskId { get; init; }

    public required Guid PlanId { get; init; }

    /// <summary>The catalogue measure's code.</summary>
    public required string MeasureCode { get; init; }

    /// <summary>"Department" or "Township".</summary>
    public required string AssigneeKind { get; init; }

    /// <summary>Department code or township region code.</summary>
    public required string Assignee { get; init; }

    public required DateOnly DueDate { get; init; }
}

/// <summary>An assistance task handed to a department or township passed its deadline.</summary>
public sealed record TaskOverdue : IntegrationEvent
{
    public required Guid TaskId { get; init; }

    public required Guid PlanId { get; init; }

    /// <summary>"Department" or "Township".</summary>
    public required string AssigneeKind { get; init; }

    /// <summary>Department code or township region code.</summary>
    public required string Assignee { get; init; }

    public required DateOnly DueDate { get; init; }
}

/// <summary>The plan's measures have worked well enough to propose closing (风险消除) to the registry.</summary>
public sealed record RiskEliminationProposed : IntegrationEvent
{
    public required Guid PlanId { get; init; }

    /// <summary>Why: e.g. "IncomeStableAboveLine6Months", "GuaranteeGapsClosed".</summary>
    public required IReadOnlyList<string> Basis { get; init; }

    /// <summary>
    /// First day of the period in which income has been stable above the line. The registry opens a closing case
    /// only with it (and only when it lies as many months back as the province policy asks, e.g. six).
    /// </summary>
    public DateOnly? IncomeStableSince { get; init; }

    /// <summary>Why, in words, shown on the closing case (default: the basis codes).</summary>
    public string? Summary { get; init; }
}
