using FanPin.Policies;

namespace FanPin.Monitoring.Domain.Events;

/// <summary>
/// Something that happened in monitoring that other services must hear about. Use cases raise them on
/// <c>MonitoringDbContext.Raise</c>; <c>MonitoringDbContext.SaveChangesAsync</c> hands them to
/// <c>IDomainEventStaging</c> in the same transaction as the state change: THE hook where they become
/// integration events in the outbox (docs/monitoring.md, "Events").
/// </summary>
public abstract record DomainEvent
{
    /// <summary>Unique id (UUIDv7); consumers deduplicate by it. Use it as the integration event's id.</summary>
    public Guid EventId { get; init; } = Guid.CreateVersion7();

    /// <summary>When it happened (UTC).</summary>
    public required DateTimeOffset OccurredAt { get; init; }

    /// <summary>The 12-digit region code: the household's village, or the region a feed belongs to (prefix padded with zeros).</summary>
    public required string RegionCode { get; init; }

    /// <summary>The household concerned; null for feed events.</summary>
    public required Guid? HouseholdId { get; init; }

    /// <summary>The event's type name as stored and routed.</summary>
    public string EventType => GetType().Name;
}

/// <summary>
/// An evaluation of a household changed its findings (signals, exclusion facts, labour abilities or category):
/// raised once per household per evaluation that changed something, never when nothing changed. Carries the
/// whole evaluation, so grading can grade and explain without calling back.
/// </summary>
/// <param name="Category">Household category the thresholds were taken for.</param>
/// <param name="PolicyProvince">Province of the policy applied ("00" for the built-in default).</param>
/// <param name="PolicyVersion">Version of the policy applied.</param>
/// <param name="Summary">Per-capita income and line, income by category, rigid costs and ratio, drop, transfer share, windows.</param>
/// <param name="Signals">Every signal that fired, with inputs, thresholds, comparison, policy key and explanation. Empty when every earlier signal has cleared.</param>
/// <param name="GuaranteeGaps">The guarantee gaps (also present as signals).</param>
/// <param name="Exclusions">Exclusion facts from department feeds (for the registry's data comparison).</param>
/// <param name="LabourAbilities">Labour abilities of the current members, as far as the registry reported them.</param>
/// <param name="PreviousSignalCodes">Signal codes of the previous evaluation (what cleared, what is new).</param>
/// <param name="Sequence">Position in the signal change log (the WatchSignals cursor).</param>
public sealed record RiskSignalsDetected(
    HouseholdCategory Category,
    string PolicyProvince,
    int PolicyVersion,
    IncomeSummary Summary,
    IReadOnlyList<RiskSignal> Signals,
    IReadOnlyList<GuaranteeGap> GuaranteeGaps,
    IReadOnlyList<ExclusionFactView> Exclusions,
    IReadOnlyList<LabourAbility> LabourAbilities,
    IReadOnlyList<string> PreviousSignalCodes,
    long Sequence) : DomainEvent;

/// <summary>
/// An expected department feed did not arrive by its due date (raised by the schedule check), or arrived after
/// it before the check noticed (raised by the import, with <paramref name="ArrivedAt"/>). Once per department,
/// region and period. Region: the county expecting it.
/// </summary>
/// <param name="Department">Department name (<c>medical-insurance</c>).</param>
/// <param name="Period">Reporting month, "yyyy-MM".</param>
/// <param name="DueOn">Due date under the policy.</param>
/// <param name="ArrivedAt">When it arrived, for a late arrival; null while missing.</param>
public sealed record FeedOverdue(string Department, string Period, DateOnly DueOn, DateTimeOffset? ArrivedAt) : DomainEvent;

/// <summary>
/// A feed arrived but looks wrong against the department's usual feeds (match rate far below the usual,
/// too many invalid rows, far fewer rows). Once per feed and kind. Region: the feed's region scope.
/// </summary>
/// <param name="Department">Department name.</param>
/// <param name="Period">Reporting month, "yyyy-MM".</param>
/// <param name="FeedId">The department's feed id.</param>
/// <param name="Kind">LowMatchRate, HighErrorRate or RowCountDrop.</param>
/// <param name="Detail">The figures, in words.</param>
/// <param name="RowCount">Rows of the feed.</param>
/// <param name="MatchRate">Its match rate.</param>
/// <param name="ErrorRate">Its error rate.</param>
public sealed record FeedAnomaly(string Department, string Period, string FeedId, string Kind, string Detail, int RowCount,
    decimal? MatchRate, decimal? ErrorRate) : DomainEvent;
