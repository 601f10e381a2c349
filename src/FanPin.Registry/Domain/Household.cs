using System.Text.Json;
using FanPin.Policies;
using FanPin.Registry.Domain.Events;

namespace FanPin.Registry.Domain;

/// <summary>A new member: the protected ID number and the facts.</summary>
public sealed record NewMember(ProtectedIdNumber IdNumber, MemberFacts Facts);

/// <summary>
/// The household (农户), the registry's unit, with its members and their dated history. Status changes go
/// through the identification and closing procedures; natural member changes take effect at once.
/// </summary>
public sealed class Household : AggregateRoot
{
    private readonly List<Member> _members = [];
    private readonly List<MemberChange> _changes = [];

    private Household()
    {
    }

    /// <summary>Identifier.</summary>
    public Guid Id { get; private set; }

    /// <summary>The village (12 digits).</summary>
    public string RegionCode { get; private set; } = "";

    /// <summary>户类别.</summary>
    public HouseholdCategory Category { get; private set; }

    /// <summary>低保.</summary>
    public bool MinimumLivingGuarantee { get; private set; }

    /// <summary>特困供养.</summary>
    public bool ExtremePovertySupport { get; private set; }

    /// <summary>Monitoring status.</summary>
    public MonitoringStatus Status { get; private set; }

    /// <summary>Monitoring type, once identified.</summary>
    public MonitoringType? MonitoringType { get; private set; }

    /// <summary>Risk types as a bit mask (<see cref="RiskTypeSet"/>).</summary>
    public int RiskTypeMask { get; private set; }

    /// <summary>Risk types.</summary>
    public IReadOnlyList<RiskType> RiskTypes => RiskTypeSet.FromMask(RiskTypeMask);

    /// <summary>The responsible helper, once assigned.</summary>
    public ResponsibleHelper? Helper { get; private set; }

    /// <summary>Current members (maintained for the ledger's person counts).</summary>
    public int MemberCount { get; private set; }

    /// <summary>The head's name (maintained for lists).</summary>
    public string HeadName { get; private set; } = "";

    /// <summary>When a merge or the last member's departure ended the household.</summary>
    public DateOnly? DissolvedOn { get; private set; }

    /// <summary>The household it was merged into.</summary>
    public Guid? MergedIntoId { get; private set; }

    /// <summary>Registered at.</summary>
    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>Last changed at.</summary>
    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>Row version (PostgreSQL xmin) for optimistic concurrency.</summary>
    public uint Version { get; private set; }

    /// <summary>
    /// The household's revision: 1 at registration, one more for every saved unit of work that announced a change
    /// of it (the version its integration events carry; consumers keep the newest).
    /// </summary>
    public long Revision { get; private set; } = 1;

    /// <summary>Every member ever, current and former.</summary>
    public IReadOnlyList<Member> AllMembers => _members;

    /// <summary>Current members.</summary>
    public IEnumerable<Member> Members => _members.Where(m => m.IsCurrent);

    /// <summary>The dated member history.</summary>
    public IReadOnlyList<MemberChange> Changes => _changes;

    /// <summary>Registers a household; the input was validated (one head, valid IDs, a village).</summary>
    public static Household Register(
        Guid id, RegionCode village, HouseholdCategory category, bool minimumLivingGuarantee, bool extremePovertySupport,
        IReadOnlyList<NewMember> members, DateOnly today, DateTimeOffset now, string origin)
    {
        var household = new Household
        {
            Id = id,
            RegionCode = village.Value,
            Category = category,
            MinimumLivingGuarantee = minimumLivingGuarantee,
            ExtremePovertySupport = extremePovertySupport,
            Status = MonitoringStatus.NotMonitored,
            CreatedAt = now,
            UpdatedAt = now,
        };
        foreach (var member in members)
        {
            household._members.Add(new Member(Guid.CreateVersion7(), id, member.IdNumber, member.Facts, today, null));
        }
        household.Recount();
        household.Raise(new HouseholdRegistered(category, household.Status, household.MemberCount, origin)
        {
            OccurredAt = now,
            RegionCode = household.RegionCode,
            HouseholdId = id,
        });
        return household;
    }

    /// <summary>Changes household-level facts; raises <see cref="HouseholdChanged"/> when anything changed.</summary>
    public void UpdateFacts(HouseholdCategory category, bool minimumLivingGuarantee, bool extremePovertySupport, DateTimeOffset now)
    {
        var changed = new List<string>();
        if (Category != category)
        {
            changed.Add("category");
        }
        if (MinimumLivingGuarantee != minimumLivingGuarantee)
        {
            changed.Add("minimum_living_guarantee");
        }
        if (ExtremePovertySupport != extremePovertySupport)
        {
            changed.Add("extreme_poverty_support");
        }
        Category = category;
        MinimumLivingGuarantee = minimumLivingGuarantee;
        ExtremePovertySupport = extremePovertySupport;
        Changed(changed, now);
    }

    /// <summary>Corrects a current member's facts, keeping the before and after in the history.</summary>
    public bool CorrectMember(Guid memberId, MemberFacts facts, DateOnly today, DateTimeOffset now, string actor)
    {
        var member = CurrentMember(memberId);
        var before = member.Facts;
        if (before == facts)
        {
            return false;
        }
        member.Apply(facts);
        var details = JsonSerializer.Serialize(new { before, after = facts }, DetailsJson);
        _changes.Add(new MemberChange(Id, memberId, MemberChangeKind.Corrected, today, now, actor, null, details));
        Recount();
        Raise(new MemberChanged(memberId, MemberChangeKind.Corrected, today, null, MemberCount) { OccurredAt = now, RegionCode = RegionCode, HouseholdId = Id, ChangedFields = ChangedFacts(before, facts) });
        return true;
    }

    /// <summary>A member joins (birth, marriage in, split in, merge in), effective on <paramref name="effectiveOn"/>.</summary>
    public Member AddMember(NewMember member, MemberChangeKind kind, DateOnly effectiveOn, DateTimeOffset now, string actor, Guid? otherHouseholdId = null)
    {
        var added = new Member(Guid.CreateVersion7(), Id, member.IdNumber, member.Facts, effectiveOn, kind);
        _members.Add(added);
        _changes.Add(new MemberChange(Id, added.Id, kind, effectiveOn, now, actor, otherHouseholdId, null));
        DissolvedOn = null;
        Recount();
        Raise(new MemberChanged(added.Id, kind, effectiveOn, otherHouseholdId, MemberCount) { OccurredAt = now, RegionCode = RegionCode, HouseholdId = Id });
        return added;
    }

    /// <summary>
    /// A member leaves (death, marriage out, split out, merge out). When the head leaves and others remain,
    /// <paramref name="newHeadId"/> names the new head. When the last member leaves, the household is dissolved.
    /// </summary>
    public void RemoveMember(Guid memberId, MemberChangeKind kind, DateOnly effectiveOn, Guid? newHeadId, DateTimeOffset now, string actor, Guid? otherHouseholdId = null)
    {
        var member = CurrentMember(memberId);
        member.Leave(effectiveOn, kind);
        _changes.Add(new MemberChange(Id, memberId, kind, effectiveOn, now, actor, otherHouseholdId, null));
        if (member.Relation == Relation.Head && newHeadId is { } headId)
        {
            CurrentMember(headId).BecomeHead();
        }
        Recount();
        if (MemberCount == 0)
        {
            DissolvedOn = effectiveOn;
        }
        Raise(new MemberChanged(memberId, kind, effectiveOn, otherHouseholdId, MemberCount) { OccurredAt = now, RegionCode = RegionCode, HouseholdId = Id });
    }

    /// <summary>Marks this household merged into <paramref name="targetId"/> (its members have left with MergeOut).</summary>
    public void MarkMergedInto(Guid targetId, DateOnly on, DateTimeOffset now)
    {
        MergedIntoId = targetId;
        DissolvedOn = on;
        Changed(["merged_into"], now);
    }

    /// <summary>An identification case opened: the household becomes a candidate.</summary>
    public void BecomeCandidate(DateTimeOffset now)
    {
        Status = MonitoringStatus.Candidate;
        Changed(["status"], now);
    }

    /// <summary>The identification case was rejected: back to the status before it.</summary>
    public void ReturnFromCandidate(MonitoringStatus previous, DateTimeOffset now)
    {
        Status = previous;
        Changed(["status"], now);
    }

    /// <summary>Entry (录入): monitored with type, risk types and helper.</summary>
    public void Identify(MonitoringType type, IReadOnlyCollection<RiskType> riskTypes, ResponsibleHelper helper, DateTimeOffset now)
    {
        Status = MonitoringStatus.Monitored;
        MonitoringType = type;
        RiskTypeMask = RiskTypeSet.ToMask(riskTypes);
        Helper = helper;
        Changed(["status", "monitoring_type", "risk_types", "helper"], now);
    }

    /// <summary>风险消除: still tracked, can be identified again.</summary>
    public void EliminateRisk(DateTimeOffset now)
    {
        Status = MonitoringStatus.RiskEliminated;
        Changed(["status"], now);
    }

    /// <summary>Assigns (or replaces) the responsible helper.</summary>
    public void AssignHelper(ResponsibleHelper helper, DateTimeOffset now)
    {
        Helper = helper;
        Changed(["helper"], now);
    }

    /// <summary>Called once per saved unit of work in which this household raised events (before they are staged).</summary>
    internal void NextRevision() => Revision++;

    /// <summary>Names of the facts that differ ("LabourAbility", "Health", ...).</summary>
    public static IReadOnlyList<string> ChangedFacts(MemberFacts before, MemberFacts after)
    {
        var changed = new List<string>();
        void Compare<T>(string name, T a, T b)
        {
            if (!EqualityComparer<T>.Default.Equals(a, b))
            {
                changed.Add(name);
            }
        }
        Compare(nameof(MemberFacts.Name), before.Name, after.Name);
        Compare(nameof(MemberFacts.Relation), before.Relation, after.Relation);
        Compare(nameof(MemberFacts.LabourAbility), before.LabourAbility, after.LabourAbility);
        Compare(nameof(MemberFacts.Health), before.Health, after.Health);
        Compare(nameof(MemberFacts.DisabilityGrade), before.DisabilityGrade, after.DisabilityGrade);
        Compare(nameof(MemberFacts.Schooling), before.Schooling, after.Schooling);
        Compare(nameof(MemberFacts.EmploymentLocation), before.EmploymentLocation, after.EmploymentLocation);
        Compare(nameof(MemberFacts.EmploymentMonths), before.EmploymentMonths, after.EmploymentMonths);
        Compare(nameof(MemberFacts.MedicalInsured), before.MedicalInsured, after.MedicalInsured);
        Compare(nameof(MemberFacts.PensionInsured), before.PensionInsured, after.PensionInsured);
        return changed;
    }

    /// <summary>The current member with this id, or <see cref="NotFoundException"/>.</summary>
    public Member CurrentMember(Guid memberId) =>
        _members.FirstOrDefault(m => m.Id == memberId && m.IsCurrent) ?? throw new NotFoundException("member", memberId.ToString());

    private void Recount()
    {
        MemberCount = _members.Count(m => m.IsCurrent);
        HeadName = _members.FirstOrDefault(m => m.IsCurrent && m.Relation == Relation.Head)?.Name ?? "";
    }

    private void Changed(IReadOnlyList<string> changed, DateTimeOffset now)
    {
        if (changed.Count == 0)
        {
            return;
        }
        UpdatedAt = now;
        Raise(new HouseholdChanged(changed, Category, Status, MonitoringType, RiskTypes, MemberCount) { OccurredAt = now, RegionCode = RegionCode, HouseholdId = Id });
    }

    private static readonly JsonSerializerOptions DetailsJson = new() { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };
}
