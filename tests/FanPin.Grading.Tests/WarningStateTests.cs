using FanPin.Grading.Domain;
using FanPin.Grading.Domain.Events;
using FanPin.Policies;

namespace FanPin.Grading.Tests;

/// <summary>The warning state machine without a database: which step is allowed from which status, and what it raises.</summary>
public class WarningStateTests
{
    private static readonly ProvincePolicy Policy = DefaultPolicy.Policy;
    private static readonly DateOnly Monday = new(2026, 3, 2);
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 2, 0, 0, TimeSpan.Zero);

    private static GradeDecision Decision(WarningGrade? grade) => new(grade, new GradeReason
    {
        RuleId = grade is null ? RuleIds.NoneRiskEliminated : "rule-" + grade,
        Summary = "test",
        PolicyProvince = "00",
        PolicyVersion = 1,
    });

    /// <summary>A warning brought to <paramref name="status"/> by the allowed path.</summary>
    private static Warning In(WarningStatus status)
    {
        var w = Warning.Raise(Guid.CreateVersion7(), "620102001001", Decision(WarningGrade.Two), Policy, Now, Monday);
        switch (status)
        {
            case WarningStatus.Acknowledged:
                w.Acknowledge("county", null, Now);
                break;
            case WarningStatus.Dispatched:
                w.Acknowledge("county", null, Now);
                w.Dispatch([Departments.Health], "county", null, Now);
                break;
            case WarningStatus.InAssistance:
                w.Acknowledge("county", null, Now);
                w.Dispatch([Departments.Health], "county", null, Now);
                w.StartAssistance("township", null, Now);
                break;
            case WarningStatus.Cleared:
                w.Clear(Decision(null).Reason, Now);
                break;
            case WarningStatus.Escalated:
                w.Escalate(Policy, Now, w.DueOn!.Value.AddDays(1));
                break;
        }
        Assert.Equal(status, w.Status);
        w.TakePending();
        return w;
    }

    private static readonly Dictionary<string, Action<Warning>> Actions = new()
    {
        ["acknowledge"] = w => w.Acknowledge("county", null, Now),
        ["dispatch"] = w => w.Dispatch([Departments.Water], "county", null, Now),
        ["start assistance"] = w => w.StartAssistance("township", null, Now),
        ["change grade"] = w => w.ChangeGrade(Decision(WarningGrade.One), Policy, Now, Monday),
        ["clear"] = w => w.Clear(Decision(null).Reason, Now),
    };

    public static TheoryData<WarningStatus, string, bool> Steps => new()
    {
        { WarningStatus.Raised, "acknowledge", true },
        { WarningStatus.Raised, "dispatch", false },
        { WarningStatus.Raised, "start assistance", false },
        { WarningStatus.Raised, "change grade", true },
        { WarningStatus.Raised, "clear", true },
        { WarningStatus.Acknowledged, "acknowledge", false },
        { WarningStatus.Acknowledged, "dispatch", true },
        { WarningStatus.Acknowledged, "start assistance", false },
        { WarningStatus.Dispatched, "dispatch", true },
        { WarningStatus.Dispatched, "start assistance", true },
        { WarningStatus.Dispatched, "acknowledge", false },
        { WarningStatus.InAssistance, "dispatch", false },
        { WarningStatus.InAssistance, "change grade", true },
        { WarningStatus.InAssistance, "clear", true },
        { WarningStatus.Escalated, "acknowledge", true },
        { WarningStatus.Escalated, "dispatch", true },
        { WarningStatus.Escalated, "start assistance", false }, // never dispatched yet
        { WarningStatus.Cleared, "acknowledge", false },
        { WarningStatus.Cleared, "change grade", false },
        { WarningStatus.Cleared, "clear", false },
    };

    [Theory]
    [MemberData(nameof(Steps))]
    public void Step(WarningStatus from, string action, bool allowed)
    {
        var warning = In(from);
        if (allowed)
        {
            Actions[action](warning);
            Assert.NotEmpty(warning.NewTransitions);
        }
        else
        {
            var ex = Assert.Throws<PreconditionFailedException>(() => Actions[action](warning));
            Assert.Equal(from.ToString(), ex.CurrentState);
            Assert.Empty(warning.NewTransitions);
        }
    }

    [Fact]
    public void Public_events_carry_the_state_after_the_step()
    {
        var w = Warning.Raise(Guid.CreateVersion7(), "620102001001", Decision(WarningGrade.Three), Policy, Now, Monday);
        var raised = Assert.IsType<WarningRaised>(Assert.Single(w.TakePending().Events));
        Assert.Equal((WarningGrade.Three, WarningStatus.Raised, Policy.WorkingDays.AddWorkingDays(Monday, 20)), (raised.Grade, raised.Status, raised.DueOn!.Value));
        w.ChangeGrade(Decision(WarningGrade.One), Policy, Now, Monday);
        var changed = Assert.IsType<WarningGradeChanged>(Assert.Single(w.TakePending().Events));
        Assert.Equal((WarningGrade.Three, WarningGrade.One, Policy.WorkingDays.AddWorkingDays(Monday, 5)), (changed.PreviousGrade, changed.Grade, changed.DueOn!.Value));
        w.Clear(Decision(null).Reason, Now);
        var cleared = Assert.IsType<WarningCleared>(Assert.Single(w.TakePending().Events));
        Assert.Equal((WarningGrade.One, WarningStatus.Cleared, (DateOnly?)null, RuleIds.NoneRiskEliminated), (cleared.Grade, cleared.Status, cleared.DueOn, cleared.RuleId));
    }

    [Fact]
    public void Escalation_waits_for_the_day_after_the_deadline_and_stops_at_the_province()
    {
        var w = Warning.Raise(Guid.CreateVersion7(), "620102001001", Decision(WarningGrade.One), Policy, Now, Monday);
        var due = w.DueOn!.Value;
        Assert.False(w.CanEscalate(due));
        for (var level = 1; level <= EscalationLevels.Province; level++)
        {
            var day = w.DueOn!.Value.AddDays(1);
            Assert.True(w.CanEscalate(day));
            w.Escalate(Policy, Now, day);
            Assert.Equal(level, w.EscalationLevel);
        }
        Assert.False(w.CanEscalate(w.DueOn!.Value.AddDays(1)));
        Assert.True(w.IsOverdue(w.DueOn!.Value.AddDays(1)));
        var withOwnDays = Policy with { Grading = Policy.Grading with { EscalationWorkingDays = 2 } };
        var other = Warning.Raise(Guid.CreateVersion7(), "620102001001", Decision(WarningGrade.Three), withOwnDays, Now, Monday);
        var overdueDay = other.DueOn!.Value.AddDays(1);
        other.Escalate(withOwnDays, Now, overdueDay);
        Assert.Equal(withOwnDays.WorkingDays.AddWorkingDays(overdueDay, 2), other.DueOn);
    }
}
