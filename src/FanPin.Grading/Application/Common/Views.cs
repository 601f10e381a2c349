using FanPin.Grading.Domain;
using FanPin.Policies;

namespace FanPin.Grading.Application.Common;

/// <summary>A warning as answers show it.</summary>
/// <param name="WarningId">The warning.</param>
/// <param name="HouseholdId">The household.</param>
/// <param name="RegionCode">The household's village.</param>
/// <param name="Grade">Current grade.</param>
/// <param name="Status">Current status.</param>
/// <param name="EscalationLevel">0 none, 1 county, 2 city, 3 province.</param>
/// <param name="Reason">Why it has its grade (or why it was cleared).</param>
/// <param name="RaisedAt">When it was raised.</param>
/// <param name="DueOn">Response deadline (null once cleared).</param>
/// <param name="OverdueWorkingDays">Working days past the deadline while still awaiting a response; 0 when not overdue.</param>
/// <param name="DispatchedTownship">The township it was handed to.</param>
/// <param name="DispatchedDepartments">The departments it was handed to.</param>
/// <param name="UpdatedAt">Last change.</param>
/// <param name="ClearedAt">When it was cleared.</param>
public sealed record WarningView(
    Guid WarningId,
    Guid HouseholdId,
    string RegionCode,
    WarningGrade Grade,
    WarningStatus Status,
    int EscalationLevel,
    GradeReason Reason,
    DateTimeOffset RaisedAt,
    DateOnly? DueOn,
    int OverdueWorkingDays,
    string? DispatchedTownship,
    IReadOnlyList<string> DispatchedDepartments,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? ClearedAt)
{
    /// <summary>The view of a warning on <paramref name="today"/>, with the working days it is overdue by <paramref name="calendar"/>.</summary>
    public static WarningView Of(Warning w, DateOnly today, WorkingDayCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(calendar);
        var overdue = w.IsOverdue(today) && w.DueOn is { } due ? calendar.WorkingDaysBetween(due, today) : 0;
        return new WarningView(w.Id, w.HouseholdId, w.RegionCode, w.Grade, w.Status, w.EscalationLevel, ReasonJson.Deserialize(w.Reason),
            w.RaisedAt, w.DueOn, overdue, w.DispatchedTownship, w.DispatchedDepartments, w.UpdatedAt, w.ClearedAt);
    }
}

/// <summary>One step of a warning's history.</summary>
public sealed record WarningTransitionView(
    DateTimeOffset At,
    WarningAction Action,
    WarningStatus? FromStatus,
    WarningStatus ToStatus,
    WarningGrade? FromGrade,
    WarningGrade ToGrade,
    int EscalationLevel,
    DateOnly? DueOn,
    string Actor,
    string? Note,
    string RuleId)
{
    /// <summary>The view of a stored step.</summary>
    public static WarningTransitionView Of(WarningTransition t)
    {
        ArgumentNullException.ThrowIfNull(t);
        return new(t.At, t.Action, t.FromStatus, t.ToStatus, t.FromGrade, t.ToGrade, t.EscalationLevel, t.DueOn, t.Actor, t.Note, t.RuleId);
    }
}

/// <summary>One change of a household's grade, with its reason.</summary>
public sealed record GradeChangeView(
    DateTimeOffset At,
    WarningGrade? FromGrade,
    WarningGrade? ToGrade,
    GradeReason Reason,
    GradeCause Cause,
    Guid? WarningId)
{
    /// <summary>The view of a stored change.</summary>
    public static GradeChangeView Of(GradeChange c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return new(c.At, c.FromGrade, c.ToGrade, ReasonJson.Deserialize(c.Reason), c.Cause, c.WarningId);
    }
}
