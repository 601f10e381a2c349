using System.Text.Json;
using System.Text.Json.Serialization;
using FanPin.Grading.Domain.Events;
using FanPin.Policies;

namespace FanPin.Grading.Domain;

/// <summary>
/// A household's warning (预警): raised by grading, acknowledged by the county, handed to the township and
/// departments (交办), under assistance, cleared (解除) — or escalated one level up when its response deadline
/// passes (限时办结). A grade change keeps the same warning, so its history tells the whole story. At most one
/// warning per household is open (not cleared); a household graded again after clearing gets a new one.
/// </summary>
/// <remarks>
/// Every change appends a <see cref="WarningTransition"/> and may raise domain events; the DbContext (or the
/// bulk writer) stores both in the same transaction. Deadlines are dates in China (UTC+8) counted in the
/// province policy's working days.
/// </remarks>
public sealed class Warning
{
    /// <summary>The actor name of changes grading makes by itself.</summary>
    public const string SystemActor = "grading";

    private readonly List<DomainEvent> _events = [];
    private readonly List<WarningTransition> _newTransitions = [];

    private Warning()
    {
    }

    /// <summary>The warning's id (UUIDv7).</summary>
    public Guid Id { get; private set; }

    /// <summary>The household.</summary>
    public Guid HouseholdId { get; private set; }

    /// <summary>The household's village when the warning was raised.</summary>
    public string RegionCode { get; private set; } = "";

    /// <summary>The province (first two digits): the warning log's sequence scope.</summary>
    public string Province { get; private set; } = "";

    /// <summary>Current grade.</summary>
    public WarningGrade Grade { get; private set; }

    /// <summary>Current status.</summary>
    public WarningStatus Status { get; private set; }

    /// <summary>Escalation level (<see cref="EscalationLevels"/>).</summary>
    public int EscalationLevel { get; private set; }

    /// <summary>The rule behind the current grade.</summary>
    public string RuleId { get; private set; } = "";

    /// <summary>The reason of the current grade (JSON of <see cref="GradeReason"/>).</summary>
    public string Reason { get; private set; } = "{}";

    /// <summary>Policy province of the current grade.</summary>
    public string PolicyProvince { get; private set; } = "";

    /// <summary>Policy version of the current grade.</summary>
    public int PolicyVersion { get; private set; }

    /// <summary>When it was raised.</summary>
    public DateTimeOffset RaisedAt { get; private set; }

    /// <summary>The day it was raised (China).</summary>
    public DateOnly RaisedOn { get; private set; }

    /// <summary>The last day to respond (reach <see cref="WarningStatus.InAssistance"/>); null once cleared.</summary>
    public DateOnly? DueOn { get; private set; }

    /// <summary>When the county acknowledged it.</summary>
    public DateTimeOffset? AcknowledgedAt { get; private set; }

    /// <summary>When it was last dispatched.</summary>
    public DateTimeOffset? DispatchedAt { get; private set; }

    /// <summary>The township it was handed to (12-digit code).</summary>
    public string? DispatchedTownship { get; private set; }

    /// <summary>The departments it was handed to.</summary>
    public List<string> DispatchedDepartments { get; private set; } = [];

    /// <summary>When assistance started.</summary>
    public DateTimeOffset? AssistanceStartedAt { get; private set; }

    /// <summary>When it was last escalated.</summary>
    public DateTimeOffset? EscalatedAt { get; private set; }

    /// <summary>When it was cleared.</summary>
    public DateTimeOffset? ClearedAt { get; private set; }

    /// <summary>Last change.</summary>
    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>Optimistic concurrency token, incremented by every change.</summary>
    public int Version { get; private set; }

    /// <summary>True until cleared.</summary>
    public bool IsOpen => Status != WarningStatus.Cleared;

    /// <summary>Events raised since the last save.</summary>
    public IReadOnlyList<DomainEvent> PendingEvents => _events;

    /// <summary>History rows appended since the last save.</summary>
    public IReadOnlyList<WarningTransition> NewTransitions => _newTransitions;

    /// <summary>Hands over the pending events and history rows (the DbContext or bulk writer stores them).</summary>
    public (IReadOnlyList<DomainEvent> Events, IReadOnlyList<WarningTransition> Transitions) TakePending()
    {
        var taken = ((IReadOnlyList<DomainEvent>)[.. _events], (IReadOnlyList<WarningTransition>)[.. _newTransitions]);
        _events.Clear();
        _newTransitions.Clear();
        return taken;
    }

    /// <summary>Rebuilds a stored warning (bulk paths that read rows without EF).</summary>
    internal static Warning Restore(Guid id, Guid householdId, string regionCode, WarningGrade grade, WarningStatus status, int escalationLevel,
        string ruleId, string policyProvince, int policyVersion, DateTimeOffset raisedAt, DateOnly raisedOn, DateOnly? dueOn,
        string? dispatchedTownship, int version) => new()
        {
            Id = id,
            HouseholdId = householdId,
            RegionCode = regionCode,
            Province = regionCode[..2],
            Grade = grade,
            Status = status,
            EscalationLevel = escalationLevel,
            RuleId = ruleId,
            PolicyProvince = policyProvince,
            PolicyVersion = policyVersion,
            RaisedAt = raisedAt,
            RaisedOn = raisedOn,
            DueOn = dueOn,
            DispatchedTownship = dispatchedTownship,
            Version = version,
        };

    /// <summary>Raises a warning for a household that <paramref name="decision"/> grades.</summary>
    public static Warning Raise(Guid householdId, string regionCode, GradeDecision decision, ProvincePolicy policy, DateTimeOffset now, DateOnly today)
    {
        var grade = decision.Grade ?? throw new ArgumentException("A warning is raised only for a grade.", nameof(decision));
        var warning = new Warning
        {
            Id = Guid.CreateVersion7(now),
            HouseholdId = householdId,
            RegionCode = regionCode,
            Province = regionCode[..2],
            Grade = grade,
            Status = WarningStatus.Raised,
            EscalationLevel = EscalationLevels.None,
            RuleId = decision.Reason.RuleId,
            Reason = ReasonJson.Serialize(decision.Reason),
            PolicyProvince = policy.Province,
            PolicyVersion = policy.Version,
            RaisedAt = now,
            RaisedOn = today,
            DueOn = Deadlines.Response(policy, grade, today),
            UpdatedAt = now,
            Version = 1,
        };
        warning.Record(WarningAction.Raised, null, null, SystemActor, null, now);
        warning._events.Add(new WarningRaised
        {
            OccurredAt = now, RegionCode = warning.RegionCode, HouseholdId = householdId, WarningId = warning.Id, Grade = grade,
            RuleId = warning.RuleId, Status = warning.Status, EscalationLevel = warning.EscalationLevel, DueOn = warning.DueOn,
        });
        return warning;
    }

    /// <summary>
    /// Re-grades the open warning. An upgrade tightens the deadline to what a fresh warning of the new grade
    /// would get (never later than the one already set); a downgrade keeps the deadline already committed to.
    /// </summary>
    public void ChangeGrade(GradeDecision decision, ProvincePolicy policy, DateTimeOffset now, DateOnly today)
    {
        var grade = decision.Grade ?? throw new ArgumentException("Use Clear when no grade remains.", nameof(decision));
        EnsureOpen("change the grade of");
        if (grade == Grade)
        {
            return;
        }
        var previous = Grade;
        var fromStatus = Status;
        Grade = grade;
        RuleId = decision.Reason.RuleId;
        Reason = ReasonJson.Serialize(decision.Reason);
        PolicyProvince = policy.Province;
        PolicyVersion = policy.Version;
        if (grade < previous && Status != WarningStatus.InAssistance && DueOn is { } due)
        {
            var fresh = Deadlines.Response(policy, grade, today);
            DueOn = fresh < due ? fresh : due;
        }
        Touch(now);
        Record(WarningAction.GradeChanged, fromStatus, previous, SystemActor, null, now);
        _events.Add(new WarningGradeChanged
        {
            OccurredAt = now, RegionCode = RegionCode, HouseholdId = HouseholdId, WarningId = Id, Grade = Grade, PreviousGrade = previous,
            RuleId = RuleId, Status = Status, EscalationLevel = EscalationLevel, DueOn = DueOn,
        });
    }

    /// <summary>Clears the warning (解除预警): no rule grades the household any more.</summary>
    public void Clear(GradeReason reason, DateTimeOffset now)
    {
        EnsureOpen("clear");
        var fromStatus = Status;
        Status = WarningStatus.Cleared;
        RuleId = reason.RuleId;
        Reason = ReasonJson.Serialize(reason);
        PolicyProvince = reason.PolicyProvince;
        PolicyVersion = reason.PolicyVersion;
        ClearedAt = now;
        DueOn = null;
        Touch(now);
        Record(WarningAction.Cleared, fromStatus, Grade, SystemActor, null, now);
        _events.Add(new WarningCleared
        {
            OccurredAt = now, RegionCode = RegionCode, HouseholdId = HouseholdId, WarningId = Id, Grade = Grade,
            RuleId = RuleId, Status = Status, EscalationLevel = EscalationLevel, DueOn = null,
        });
    }

    /// <summary>The county (or the level it was escalated to) acknowledges the warning.</summary>
    public void Acknowledge(string by, string? note, DateTimeOffset now)
    {
        Demand("acknowledge", WarningStatus.Raised, WarningStatus.Escalated);
        var from = Status;
        Status = WarningStatus.Acknowledged;
        AcknowledgedAt = now;
        Touch(now);
        Record(WarningAction.Acknowledged, from, Grade, by, note, now);
        _events.Add(new WarningAcknowledged { OccurredAt = now, RegionCode = RegionCode, HouseholdId = HouseholdId, WarningId = Id, By = by });
    }

    /// <summary>Hands the warning to the household's township and the named departments (清单交办); again to change the list.</summary>
    public void Dispatch(IReadOnlyList<string> departments, string by, string? note, DateTimeOffset now)
    {
        Demand("dispatch", WarningStatus.Acknowledged, WarningStatus.Escalated, WarningStatus.Dispatched);
        var from = Status;
        Status = WarningStatus.Dispatched;
        DispatchedAt = now;
        DispatchedTownship = TownshipOf(RegionCode);
        DispatchedDepartments = [.. departments];
        Touch(now);
        Record(WarningAction.Dispatched, from, Grade, by, note, now);
        _events.Add(new WarningDispatched
        {
            OccurredAt = now,
            RegionCode = RegionCode,
            HouseholdId = HouseholdId,
            WarningId = Id,
            Grade = Grade,
            TownshipCode = DispatchedTownship,
            Departments = [.. departments],
            DueOn = DueOn ?? throw new InvalidOperationException("An open warning has a deadline."),
            By = by,
        });
    }

    /// <summary>Assistance has started (帮扶中): the response deadline is met.</summary>
    public void StartAssistance(string by, string? note, DateTimeOffset now)
    {
        if (!(Status == WarningStatus.Dispatched || (Status == WarningStatus.Escalated && DispatchedTownship is not null)))
        {
            throw new PreconditionFailedException("Assistance starts on a dispatched warning", Status.ToString());
        }
        var from = Status;
        Status = WarningStatus.InAssistance;
        AssistanceStartedAt = now;
        Touch(now);
        Record(WarningAction.AssistanceStarted, from, Grade, by, note, now);
        _events.Add(new WarningAssistanceStarted { OccurredAt = now, RegionCode = RegionCode, HouseholdId = HouseholdId, WarningId = Id, By = by });
    }

    /// <summary>True when the response deadline has passed without assistance starting.</summary>
    public bool IsOverdue(DateOnly today) => Deadlines.AwaitsResponse(Status) && DueOn is { } due && today > due;

    /// <summary>True when a sweep on <paramref name="today"/> escalates it (overdue and not at the top level yet).</summary>
    public bool CanEscalate(DateOnly today) => IsOverdue(today) && EscalationLevel < EscalationLevels.Province;

    /// <summary>Hands an overdue warning one level up with a fresh deadline for that level.</summary>
    public void Escalate(ProvincePolicy policy, DateTimeOffset now, DateOnly today)
    {
        if (!CanEscalate(today))
        {
            throw new PreconditionFailedException(
                $"Only an overdue warning below level {EscalationLevels.Province} escalates (due {DueOn:yyyy-MM-dd}, level {EscalationLevel})", Status.ToString());
        }
        var from = Status;
        Status = WarningStatus.Escalated;
        EscalationLevel++;
        EscalatedAt = now;
        DueOn = Deadlines.AfterEscalation(policy, Grade, today);
        Touch(now);
        Record(WarningAction.Escalated, from, Grade, SystemActor, null, now, RuleIds.EscalationOverdue);
        _events.Add(new WarningEscalated
        {
            OccurredAt = now, RegionCode = RegionCode, HouseholdId = HouseholdId, WarningId = Id, Grade = Grade,
            RuleId = RuleIds.EscalationOverdue, Status = Status, EscalationLevel = EscalationLevel, DueOn = DueOn,
        });
    }

    /// <summary>The 12-digit code of a village's township.</summary>
    public static string TownshipOf(string villageCode) => villageCode[..9] + "000";

    private void EnsureOpen(string action)
    {
        if (!IsOpen)
        {
            throw new PreconditionFailedException($"Cannot {action} a cleared warning", Status.ToString());
        }
    }

    private void Demand(string action, params WarningStatus[] allowed)
    {
        if (!allowed.Contains(Status))
        {
            throw new PreconditionFailedException(
                $"Cannot {action} a warning that is {Status}; allowed from {string.Join(", ", allowed)}", Status.ToString());
        }
    }

    private void Touch(DateTimeOffset now)
    {
        UpdatedAt = now;
        Version++;
    }

    private void Record(WarningAction action, WarningStatus? fromStatus, WarningGrade? fromGrade, string actor, string? note, DateTimeOffset now, string? ruleId = null) =>
        _newTransitions.Add(new WarningTransition
        {
            WarningId = Id,
            HouseholdId = HouseholdId,
            At = now,
            Action = action,
            FromStatus = fromStatus,
            ToStatus = Status,
            FromGrade = fromGrade,
            ToGrade = Grade,
            EscalationLevel = EscalationLevel,
            DueOn = DueOn,
            Actor = actor,
            Note = note,
            RuleId = ruleId ?? RuleId,
        });
}

/// <summary>One step of a warning's history.</summary>
public sealed class WarningTransition
{
    /// <summary>Order of recording.</summary>
    public long Id { get; set; }

    /// <summary>The warning.</summary>
    public Guid WarningId { get; set; }

    /// <summary>The household (history by household without a join).</summary>
    public Guid HouseholdId { get; set; }

    /// <summary>When.</summary>
    public DateTimeOffset At { get; set; }

    /// <summary>What happened.</summary>
    public WarningAction Action { get; set; }

    /// <summary>Status before (null when raised).</summary>
    public WarningStatus? FromStatus { get; set; }

    /// <summary>Status after.</summary>
    public WarningStatus ToStatus { get; set; }

    /// <summary>Grade before (null when raised).</summary>
    public WarningGrade? FromGrade { get; set; }

    /// <summary>Grade after.</summary>
    public WarningGrade ToGrade { get; set; }

    /// <summary>Escalation level after.</summary>
    public int EscalationLevel { get; set; }

    /// <summary>Deadline after.</summary>
    public DateOnly? DueOn { get; set; }

    /// <summary>Who: a caller's subject, or <see cref="Warning.SystemActor"/>.</summary>
    public string Actor { get; set; } = "";

    /// <summary>A note given with the action.</summary>
    public string? Note { get; set; }

    /// <summary>The rule behind the step.</summary>
    public string RuleId { get; set; } = "";
}

/// <summary>Response deadlines (限时办结) in working days of the province's calendar.</summary>
public static class Deadlines
{
    /// <summary>Statuses in which the warning still awaits its response (assistance has not started).</summary>
    public static bool AwaitsResponse(WarningStatus status) =>
        status is WarningStatus.Raised or WarningStatus.Acknowledged or WarningStatus.Dispatched or WarningStatus.Escalated;

    /// <summary>Deadline of a warning of <paramref name="grade"/> raised on <paramref name="start"/>: that many working days later.</summary>
    public static DateOnly Response(ProvincePolicy policy, WarningGrade grade, DateOnly start) =>
        policy.WorkingDays.AddWorkingDays(start, policy.Grading.ResponseWorkingDays((int)grade));

    /// <summary>Deadline of the next level up after an escalation on <paramref name="start"/>.</summary>
    public static DateOnly AfterEscalation(ProvincePolicy policy, WarningGrade grade, DateOnly start) =>
        policy.WorkingDays.AddWorkingDays(start, policy.Grading.EscalationWorkingDays ?? policy.Grading.ResponseWorkingDays((int)grade));
}

/// <summary>How reasons are stored (jsonb) and shown.</summary>
public static class ReasonJson
{
    /// <summary>camelCase, compact, enums as names.</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        WriteIndented = false,
    };

    /// <summary>The reason as JSON.</summary>
    public static string Serialize(GradeReason reason) => JsonSerializer.Serialize(reason, Options);

    /// <summary>A stored reason.</summary>
    public static GradeReason Deserialize(string json) =>
        JsonSerializer.Deserialize<GradeReason>(json, Options) ?? throw new InvalidOperationException("A stored reason is null.");
}
