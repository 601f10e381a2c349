using FanPin.Registry.Domain;
using D = FanPin.Registry.Domain.Events;
using I = FanPin.IntegrationEvents;

namespace FanPin.Registry.Infrastructure;

/// <summary>
/// Each registry domain event as the integration event other services read (FanPin.IntegrationEvents). Enums go
/// out by name; household events carry the household's snapshot (members with their ID hashes, as lower-case hex).
/// </summary>
public static class RegistryEventMapping
{
    /// <summary>
    /// The integration event of <paramref name="domainEvent"/>. <paramref name="households"/> are the tracked
    /// households of the unit of work (with their members loaded); <paramref name="snapshots"/> caches their
    /// snapshots, so every event of one commit carries the same one.
    /// </summary>
    public static I.IntegrationEvent ToIntegrationEvent(D.DomainEvent domainEvent, IReadOnlyDictionary<Guid, Household> households, Dictionary<Guid, I.HouseholdSnapshot> snapshots)
    {
        ArgumentNullException.ThrowIfNull(domainEvent);
        I.HouseholdSnapshot Snapshot()
        {
            if (!snapshots.TryGetValue(domainEvent.HouseholdId, out var snapshot))
            {
                var household = households.GetValueOrDefault(domainEvent.HouseholdId)
                    ?? throw new InvalidOperationException($"{domainEvent.EventType} of household {domainEvent.HouseholdId}: the household is not in the unit of work.");
                snapshots[household.Id] = snapshot = SnapshotOf(household);
            }
            return snapshot;
        }
        var occurredAt = domainEvent.OccurredAt.ToUniversalTime();
        return domainEvent switch
        {
            D.HouseholdRegistered e => new I.HouseholdRegistered
            {
                EventId = e.EventId, OccurredAt = occurredAt, RegionCode = e.RegionCode, HouseholdId = e.HouseholdId,
                Category = e.Category.ToString(), MemberCount = e.MemberCount, Origin = e.Origin, Household = Snapshot(),
            },
            D.HouseholdChanged e => new I.HouseholdChanged
            {
                EventId = e.EventId, OccurredAt = occurredAt, RegionCode = e.RegionCode, HouseholdId = e.HouseholdId,
                ChangedFields = e.Changed, Version = Snapshot().Version, Household = Snapshot(),
            },
            D.MemberChanged e => new I.MemberChanged
            {
                EventId = e.EventId, OccurredAt = occurredAt, RegionCode = e.RegionCode, HouseholdId = e.HouseholdId,
                MemberId = e.MemberId, ChangeKind = ChangeKindOf(e.Kind), ChangedFields = e.ChangedFields, RegistryKind = e.Kind.ToString(),
                EffectiveOn = e.EffectiveOn, OtherHouseholdId = e.OtherHouseholdId,
                Member = households.GetValueOrDefault(e.HouseholdId)?.AllMembers.FirstOrDefault(m => m.Id == e.MemberId) is { } member ? MemberOf(member) : null,
                Household = Snapshot(),
            },
            D.IdentificationCaseOpened e => new I.IdentificationCaseOpened
            {
                EventId = e.EventId, OccurredAt = occurredAt, RegionCode = e.RegionCode, HouseholdId = e.HouseholdId,
                CaseId = e.CaseId, Source = e.Source.ToString(), State = e.State.ToString(), PolicyProvince = e.PolicyProvince, PolicyVersion = e.PolicyVersion,
                VerificationDueOn = e.VerificationDueOn, DecisionDueOn = e.DecisionDueOn,
            },
            D.IdentificationCaseAdvanced e => new I.IdentificationCaseAdvanced
            {
                EventId = e.EventId, OccurredAt = occurredAt, RegionCode = e.RegionCode, HouseholdId = e.HouseholdId,
                CaseId = e.CaseId, FromStep = e.From.ToString(), ToStep = e.To.ToString(), Action = e.Action,
            },
            D.HouseholdIdentified e => new I.HouseholdIdentified
            {
                EventId = e.EventId, OccurredAt = occurredAt, RegionCode = e.RegionCode, HouseholdId = e.HouseholdId,
                CaseId = e.CaseId, MonitoringType = e.MonitoringType.ToString(), RiskTypes = e.RiskTypes.Select(r => r.ToString()).ToList(),
            },
            D.IdentificationRejected e => new I.IdentificationRejected
            {
                EventId = e.EventId, OccurredAt = occurredAt, RegionCode = e.RegionCode, HouseholdId = e.HouseholdId,
                CaseId = e.CaseId, Step = e.AtState.ToString(), ReasonCode = ReasonCodeOf(e.Action), Reason = e.Reason,
            },
            D.ClosingCaseOpened e => new I.ClosingCaseOpened
            {
                EventId = e.EventId, OccurredAt = occurredAt, RegionCode = e.RegionCode, HouseholdId = e.HouseholdId,
                CaseId = e.CaseId, Source = e.Source.ToString(), State = e.State.ToString(),
            },
            D.ClosingCaseAdvanced e => new I.ClosingCaseAdvanced
            {
                EventId = e.EventId, OccurredAt = occurredAt, RegionCode = e.RegionCode, HouseholdId = e.HouseholdId,
                CaseId = e.CaseId, FromStep = e.From.ToString(), ToStep = e.To.ToString(), Action = e.Action,
            },
            D.ClosingRejected e => new I.ClosingRejected
            {
                EventId = e.EventId, OccurredAt = occurredAt, RegionCode = e.RegionCode, HouseholdId = e.HouseholdId,
                CaseId = e.CaseId, Step = e.AtState.ToString(), Reason = e.Reason,
            },
            D.RiskEliminated e => new I.RiskEliminated
            {
                EventId = e.EventId, OccurredAt = occurredAt, RegionCode = e.RegionCode, HouseholdId = e.HouseholdId,
                CaseId = e.CaseId, EliminatedOn = e.EliminatedOn,
            },
            _ => throw new InvalidOperationException($"No integration event for the domain event {domainEvent.EventType}."),
        };
    }

    /// <summary>The household as it stands (current members only).</summary>
    public static I.HouseholdSnapshot SnapshotOf(Household household) => new()
    {
        Version = household.Revision,
        Category = household.Category.ToString(),
        MinimumLivingGuarantee = household.MinimumLivingGuarantee,
        ExtremePovertySupport = household.ExtremePovertySupport,
        Status = household.Status.ToString(),
        MonitoringType = household.MonitoringType?.ToString(),
        RiskTypes = household.RiskTypes.Select(r => r.ToString()).ToList(),
        MemberCount = household.MemberCount,
        Members = household.Members.Select(MemberOf).ToList(),
        Dissolved = household.DissolvedOn is not null,
        MergedIntoId = household.MergedIntoId,
    };

    /// <summary>A member as events show it.</summary>
    public static I.RegistryMember MemberOf(Member member) => new()
    {
        MemberId = member.Id,
        IdNumberHash = Convert.ToHexStringLower(member.IdNumberHash),
        Relation = member.Relation.ToString(),
        LabourAbility = member.LabourAbility.ToString(),
        Health = member.Health.ToString(),
        DisabilityGrade = member.DisabilityGrade,
        Schooling = member.Schooling.ToString(),
        BirthDate = member.BirthDate,
        MedicalInsured = member.MedicalInsured,
        PensionInsured = member.PensionInsured,
    };

    /// <summary>The contract's change kinds (joins and departures by cause; splits and merges are moves).</summary>
    public static string ChangeKindOf(MemberChangeKind kind) => kind switch
    {
        MemberChangeKind.Birth => "Born",
        MemberChangeKind.Death => "Died",
        MemberChangeKind.MarriageIn => "MarriedIn",
        MemberChangeKind.MarriageOut => "MarriedOut",
        MemberChangeKind.SplitIn or MemberChangeKind.MergeIn => "MovedIn",
        MemberChangeKind.SplitOut or MemberChangeKind.MergeOut => "MovedOut",
        MemberChangeKind.Corrected => "Changed",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown member change kind"),
    };

    /// <summary>Why an identification case was rejected, as a code: by the step action that rejected it.</summary>
    public static string ReasonCodeOf(string action) => action switch
    {
        "record_home_verification" => "StandardNotMet",
        "record_democratic_appraisal" => "AppraisalNotApproved",
        "record_data_comparison" => "Excluded",
        _ => "Rejected",
    };
}
