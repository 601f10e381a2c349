using FanPin.Grading.Application.Warnings;
using FanPin.Grading.Domain;
using FanPin.Grading.Tests.Support;
using FanPin.Policies;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Grading.Tests;

/// <summary>
/// 限时办结 on a clock moved by hand: deadlines count the province's working days (National Day 2025 and its
/// 调休 Saturday), an overdue warning goes one level up with a fresh deadline, up to the province, and assistance
/// stops the clock.
/// </summary>
public class EscalationTests(GradingHost host) : IClassFixture<GradingHost>
{
    private const string Village = "620102001001";

    private Task<EscalateOverdueWarningsResult> Sweep() =>
        host.Run<EscalateOverdueWarnings, EscalateOverdueWarningsResult>(u => u.HandleAsync(new EscalateOverdueWarningsRequest()));

    private Task<ListOverdueWarningsResult> Overdue(string prefix = "620102") =>
        host.Run<ListOverdueWarnings, ListOverdueWarningsResult>(u => u.HandleAsync(Callers.County("620102"), new ListOverdueWarningsRequest(prefix)));

    [Fact]
    public async Task An_overdue_warning_escalates_one_level_per_missed_deadline_up_to_the_province()
    {
        // Raised on Tuesday 30 September 2025: grade I has 5 working days. 1–8 October are holidays and Saturday
        // 11 October is a working day, so the days are 9, 10, 11, 13 and 14 October.
        host.Clock.SetDate(new DateOnly(2025, 9, 30));
        var household = await host.Graded(Village, WarningGrade.One);
        var warning = await host.OpenWarning(household);
        Assert.Equal(new DateOnly(2025, 10, 14), warning.DueOn);

        host.Clock.SetDate(new DateOnly(2025, 10, 14));
        Assert.DoesNotContain(warning.Id, (await Sweep()).Escalated);
        Assert.DoesNotContain(warning.Id, (await Overdue()).Warnings.Select(w => w.WarningId));

        host.Clock.SetDate(new DateOnly(2025, 10, 15));
        var overdue = Assert.Single((await Overdue()).Warnings, w => w.WarningId == warning.Id);
        Assert.Equal(1, overdue.OverdueWorkingDays);
        Assert.Contains(warning.Id, (await Sweep()).Escalated);
        var escalated = await host.OpenWarning(household);
        Assert.Equal((WarningStatus.Escalated, EscalationLevels.County), (escalated.Status, escalated.EscalationLevel));
        Assert.Equal(new DateOnly(2025, 10, 22), escalated.DueOn); // a fresh 5 working days for the level above
        Assert.DoesNotContain(warning.Id, (await Sweep()).Escalated); // once per missed deadline

        host.Clock.SetDate(new DateOnly(2025, 10, 23));
        await Sweep();
        host.Clock.SetDate(new DateOnly(2025, 11, 3));
        await Sweep();
        var top = await host.OpenWarning(household);
        Assert.Equal(EscalationLevels.Province, top.EscalationLevel);

        // At the province it stays overdue, but there is no level above.
        host.Clock.SetDate(new DateOnly(2025, 12, 1));
        Assert.DoesNotContain(warning.Id, (await Sweep()).Escalated);
        Assert.Contains(warning.Id, (await Overdue()).Warnings.Select(w => w.WarningId));
        Assert.Equal(EscalationLevels.Province, (await host.OpenWarning(household)).EscalationLevel);

        var log = await host.Db(db => db.WarningLog.AsNoTracking().Where(e => e.WarningId == warning.Id).OrderBy(e => e.Sequence).ToListAsync());
        Assert.Equal([WarningLogEventType.Raised, WarningLogEventType.Escalated, WarningLogEventType.Escalated, WarningLogEventType.Escalated], log.Select(e => e.EventType));
        Assert.Equal([0, 1, 2, 3], log.Select(e => e.EscalationLevel));
        Assert.All(log.Skip(1), e => Assert.Equal(RuleIds.EscalationOverdue, e.RuleId));
    }

    [Fact]
    public async Task Assistance_meets_the_deadline_and_stops_escalation()
    {
        host.Clock.SetDate(new DateOnly(2026, 3, 2));
        var household = await host.Graded("620102002001", WarningGrade.Three);
        var id = (await host.OpenWarning(household)).Id.ToString();
        var county = Callers.County("620102");
        await host.Run<AcknowledgeWarning, WarningCommandResult>(u => u.HandleAsync(county, new AcknowledgeWarningRequest(id)));
        await host.Run<DispatchWarning, WarningCommandResult>(u => u.HandleAsync(county, new DispatchWarningRequest(id, [Departments.HumanResources])));
        await host.Run<StartAssistance, WarningCommandResult>(u => u.HandleAsync(Callers.Township("620102002"), new StartAssistanceRequest(id)));

        host.Clock.SetDate(new DateOnly(2026, 6, 1));
        Assert.DoesNotContain(Guid.Parse(id), (await Sweep()).Escalated);
        var warning = await host.OpenWarning(household);
        Assert.Equal((WarningStatus.InAssistance, EscalationLevels.None), (warning.Status, warning.EscalationLevel));
        Assert.DoesNotContain(warning.Id, (await Overdue()).Warnings.Select(w => w.WarningId));
    }

    [Fact]
    public async Task An_escalated_warning_can_still_be_taken_up_by_the_level_above()
    {
        host.Clock.SetDate(new DateOnly(2026, 4, 13));
        var household = await host.Graded("620102003001", WarningGrade.Two);
        var id = (await host.OpenWarning(household)).Id;
        host.Clock.SetDate(new DateOnly(2026, 6, 1));
        Assert.Contains(id, (await Sweep()).Escalated);
        var province = Callers.Province();
        await host.Run<AcknowledgeWarning, WarningCommandResult>(u => u.HandleAsync(province, new AcknowledgeWarningRequest(id.ToString())));
        var dispatched = await host.Run<DispatchWarning, WarningCommandResult>(u => u.HandleAsync(province, new DispatchWarningRequest(id.ToString(), [])));
        Assert.Equal((WarningStatus.Dispatched, EscalationLevels.County), (dispatched.Warning.Status, dispatched.Warning.EscalationLevel));
    }
}
