using FanPin.Grading.Application.Warnings;
using FanPin.Grading.Domain;
using FanPin.Grading.Tests.Support;
using FanPin.Policies;
using FanPin.ServiceDefaults.Authentication;
using FanPin.Messaging.Persistence;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Grading.Tests;

/// <summary>
/// Raised → Acknowledged → Dispatched → InAssistance → Cleared, grade changes on the same warning, reasons in the
/// history, access rules, and nothing written when a command fails.
/// </summary>
public class WarningLifecycleTests(GradingHost host) : IClassFixture<GradingHost>
{
    private const string Village = "620102001001";
    private const string OtherCountyVillage = "620103002001";

    [Fact]
    public async Task A_warning_is_raised_regraded_and_cleared_as_one_warning_with_its_history()
    {
        var household = Guid.CreateVersion7();
        // Partial labour and a risk type: grade III.
        var raised = await host.ApplyFacts(host.Facts(household, Village, new LabourProfile(0, 1, 0, 2)));
        Assert.Equal(WarningGrade.Three, raised.Grade);
        Assert.Equal(RuleIds.GradeThreePartialLabour, raised.RuleId);
        var warningId = raised.WarningId!.Value;

        // Income below 1.5 × the poverty line: upgraded to grade I, the same warning.
        host.Clock.Advance(TimeSpan.FromHours(1));
        var upgraded = await host.ApplySignals(host.Signals(household, Village, Signal.LowIncome(5800m)));
        Assert.Equal((WarningGrade.Three, WarningGrade.One), (upgraded.PreviousGrade!.Value, upgraded.Grade!.Value));
        Assert.Equal(warningId, upgraded.WarningId);

        // The county marks the risk eliminated: cleared, still the same warning.
        host.Clock.Advance(TimeSpan.FromHours(1));
        var cleared = await host.ApplyFacts(host.Facts(household, Village, new LabourProfile(0, 1, 0, 2), MonitoringStatus.RiskEliminated));
        Assert.Null(cleared.Grade);
        Assert.Null(cleared.WarningId);

        var detail = await host.Run<GetWarning, GetWarningResult>(u => u.HandleAsync(Callers.County("620102"), new GetWarningRequest(warningId.ToString())));
        Assert.Equal(WarningStatus.Cleared, detail.Warning.Status);
        Assert.Equal(RuleIds.NoneRiskEliminated, detail.Warning.Reason.RuleId);
        Assert.Equal([WarningAction.Raised, WarningAction.GradeChanged, WarningAction.Cleared], detail.History.Select(h => h.Action));
        Assert.Equal(WarningGrade.Three, detail.History[1].FromGrade);
        Assert.Equal(RuleIds.GradeOneIncomeBelowFactor, detail.History[1].RuleId);

        var history = await host.Run<GetHouseholdGradeHistory, GetHouseholdGradeHistoryResult>(u =>
            u.HandleAsync(Callers.Township("620102001"), new GetHouseholdGradeHistoryRequest(household.ToString())));
        Assert.Null(history.CurrentGrade);
        Assert.Equal([(WarningGrade?)WarningGrade.One, WarningGrade.Three, null], history.Changes.Select(c => c.FromGrade));
        Assert.Equal([RuleIds.NoneRiskEliminated, RuleIds.GradeOneIncomeBelowFactor, RuleIds.GradeThreePartialLabour], history.Changes.Select(c => c.Reason.RuleId));
        Assert.Equal("580000", history.Changes[1].Reason.Inputs["perCapitaIncomeFen"]);
        Assert.All(history.Changes, c => Assert.Equal(warningId, c.WarningId));

        // The public events went to the log, each staged in the same transaction in the outbox: once for the bus, once for fanpin.events.
        var logged = await host.Db(db => db.WarningLog.AsNoTracking().Where(e => e.WarningId == warningId).OrderBy(e => e.Sequence).ToListAsync());
        Assert.Equal([WarningLogEventType.Raised, WarningLogEventType.GradeChanged, WarningLogEventType.Cleared], logged.Select(e => e.EventType));
        Assert.Equal(WarningGrade.Three, logged[1].PreviousGrade);
        var ids = logged.Select(l => l.EventId).ToList();
        var staged = await host.Db(db => db.Set<OutboxMessage>().AsNoTracking().Where(e => ids.Contains(e.EventId))
            .Select(e => new { e.EventType, e.Destination, e.RoutingKey }).ToListAsync());
        Assert.Equal(
            ["FanPin.IntegrationEvents.WarningCleared", "FanPin.IntegrationEvents.WarningGradeChanged", "FanPin.IntegrationEvents.WarningRaised"],
            staged.Where(e => e.Destination == OutboxDestination.Bus).Select(e => e.EventType).Order(StringComparer.Ordinal));
        Assert.Equal(
            ["warning.cleared.62.01.02.001.001", "warning.grade-changed.62.01.02.001.001", "warning.raised.62.01.02.001.001"],
            staged.Where(e => e.Destination == OutboxDestination.PublicExchange).Select(e => e.RoutingKey).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_new_grade_after_clearing_is_a_new_warning()
    {
        var household = Guid.CreateVersion7();
        var first = await host.ApplyFacts(host.Facts(household, Village, new LabourProfile(0, 0, 1, 0)));
        await host.ApplyFacts(host.Facts(household, Village, new LabourProfile(0, 0, 1, 0), MonitoringStatus.RiskEliminated));
        host.Clock.Advance(TimeSpan.FromMinutes(1));
        var again = await host.ApplyFacts(host.Facts(household, Village, new LabourProfile(0, 0, 1, 0), MonitoringStatus.Candidate));
        Assert.Equal(WarningGrade.One, again.Grade);
        Assert.NotEqual(first.WarningId, again.WarningId);
    }

    [Fact]
    public async Task An_older_snapshot_arriving_late_changes_nothing()
    {
        var household = Guid.CreateVersion7();
        var late = host.Facts(household, Village, new LabourProfile(0, 0, 1, 0)); // taken now, delivered after the next one
        host.Clock.Advance(TimeSpan.FromMinutes(5));
        var current = await host.ApplyFacts(host.Facts(household, Village, new LabourProfile(0, 1, 0, 0)));
        Assert.Equal(WarningGrade.Three, current.Grade);
        var result = await host.ApplyFacts(late);
        Assert.False(result.Applied);
        Assert.Equal(WarningGrade.Three, (await host.OpenWarning(household)).Grade);
    }

    [Fact]
    public async Task The_county_acknowledges_and_dispatches_and_the_named_department_starts_assistance()
    {
        var household = await host.Graded(Village, WarningGrade.Two);
        var warning = await host.OpenWarning(household);
        var id = warning.Id.ToString();
        var county = Callers.County("620102");

        var acknowledged = await host.Run<AcknowledgeWarning, WarningCommandResult>(u => u.HandleAsync(county, new AcknowledgeWarningRequest(id, "seen")));
        Assert.Equal(WarningStatus.Acknowledged, acknowledged.Warning.Status);

        var dispatched = await host.Run<DispatchWarning, WarningCommandResult>(u =>
            u.HandleAsync(county, new DispatchWarningRequest(id, [Departments.MedicalInsurance, Departments.CivilAffairs])));
        Assert.Equal(WarningStatus.Dispatched, dispatched.Warning.Status);
        Assert.Equal("620102001000", dispatched.Warning.DispatchedTownship);
        Assert.Equal([Departments.CivilAffairs, Departments.MedicalInsurance], dispatched.Warning.DispatchedDepartments);

        // A department it was not handed to may not report on it.
        await Assert.ThrowsAsync<AccessDeniedException>(() => host.Run<StartAssistance, WarningCommandResult>(u =>
            u.HandleAsync(Callers.Department("620102", Departments.Housing), new StartAssistanceRequest(id))));
        var assisted = await host.Run<StartAssistance, WarningCommandResult>(u =>
            u.HandleAsync(Callers.Department("620102", Departments.CivilAffairs), new StartAssistanceRequest(id, "低保 applied")));
        Assert.Equal(WarningStatus.InAssistance, assisted.Warning.Status);

        var detail = await host.Run<GetWarning, GetWarningResult>(u => u.HandleAsync(county, new GetWarningRequest(id)));
        Assert.Equal([WarningAction.Raised, WarningAction.Acknowledged, WarningAction.Dispatched, WarningAction.AssistanceStarted], detail.History.Select(h => h.Action));
        Assert.Equal(["grading", county.Subject, county.Subject, "dept-civil-affairs"], detail.History.Select(h => h.Actor));
        Assert.Equal("低保 applied", detail.History[^1].Note);
        // The lifecycle steps inside grading are not published (docs/grading.md): only the raise is in the outbox.
        var partition = household.ToString("N");
        var staged = await host.Db(db => db.Set<OutboxMessage>().AsNoTracking().Where(e => e.PartitionKey == partition && e.Destination == OutboxDestination.Bus)
            .Select(e => e.EventType).ToListAsync());
        Assert.Equal(["FanPin.IntegrationEvents.WarningRaised"], staged);
    }

    [Fact]
    public async Task Commands_check_role_scope_and_state_and_write_nothing_when_they_fail()
    {
        var household = await host.Graded(Village, WarningGrade.One);
        var id = (await host.OpenWarning(household)).Id.ToString();
        var before = await host.Db(db => db.WarningTransitions.CountAsync());

        await Assert.ThrowsAsync<AccessDeniedException>(() => host.Run<AcknowledgeWarning, WarningCommandResult>(u =>
            u.HandleAsync(Callers.Township("620102001"), new AcknowledgeWarningRequest(id))));
        // Another county does not learn that the warning exists.
        await Assert.ThrowsAsync<NotFoundException>(() => host.Run<AcknowledgeWarning, WarningCommandResult>(u =>
            u.HandleAsync(Callers.County("620103"), new AcknowledgeWarningRequest(id))));
        var notYet = await Assert.ThrowsAsync<PreconditionFailedException>(() => host.Run<DispatchWarning, WarningCommandResult>(u =>
            u.HandleAsync(Callers.County("620102"), new DispatchWarningRequest(id, [Departments.Health]))));
        Assert.Equal("Raised", notYet.CurrentState);
        var invalid = await Assert.ThrowsAsync<ValidationFailedException>(() => host.Run<DispatchWarning, WarningCommandResult>(u =>
            u.HandleAsync(Callers.County("620102"), new DispatchWarningRequest("not-an-id", ["police", Departments.Health, Departments.Health]))));
        Assert.Equal(["warning_id", "departments[0]", "departments"], invalid.Violations.Select(v => v.Field));
        await Assert.ThrowsAsync<AccessDeniedException>(() => host.Run<StartAssistance, WarningCommandResult>(u =>
            u.HandleAsync(Callers.Downstream("62"), new StartAssistanceRequest(id))));

        Assert.Equal(before, await host.Db(db => db.WarningTransitions.CountAsync()));
        Assert.Equal(WarningStatus.Raised, (await host.OpenWarning(household)).Status);
    }

    [Fact]
    public async Task An_upgrade_tightens_the_deadline_and_a_downgrade_keeps_it()
    {
        var household = Guid.CreateVersion7();
        await host.ApplyFacts(host.Facts(household, OtherCountyVillage, new LabourProfile(0, 1, 0, 0)));
        var three = await host.OpenWarning(household);
        var policy = DefaultPolicy.Policy;
        Assert.Equal(policy.WorkingDays.AddWorkingDays(host.Clock.Today, 20), three.DueOn);

        host.Clock.Advance(TimeSpan.FromDays(1));
        await host.ApplySignals(host.Signals(household, OtherCountyVillage, Signal.LowIncome(5000m)));
        var one = await host.OpenWarning(household);
        Assert.Equal(WarningGrade.One, one.Grade);
        Assert.Equal(policy.WorkingDays.AddWorkingDays(host.Clock.Today, 5), one.DueOn);

        host.Clock.Advance(TimeSpan.FromDays(1));
        await host.ApplySignals(host.Signals(household, OtherCountyVillage));
        var downgraded = await host.OpenWarning(household);
        Assert.Equal(WarningGrade.Three, downgraded.Grade);
        Assert.Equal(one.DueOn, downgraded.DueOn);
        Assert.Equal(three.Id, downgraded.Id);
    }

    [Fact]
    public async Task Invalid_inputs_are_refused_with_every_field_named()
    {
        var bad = host.Facts(Guid.Empty, "62010200100", new LabourProfile(1, 0, 0, 0)) with { Category = (HouseholdCategory)9 };
        var ex = await Assert.ThrowsAsync<ValidationFailedException>(() => host.ApplyFacts(bad));
        Assert.Equal(["household_id", "region_code", "category"], ex.Violations.Select(v => v.Field));
        var share = host.Signals(Guid.CreateVersion7(), Village, new ReceivedRiskSignal("IncomeDrop",
            new Dictionary<string, decimal> { ["incomeDropShare"] = 1.5m }, new Dictionary<string, decimal>()));
        var shareEx = await Assert.ThrowsAsync<ValidationFailedException>(() => host.ApplySignals(share));
        Assert.Equal("signals[0].inputs.incomeDropShare", Assert.Single(shareEx.Violations).Field);
    }
}
