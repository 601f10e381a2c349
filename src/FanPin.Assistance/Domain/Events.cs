namespace FanPin.Assistance.Domain;

/// <summary>
/// Something the assistance service announces. Aggregates collect them; <c>AssistanceDbContext.SaveChangesAsync</c>
/// hands them to <c>IDomainEventStaging</c> in the same transaction as the change.
/// </summary>
public abstract record DomainEvent
{
    /// <summary>Unique id; consumers deduplicate by it.</summary>
    public Guid EventId { get; init; } = Guid.CreateVersion7();

    /// <summary>When it happened.</summary>
    public required DateTimeOffset OccurredAt { get; init; }

    /// <summary>The household's 12-digit village code.</summary>
    public required string RegionCode { get; init; }

    /// <summary>The household.</summary>
    public required Guid HouseholdId { get; init; }

    /// <summary>Type name as stored and routed.</summary>
    public string EventType => GetType().Name;
}

/// <summary>A confirmed measure was handed to a department or township (清单交办).</summary>
public sealed record TaskAssigned(Guid TaskId, Guid PlanId, string MeasureCode, AssigneeKind AssigneeKind, string Assignee, DateOnly DueOn, int PlanVersion) : DomainEvent;

/// <summary>A task was done.</summary>
public sealed record TaskCompleted(Guid TaskId, string MeasureCode, long AmountFen, long YearlyIncomeEffectFen, string EvidenceReference, DateOnly CompletedOn) : DomainEvent;

/// <summary>An open task passed its deadline (限时办结: escalate).</summary>
public sealed record TaskOverdue(Guid TaskId, Guid PlanId, string MeasureCode, AssigneeKind AssigneeKind, string Assignee, DateOnly DueOn, DateOnly DetectedOn) : DomainEvent;

/// <summary>
/// Every task of the household is done and its income is stable above the line with no guarantee gap: the
/// registry opens the closing case (its RiskEliminationProposedMessage: EventId, HouseholdId, IncomeStableSince, Summary).
/// </summary>
public sealed record RiskEliminationProposed(Guid PlanId, int PlanVersion, DateOnly IncomeStableSince, long PerCapitaIncomeFen, long MonitoringLineFen, string Summary) : DomainEvent;

/// <summary>An aggregate that records its events until saved.</summary>
public abstract class AggregateRoot
{
    private static long _ticket;
    private readonly List<(long Ticket, DomainEvent Event)> _events = [];

    /// <summary>Events raised since the last save.</summary>
    public IReadOnlyList<DomainEvent> DomainEvents => _events.Select(e => e.Event).ToList();

    internal IEnumerable<(long Ticket, DomainEvent Event)> TicketedEvents => _events;

    /// <summary>Records an event.</summary>
    protected void Raise(DomainEvent e) => _events.Add((Interlocked.Increment(ref _ticket), e));

    internal void ClearDomainEvents() => _events.Clear();
}
