using FanPin.Policies;

namespace FanPin.Registry.Domain.Events;

/// <summary>
/// Something that happened in the registry that other services must hear about. Aggregates collect them;
/// <c>RegistryDbContext.SaveChangesAsync</c> hands them to <c>IDomainEventStaging</c> in the same transaction
/// as the state change (the one hook where they become integration events in the outbox).
/// </summary>
public abstract record DomainEvent
{
    /// <summary>Unique id; consumers deduplicate by it.</summary>
    public Guid EventId { get; init; } = Guid.CreateVersion7();

    /// <summary>When it happened.</summary>
    public required DateTimeOffset OccurredAt { get; init; }

    /// <summary>The household's 12-digit village code (subscriptions filter by region prefix).</summary>
    public required string RegionCode { get; init; }

    /// <summary>The household concerned.</summary>
    public required Guid HouseholdId { get; init; }

    /// <summary>The event's type name as stored and routed.</summary>
    public string EventType => GetType().Name;
}

/// <summary>A household was registered (created, imported, or split off another).</summary>
public sealed record HouseholdRegistered(HouseholdCategory Category, MonitoringStatus Status, int MemberCount, string Origin) : DomainEvent;

/// <summary>Household facts changed (category, assistance flags, monitoring status or type, risk types, helper, member facts).</summary>
public sealed record HouseholdChanged(
    IReadOnlyList<string> Changed,
    HouseholdCategory Category,
    MonitoringStatus Status,
    MonitoringType? MonitoringType,
    IReadOnlyList<RiskType> RiskTypes,
    int MemberCount) : DomainEvent;

/// <summary>A member joined or left, or a member's facts were corrected (dated, kept as history).</summary>
public sealed record MemberChanged(Guid MemberId, MemberChangeKind Kind, DateOnly EffectiveOn, Guid? OtherHouseholdId, int MemberCount) : DomainEvent
{
    /// <summary>For corrections: the facts that changed ("LabourAbility", ...); empty otherwise.</summary>
    public IReadOnlyList<string> ChangedFields { get; init; } = [];
}

/// <summary>An identification case was opened; the household is a candidate.</summary>
public sealed record IdentificationCaseOpened(
    Guid CaseId,
    CaseSource Source,
    IdentificationState State,
    string PolicyProvince,
    int PolicyVersion,
    DateOnly? VerificationDueOn,
    DateOnly? DecisionDueOn) : DomainEvent;

/// <summary>An identification case moved to its next step (or was reopened by an objection).</summary>
public sealed record IdentificationCaseAdvanced(Guid CaseId, IdentificationState From, IdentificationState To, string Action) : DomainEvent;

/// <summary>The county entered the household: it is monitored, with type, risk types and helper.</summary>
public sealed record HouseholdIdentified(Guid CaseId, MonitoringType MonitoringType, IReadOnlyList<RiskType> RiskTypes, string HelperName, string HelperOrganisation) : DomainEvent;

/// <summary>An identification case was rejected with a written notice (书面告知).</summary>
public sealed record IdentificationRejected(Guid CaseId, IdentificationState AtState, string Reason) : DomainEvent
{
    /// <summary>The step action that rejected it: record_home_verification, record_democratic_appraisal, record_data_comparison, reject.</summary>
    public string Action { get; init; } = "reject";
}

/// <summary>A closing case (风险消除) was opened for a monitored household.</summary>
public sealed record ClosingCaseOpened(Guid CaseId, ClosingSource Source, ClosingState State, string PolicyProvince, int PolicyVersion) : DomainEvent;

/// <summary>A closing case moved to its next step.</summary>
public sealed record ClosingCaseAdvanced(Guid CaseId, ClosingState From, ClosingState To, string Action) : DomainEvent;

/// <summary>A closing case ended without closing: the household stays monitored.</summary>
public sealed record ClosingRejected(Guid CaseId, ClosingState AtState, string Reason) : DomainEvent
{
    /// <summary>The step action that ended it: record_appraisal, record_township_review, record_objection, reject.</summary>
    public string Action { get; init; } = "reject";
}

/// <summary>The county marked the risk eliminated (标注"致贫风险消除"); the household stays under watch.</summary>
public sealed record RiskEliminated(Guid CaseId, DateOnly EliminatedOn) : DomainEvent;
