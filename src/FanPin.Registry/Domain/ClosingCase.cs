using System.Text.Json;
using FanPin.Policies;
using FanPin.Registry.Domain.Events;

namespace FanPin.Registry.Domain;

/// <summary>
/// A closing case (风险消除/销号): democratic appraisal → township review → public notice → the county marks
/// the risk eliminated, with the steps the province's policy runs. The household stays under watch.
/// </summary>
public sealed class ClosingCase : AggregateRoot, IAuditedCase
{
    private readonly List<CaseTransition> _transitions = [];

    private ClosingCase()
    {
    }

    /// <summary>Identifier.</summary>
    public Guid Id { get; private set; }

    /// <summary>The household.</summary>
    public Guid HouseholdId { get; private set; }

    /// <summary>The household's village.</summary>
    public string RegionCode { get; private set; } = "";

    /// <summary>Assessment or system proposal.</summary>
    public ClosingSource Source { get; private set; }

    /// <summary>The source's reference (proposal event id); unique per source.</summary>
    public string? SourceReference { get; private set; }

    /// <summary>Why closing is proposed.</summary>
    public string Summary { get; private set; } = "";

    /// <summary>Where the case stands.</summary>
    public ClosingState State { get; private set; }

    /// <summary>The policy's province.</summary>
    public string PolicyProvince { get; private set; } = "";

    /// <summary>The policy version the case runs under.</summary>
    public int PolicyVersion { get; private set; }

    /// <summary>Since when income has been stable above the line.</summary>
    public DateOnly IncomeStableSince { get; private set; }

    /// <summary>Opened on.</summary>
    public DateOnly OpenedOn { get; private set; }

    /// <summary>Opened at.</summary>
    public DateTimeOffset OpenedAt { get; private set; }

    /// <summary>Opened by.</summary>
    public string OpenedBy { get; private set; } = "";

    /// <summary>Appraisal meeting date.</summary>
    public DateOnly? AppraisedOn { get; private set; }

    /// <summary>Appraisal minutes reference.</summary>
    public string? AppraisalMinutesReference { get; private set; }

    /// <summary>Township review date.</summary>
    public DateOnly? ReviewedOn { get; private set; }

    /// <summary>First day of the notice.</summary>
    public DateOnly? NoticeStartsOn { get; private set; }

    /// <summary>First day after the notice.</summary>
    public DateOnly? NoticeEndsOn { get; private set; }

    /// <summary>Marked on.</summary>
    public DateOnly? EliminatedOn { get; private set; }

    /// <summary>State when rejected.</summary>
    public ClosingState? RejectedAt { get; private set; }

    /// <summary>Why not closed.</summary>
    public string? RejectionReason { get; private set; }

    /// <summary>When the case ended.</summary>
    public DateTimeOffset? ClosedAt { get; private set; }

    /// <summary>Row version (xmin).</summary>
    public uint Version { get; private set; }

    /// <summary>Transitions recorded since load.</summary>
    public IReadOnlyList<CaseTransition> NewTransitions => _transitions;

    /// <inheritdoc />
    public void ClearTransitions() => _transitions.Clear();

    /// <summary>True while in progress.</summary>
    public bool IsOpen => ClosingProcedure.IsOpen(State);

    /// <summary>Opens a closing case for a monitored household.</summary>
    public static ClosingCase Open(Household household, ClosingSource source, string? sourceReference, string summary, DateOnly incomeStableSince,
        ProvincePolicy policy, Actor actor, DateOnly today, DateTimeOffset now)
    {
        var c = new ClosingCase
        {
            Id = Guid.CreateVersion7(),
            HouseholdId = household.Id,
            RegionCode = household.RegionCode,
            Source = source,
            SourceReference = sourceReference,
            Summary = summary,
            State = ClosingProcedure.First(policy.Closing),
            PolicyProvince = policy.Province,
            PolicyVersion = policy.Version,
            IncomeStableSince = incomeStableSince,
            OpenedOn = today,
            OpenedAt = now,
            OpenedBy = actor.Subject,
        };
        c.Audit(null, "open", actor, now, new { source, sourceReference, summary, incomeStableSince, policy = $"{policy.Province} v{policy.Version}" });
        c.Raise(new ClosingCaseOpened(c.Id, source, c.State, policy.Province, policy.Version) { OccurredAt = now, RegionCode = c.RegionCode, HouseholdId = c.HouseholdId });
        return c;
    }

    /// <summary>民主评议 of the exit; not approved ends the case (the household stays monitored).</summary>
    public void RecordAppraisal(ProvincePolicy policy, DateOnly meetingOn, AppraisalResult result, string minutesReference, string? rejectionReason, Actor actor, DateTimeOffset now)
    {
        Demand(ClosingState.AwaitingDemocraticAppraisal, "record the exit appraisal");
        AppraisedOn = meetingOn;
        AppraisalMinutesReference = minutesReference;
        var details = new { meetingOn, result, minutesReference, rejectionReason };
        if (result == AppraisalResult.NotApproved)
        {
            Reject(rejectionReason!, "record_appraisal", details, actor, now);
            return;
        }
        Advance(ClosingProcedure.After(policy.Closing, State), "record_appraisal", details, actor, now);
    }

    /// <summary>乡镇审核.</summary>
    public void RecordTownshipReview(ProvincePolicy policy, DateOnly reviewedOn, AppraisalResult result, string? rejectionReason, Actor actor, DateTimeOffset now)
    {
        Demand(ClosingState.AwaitingTownshipReview, "record the township review");
        ReviewedOn = reviewedOn;
        var details = new { reviewedOn, result, rejectionReason };
        if (result == AppraisalResult.NotApproved)
        {
            Reject(rejectionReason!, "record_township_review", details, actor, now);
            return;
        }
        Advance(ClosingProcedure.After(policy.Closing, State), "record_township_review", details, actor, now);
    }

    /// <summary>村级公示 of the exit.</summary>
    public void PublishNotice(ProvincePolicy policy, DateOnly startsOn, Actor actor, DateTimeOffset now)
    {
        Demand(ClosingState.AwaitingPublicNotice, "publish the exit notice");
        var notice = policy.Closing.PublicNotice;
        NoticeStartsOn = startsOn;
        NoticeEndsOn = policy.DueDate(startsOn, notice.Days, notice.Counting);
        Advance(ClosingState.UnderPublicNotice, "publish_notice", new { startsOn, endsOn = NoticeEndsOn, notice.Days, notice.Counting }, actor, now);
    }

    /// <summary>An objection during the exit notice ends the case where the policy says objections reopen.</summary>
    public void RecordObjection(ProvincePolicy policy, string objection, DateOnly today, Actor actor, DateTimeOffset now)
    {
        Demand(ClosingState.UnderPublicNotice, "record an objection");
        if (today >= NoticeEndsOn)
        {
            throw new PreconditionFailedException($"the exit notice ended on {NoticeEndsOn:yyyy-MM-dd}", State.ToString());
        }
        if (policy.Closing.PublicNotice.ObjectionReopens)
        {
            Reject($"objection during the exit notice: {objection}", "record_objection", new { objection }, actor, now);
            return;
        }
        Audit(State.ToString(), "record_objection", actor, now, new { objection, rejected = false });
    }

    /// <summary>标注"致贫风险消除": allowed once the notice (if any) has ended.</summary>
    public void Eliminate(DateOnly today, Actor actor, DateTimeOffset now)
    {
        if (State == ClosingState.UnderPublicNotice)
        {
            if (today < NoticeEndsOn)
            {
                throw new PreconditionFailedException($"the exit notice runs until {NoticeEndsOn!.Value.AddDays(-1):yyyy-MM-dd}", State.ToString());
            }
        }
        else
        {
            Demand(ClosingState.AwaitingElimination, "mark the risk eliminated");
        }
        EliminatedOn = today;
        ClosedAt = now;
        Advance(ClosingState.RiskEliminated, "eliminate", new { eliminatedOn = today }, actor, now);
        Raise(new RiskEliminated(Id, today) { OccurredAt = now, RegionCode = RegionCode, HouseholdId = HouseholdId });
    }

    /// <summary>Ends an open case without closing.</summary>
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
        State = ClosingState.Rejected;
        Audit(from.ToString(), action, actor, now, details);
        Raise(new ClosingRejected(Id, from, reason) { OccurredAt = now, RegionCode = RegionCode, HouseholdId = HouseholdId, Action = action });
    }

    private void Advance(ClosingState to, string action, object details, Actor actor, DateTimeOffset now)
    {
        var from = State;
        State = to;
        Audit(from.ToString(), action, actor, now, details);
        Raise(new ClosingCaseAdvanced(Id, from, to, action) { OccurredAt = now, RegionCode = RegionCode, HouseholdId = HouseholdId });
    }

    private void Audit(string? from, string action, Actor actor, DateTimeOffset now, object details) =>
        _transitions.Add(new CaseTransition(Id, CaseKind.Closing, from, State.ToString(), action, actor, now, JsonSerializer.Serialize(details, IdentificationCase.Json)));

    private void Demand(ClosingState expected, string action)
    {
        if (State != expected)
        {
            throw new PreconditionFailedException($"cannot {action}: the closing case is {State}", State.ToString());
        }
    }
}
