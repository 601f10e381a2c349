using System.Globalization;
using FanPin.Grading.Application.Common;
using FanPin.Grading.Domain;
using Google.Protobuf.WellKnownTypes;
using Pb = FanPin.Contracts.Grading.V1;

namespace FanPin.Grading.Grpc;

/// <summary>
/// Wire ↔ use-case conversions. Wire and domain enums share numbers (tested); an UNSPECIFIED (0) or unknown
/// number is passed on as it is, so the use case refuses it naming the field, and absent values on answers are
/// UNSPECIFIED, empty strings or absent timestamps. Dates are <c>yyyy-MM-dd</c> strings.
/// </summary>
internal static class GradingMessages
{
    /// <summary>A wire grade as the domain's (0 and unknown numbers are not defined there: the use case refuses them).</summary>
    public static WarningGrade In(Pb.WarningGrade grade) => (WarningGrade)(int)grade;

    /// <summary>A wire status as the domain's (0 and unknown numbers are not defined there: the use case refuses them).</summary>
    public static WarningStatus In(Pb.WarningStatus status) => (WarningStatus)(int)status;

    /// <summary>A grade on the wire (none: UNSPECIFIED).</summary>
    public static Pb.WarningGrade ToProto(this WarningGrade? grade) => grade is { } g ? (Pb.WarningGrade)(int)g : Pb.WarningGrade.Unspecified;

    /// <summary>A grade on the wire.</summary>
    public static Pb.WarningGrade ToProto(this WarningGrade grade) => (Pb.WarningGrade)(int)grade;

    /// <summary>A status on the wire (none: UNSPECIFIED).</summary>
    public static Pb.WarningStatus ToProto(this WarningStatus? status) => status is { } s ? (Pb.WarningStatus)(int)s : Pb.WarningStatus.Unspecified;

    /// <summary>A status on the wire.</summary>
    public static Pb.WarningStatus ToProto(this WarningStatus status) => (Pb.WarningStatus)(int)status;

    /// <summary>A date on the wire (none: empty).</summary>
    public static string ToProto(this DateOnly? date) => date is { } d ? d.ToProto() : "";

    /// <summary>A date on the wire.</summary>
    public static string ToProto(this DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>An instant on the wire.</summary>
    public static Timestamp ToProto(this DateTimeOffset instant) => Timestamp.FromDateTimeOffset(instant);

    /// <summary>An optional instant on the wire (absent when null).</summary>
    public static Timestamp? ToProto(this DateTimeOffset? instant) => instant is { } i ? Timestamp.FromDateTimeOffset(i) : null;

    /// <summary>A grade's reason on the wire.</summary>
    public static Pb.GradeReason ToProto(this GradeReason reason)
    {
        var message = new Pb.GradeReason
        {
            RuleId = reason.RuleId,
            Summary = reason.Summary,
            PolicyProvince = reason.PolicyProvince,
            PolicyVersion = reason.PolicyVersion,
        };
        message.Inputs.Add(reason.Inputs.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal));
        message.Thresholds.Add(reason.Thresholds.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal));
        message.AlsoMatched.AddRange(reason.AlsoMatched);
        message.RiskFactors.AddRange(reason.RiskFactors);
        return message;
    }

    /// <summary>A warning on the wire.</summary>
    public static Pb.Warning ToProto(this WarningView w)
    {
        var message = new Pb.Warning
        {
            WarningId = w.WarningId.ToString(),
            HouseholdId = w.HouseholdId.ToString(),
            RegionCode = w.RegionCode,
            Grade = w.Grade.ToProto(),
            Status = w.Status.ToProto(),
            EscalationLevel = w.EscalationLevel,
            Reason = w.Reason.ToProto(),
            RaisedAt = w.RaisedAt.ToProto(),
            DueOn = w.DueOn.ToProto(),
            OverdueWorkingDays = w.OverdueWorkingDays,
            DispatchedTownship = w.DispatchedTownship ?? "",
            UpdatedAt = w.UpdatedAt.ToProto(),
            ClearedAt = w.ClearedAt.ToProto(),
        };
        message.DispatchedDepartments.AddRange(w.DispatchedDepartments);
        return message;
    }

    /// <summary>A step of a warning's history on the wire.</summary>
    public static Pb.WarningTransition ToProto(this WarningTransitionView t) => new()
    {
        At = t.At.ToProto(),
        Action = (Pb.WarningAction)(int)t.Action,
        FromStatus = t.FromStatus.ToProto(),
        ToStatus = t.ToStatus.ToProto(),
        FromGrade = t.FromGrade.ToProto(),
        ToGrade = t.ToGrade.ToProto(),
        EscalationLevel = t.EscalationLevel,
        DueOn = t.DueOn.ToProto(),
        Actor = t.Actor,
        Note = t.Note ?? "",
        RuleId = t.RuleId,
    };

    /// <summary>A grade change on the wire.</summary>
    public static Pb.GradeChange ToProto(this GradeChangeView c) => new()
    {
        At = c.At.ToProto(),
        FromGrade = c.FromGrade.ToProto(),
        ToGrade = c.ToGrade.ToProto(),
        Reason = c.Reason.ToProto(),
        Cause = (Pb.GradeCause)(int)c.Cause,
        WarningId = c.WarningId?.ToString() ?? "",
    };

    /// <summary>A warning log entry on the wire.</summary>
    public static Pb.WarningLogEntry ToProto(this WarningLogEntry e) => new()
    {
        Province = e.Province,
        Sequence = e.Sequence,
        EventId = e.EventId.ToString(),
        EventType = (Pb.WarningEventType)(int)e.EventType,
        WarningId = e.WarningId.ToString(),
        HouseholdId = e.HouseholdId.ToString(),
        RegionCode = e.RegionCode,
        Grade = e.Grade.ToProto(),
        PreviousGrade = e.PreviousGrade.ToProto(),
        Status = e.Status.ToProto(),
        EscalationLevel = e.EscalationLevel,
        RuleId = e.RuleId,
        DueOn = e.DueOn.ToProto(),
        OccurredAt = e.OccurredAt.ToProto(),
    };

    /// <summary>A county's predicted transitions on the wire.</summary>
    public static Pb.CountyGradeTransitions ToProto(this CountyGradeTransitions c)
    {
        var message = new Pb.CountyGradeTransitions { CountyCode = c.CountyCode, Households = c.Households, Changed = c.Changed };
        message.Transitions.AddRange(c.Transitions.Select(t => new Pb.GradeTransitionCount { FromGrade = t.From.ToProto(), ToGrade = t.To.ToProto(), Households = t.Households }));
        return message;
    }

    /// <summary>An empty wire string as null (the use cases' "not given").</summary>
    public static string? OrNull(this string text) => text.Length == 0 ? null : text;
}
