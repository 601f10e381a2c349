using System.Text.Json;
using System.Text.Json.Serialization;
using FanPin.Policies;
using FanPin.Registry.Domain.Events;

namespace FanPin.Registry.Domain;

/// <summary>An exclusion found by data comparison, with its stated reason (told to the household in writing).</summary>
public sealed record ExclusionFinding(ExclusionKind Kind, string Reason);

/// <summary>
/// An identification case (认定): opened from any source, it runs the steps the province's policy switches
/// on, under the policy version in force on the day it opened. Every transition is audited; a step out of
/// order fails with the current state.
/// </summary>
public sealed class IdentificationCase : AggregateRoot, IAuditedCase
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private readonly List<CaseTransition> _transitions = [];

    private IdentificationCase()
    {
    }

    /// <summary>Identifier.</summary>
    public Guid Id { get; private set; }

    /// <summary>The household.</summary>
    public Guid HouseholdId { get; private set; }

    /// <summary>The household's village (scope checks and lists without a join).</summary>
    public string RegionCode { get; private set; } = "";

    /// <summary>Where the case came from.</summary>
    public CaseSource Source { get; private set; }

    /// <summary>The source's own reference (signal event id, petition number); unique per source.</summary>
    public string? SourceReference { get; private set; }

    /// <summary>What the application or alert says.</summary>
    public string Summary { get; private set; } = "";

    /// <summary>Where the case stands.</summary>
    public IdentificationState State { get; private set; }

    /// <summary>The household's status before the case (restored on rejection).</summary>
    public MonitoringStatus StatusBefore { get; private set; }

    /// <summary>The policy's province ("00" for the national default).</summary>
    public string PolicyProvince { get; private set; } = "";

    /// <summary>The policy version the case runs under.</summary>
    public int PolicyVersion { get; private set; }

    /// <summary>Opened on (local date).</summary>
    public DateOnly OpenedOn { get; private set; }

    /// <summary>Opened at.</summary>
    public DateTimeOffset OpenedAt { get; private set; }

    /// <summary>Opened by.</summary>
    public string OpenedBy { get; private set; } = "";

    /// <summary>First home visit due (where the policy sets one).</summary>
    public DateOnly? FirstVisitDueOn { get; private set; }

    /// <summary>Home verification due (working days after opening).</summary>
    public DateOnly? VerificationDueOn { get; private set; }

    /// <summary>Decision due.</summary>
    public DateOnly? DecisionDueOn { get; private set; }

    /// <summary>Home verification date.</summary>
    public DateOnly? VerifiedOn { get; private set; }

    /// <summary>Per-capita income found at verification, fen.</summary>
    public long? VerifiedPerCapitaIncomeFen { get; private set; }

    /// <summary>Appraisal meeting date.</summary>
    public DateOnly? AppraisedOn { get; private set; }

    /// <summary>Appraisal result.</summary>
    public AppraisalResult? AppraisalResult { get; private set; }

    /// <summary>Reference of the meeting minutes.</summary>
    public string? AppraisalMinutesReference { get; private set; }

    /// <summary>The household signed the asset-check authorisation.</summary>
    public bool? AssetCheckAuthorised { get; private set; }

    /// <summary>Data comparison date.</summary>
    public DateOnly? ComparedOn { get; private set; }

    /// <summary>Exclusions found, as JSON (<see cref="Exclusions"/>).</summary>
    public string ExclusionsJson { get; private set; } = "[]";

    /// <summary>Exclusions found.</summary>
    public IReadOnlyList<ExclusionFinding> Exclusions => JsonSerializer.Deserialize<List<ExclusionFinding>>(ExclusionsJson, Json) ?? [];

    /// <summary>First day of the public notice.</summary>
    public DateOnly? NoticeStartsOn { get; private set; }

    /// <summary>First day after the notice: entry is possible from this day.</summary>
    public DateOnly? NoticeEndsOn { get; private set; }

    /// <summary>Objections that reopened the case.</summary>
    public int Reopenings { get; private set; }

    /// <summary>Entered on.</summary>
    public DateOnly? EnteredOn { get; private set; }

    /// <summary>The state the case was in when rejected.</summary>
    public IdentificationState? RejectedAt { get; private set; }

    /// <summary>The written-notice reason (书面告知).</summary>
    public string? RejectionReason { get; private set; }

    /// <summary>When the case ended.</summary>
    public DateTimeOffset? ClosedAt { get; private set; }

    /// <summary>Row version (xmin).</summary>
    public uint Version { get; private set; }

    /// <summary>Transitions recorded since load (the full trail is read from storage).</summary>
    public IReadOnlyList<CaseTransition> NewTransitions => _transitions;

    /// <inheritdoc />
    public void ClearTransitions() => _transitions.Clear();

    /// <summary>True while in progress.</summary>
    public bool IsOpen => IdentificationProcedure.IsOpen(State);

    /// <summary>Opens a case for a household under the policy in force today.</summary>
    public static IdentificationCase Open(
        Household household, CaseSource source, string? sourceReference, string summary, ProvincePolicy policy,
        Actor actor, DateOnly today, DateTimeOffset now)
    {
        var p = policy.Identification;
        var state = IdentificationProcedure.First(p);
        var c = new IdentificationCase
        {
            Id = Guid.CreateVersion7(),
            HouseholdId = household.Id,
            RegionCode = household.RegionCode,
            Source = source,
            SourceReference = sourceReference,
            Summary = summary,
            State = state,
            StatusBefore = household.Status,
            PolicyProvince = policy.Province,
            PolicyVersion = policy.Version,
            OpenedOn = today,
            OpenedAt = now,
            OpenedBy = actor.Subject,
        };
        c.ScheduleFromOpening(policy, today);
        c.Audit(null, "open", actor, now, new { source, sourceReference, summary, policy = $"{policy.Province} v{policy.Version}" });
        c.Raise(new IdentificationCaseOpened(c.Id, source, state, policy.Province, policy.Version, c.VerificationDueOn, c.DecisionDueOn)
        {
            OccurredAt = now,
            RegionCode = c.RegionCode,
            HouseholdId = c.HouseholdId,
        });
        return c;
    }

    private void ScheduleFromOpening(ProvincePolicy policy, DateOnly from)
    {
        var p = policy.Identification;
        var calendar = policy.WorkingDays;
        VerificationDueOn = p.HomeVerification.Enabled ? calendar.AddWorkingDays(from, p.HomeVerification.DueWorkingDays) : null;
        FirstVisitDueOn = p.HomeVerification.Enabled && p.FirstHomeVisitWorkingDays is { } first ? calendar.AddWorkingDays(from, first) : null;
        DecisionDueOn = p.DecisionDeadline.CountedFrom == DeadlineStart.CaseOpened || !p.HomeVerification.Enabled
            ? calendar.AddWorkingDays(from, p.DecisionDeadline.WorkingDays)
            : null;
    }

    /// <summary>True when the step the case waits for is past its deadline on <paramref name="today"/>.</summary>
    public bool IsOverdue(DateOnly today) =>
        (State == IdentificationState.AwaitingHomeVerification && VerificationDueOn < today)
        || (IsOpen && DecisionDueOn < today);

    /// <summary>入户核实. Not meeting the standard rejects the case with the written-notice reason.</summary>
    public void RecordHomeVerification(ProvincePolicy policy, DateOnly verifiedOn, bool meetsStandard, long? perCapitaIncomeFen, string notes, string? rejectionReason, Actor actor, DateTimeOffset now)
    {
        Demand(IdentificationState.AwaitingHomeVerification, "record a home verification");
        VerifiedOn = verifiedOn;
        VerifiedPerCapitaIncomeFen = perCapitaIncomeFen;
        var details = new { verifiedOn, meetsStandard, perCapitaIncomeFen, notes, rejectionReason };
        if (!meetsStandard)
        {
            Reject(rejectionReason!, "record_home_verification", details, actor, now);
            return;
        }
        if (policy.Identification.DecisionDeadline.CountedFrom == DeadlineStart.VerificationCompleted)
        {
            DecisionDueOn = policy.WorkingDays.AddWorkingDays(verifiedOn, policy.Identification.DecisionDeadline.WorkingDays);
        }
        Advance(IdentificationProcedure.After(policy.Identification, State), "record_home_verification", details, actor, now);
    }

    /// <summary>民主评议 with the asset-check authorisation; not approved rejects the case.</summary>
    public void RecordDemocraticAppraisal(ProvincePolicy policy, DateOnly meetingOn, AppraisalResult result, string minutesReference, bool assetCheckAuthorised, string? rejectionReason, Actor actor, DateTimeOffset now)
    {
        Demand(IdentificationState.AwaitingDemocraticAppraisal, "record a democratic appraisal");
        AppraisedOn = meetingOn;
        AppraisalResult = result;
        AppraisalMinutesReference = minutesReference;
        AssetCheckAuthorised = assetCheckAuthorised;
        var details = new { meetingOn, result, minutesReference, assetCheckAuthorised, rejectionReason };
        if (result == Domain.AppraisalResult.NotApproved)
        {
            Reject(rejectionReason!, "record_democratic_appraisal", details, actor, now);
            return;
        }
        Advance(IdentificationProcedure.After(policy.Identification, State), "record_democratic_appraisal", details, actor, now);
    }

    /// <summary>信息比对: any exclusion rejects the case, the stated reasons becoming the written notice.</summary>
    public void RecordDataComparison(ProvincePolicy policy, DateOnly comparedOn, IReadOnlyList<ExclusionFinding> exclusions, Actor actor, DateTimeOffset now)
    {
        Demand(IdentificationState.AwaitingDataComparison, "record a data comparison");
        ComparedOn = comparedOn;
        ExclusionsJson = JsonSerializer.Serialize(exclusions, Json);
        var details = new { comparedOn, exclusions };
        if (exclusions.Count > 0)
        {
            Reject(string.Join("; ", exclusions.Select(e => $"{e.Kind}: {e.Reason}")), "record_data_comparison", details, actor, now);
            return;
        }
        Advance(IdentificationProcedure.After(policy.Identification, State), "record_data_comparison", details, actor, now);
    }

    /// <summary>村级公示: publishes the notice; entry is possible from its end.</summary>
    public void PublishNotice(ProvincePolicy policy, DateOnly startsOn, Actor actor, DateTimeOffset now)
    {
        Demand(IdentificationState.AwaitingPublicNotice, "publish the public notice");
        var notice = policy.Identification.PublicNotice;
        NoticeStartsOn = startsOn;
        NoticeEndsOn = policy.DueDate(startsOn, notice.Days, notice.Counting);
        Advance(IdentificationState.UnderPublicNotice, "publish_notice", new { startsOn, endsOn = NoticeEndsOn, notice.Days, notice.Counting }, actor, now);
    }

    /// <summary>An objection during the notice: where the policy says so, the case starts again from its first step.</summary>
    public void RecordObjection(ProvincePolicy policy, string objection, DateOnly today, Actor actor, DateTimeOffset now)
    {
        Demand(IdentificationState.UnderPublicNotice, "record an objection");
        if (today >= NoticeEndsOn)
        {
            throw new PreconditionFailedException($"the public notice ended on {NoticeEndsOn:yyyy-MM-dd}; objections are taken while it runs", State.ToString());
        }
        if (!policy.Identification.PublicNotice.ObjectionReopens)
        {
            Audit(State.ToString(), "record_objection", actor, now, new { objection, reopened = false });
            return;
        }
        Reopenings++;
        NoticeStartsOn = null;
        NoticeEndsOn = null;
        ScheduleFromOpening(policy, today);
        Advance(IdentificationProcedure.First(policy.Identification), "record_objection", new { objection, reopened = true }, actor, now);
    }

    /// <summary>录入: the household becomes monitored. Allowed once the notice (if any) has ended.</summary>
    public void Enter(MonitoringType type, IReadOnlyList<RiskType> riskTypes, ResponsibleHelper helper, DateOnly today, Actor actor, DateTimeOffset now)
    {
        if (State == IdentificationState.UnderPublicNotice)
        {
            if (today < NoticeEndsOn)
            {
                throw new PreconditionFailedException($"the public notice runs until {NoticeEndsOn!.Value.AddDays(-1):yyyy-MM-dd}; entry is possible from {NoticeEndsOn:yyyy-MM-dd}", State.ToString());
            }
        }
        else
        {
            Demand(IdentificationState.AwaitingEntry, "enter the household");
        }
        EnteredOn = today;
        ClosedAt = now;
        Advance(IdentificationState.Entered, "enter", new { type, riskTypes, helper }, actor, now);
        Raise(new HouseholdIdentified(Id, type, riskTypes, helper.Name, helper.Organisation) { OccurredAt = now, RegionCode = RegionCode, HouseholdId = HouseholdId });
    }

    /// <summary>Rejects an open case at its current step with the written-notice reason.</summary>
    public void RejectAtCurrentStep(string reason, Actor actor, DateTimeOffset now)
    {
        if (!IsOpen)
        {
            throw new PreconditionFailedException("the case is closed", State.ToString());
        }
        Reject(reason, "reject", new { reason }, actor, now);
    }

    private void Reject(string reason, string action, object details, Actor actor, DateTimeOffset now)
    {
        var from = State;
        RejectedAt = from;
        RejectionReason = reason;
        ClosedAt = now;
        State = IdentificationState.Rejected;
        Audit(from.ToString(), action, actor, now, details);
        Raise(new IdentificationRejected(Id, from, reason) { OccurredAt = now, RegionCode = RegionCode, HouseholdId = HouseholdId, Action = action });
    }

    private void Advance(IdentificationState to, string action, object details, Actor actor, DateTimeOffset now)
    {
        var from = State;
        State = to;
        Audit(from.ToString(), action, actor, now, details);
        Raise(new IdentificationCaseAdvanced(Id, from, to, action) { OccurredAt = now, RegionCode = RegionCode, HouseholdId = HouseholdId });
    }

    private void Audit(string? from, string action, Actor actor, DateTimeOffset now, object details) =>
        _transitions.Add(new CaseTransition(Id, CaseKind.Identification, from, State.ToString(), action, actor, now, JsonSerializer.Serialize(details, Json)));

    private void Demand(IdentificationState expected, string action)
    {
        if (State != expected)
        {
            throw new PreconditionFailedException($"cannot {action}: the case waits for {Describe(State)}", State.ToString());
        }
    }

    private static string Describe(IdentificationState state) => state switch
    {
        IdentificationState.AwaitingHomeVerification => "home verification",
        IdentificationState.AwaitingDemocraticAppraisal => "democratic appraisal",
        IdentificationState.AwaitingDataComparison => "data comparison",
        IdentificationState.AwaitingPublicNotice => "the public notice to be published",
        IdentificationState.UnderPublicNotice => "the end of the public notice",
        IdentificationState.AwaitingEntry => "entry",
        _ => "nothing: it is closed",
    };
}
