using FanPin.Registry.Application.Closing;
using FanPin.Registry.Application.Households;
using FanPin.Registry.Application.Identification;
using FanPin.Registry.Application.Signals;
using FanPin.Registry.Domain;
using FanPin.ServiceDefaults.Authentication;

namespace FanPin.Registry.Tests;

public class ClosingAndSignalTests(RegistryFixture fx) : IClassFixture<RegistryFixture>
{
    private Task<ClosingCaseResult> Step<TUseCase>(Func<TUseCase, Task<ClosingCaseResult>> call)
        where TUseCase : notnull => fx.Run(call);

    private async Task<MonitoringStatus> StatusOf(Guid household) =>
        (await fx.Run<GetHousehold, GetHouseholdResult>(u => u.HandleAsync(Callers.County(), new GetHouseholdRequest(household)))).Household.Status;

    [Fact]
    public async Task The_closing_procedure_ends_in_risk_eliminated_and_the_household_can_be_identified_again()
    {
        var household = await Procedures.NewHouseholdAsync(fx);
        await Procedures.IdentifyAsync(fx, household, new DateOnly(2025, 3, 3));
        fx.Clock.SetToday(new DateOnly(2025, 11, 3));

        var before = await fx.SnapshotAsync();
        var tooShort = await Assert.ThrowsAsync<ValidationFailedException>(() => Step<OpenClosingCase>(u => u.HandleAsync(Callers.County(),
            new OpenClosingCaseRequest(household, new DateOnly(2025, 7, 1), "收入稳定"))));
        Assert.Equal("income_stable_since", tooShort.Violations.Single().Field);
        Assert.Contains("asks for 6", tooShort.Violations.Single().Description, StringComparison.Ordinal);
        await Assert.ThrowsAsync<AccessDeniedException>(() => Step<OpenClosingCase>(u => u.HandleAsync(Callers.Township(),
            new OpenClosingCaseRequest(household, new DateOnly(2025, 4, 1), "收入稳定"))));
        Assert.Equal(before, await fx.SnapshotAsync());

        var opened = await Step<OpenClosingCase>(u => u.HandleAsync(Callers.County(), new OpenClosingCaseRequest(household, new DateOnly(2025, 4, 1), "务工收入稳定, 医疗费用已报销")));
        var c = opened.Case.Id;
        Assert.Equal(ClosingState.AwaitingDemocraticAppraisal, opened.Case.State);
        var early = await Assert.ThrowsAsync<PreconditionFailedException>(() => Step<EliminateRisk>(u => u.HandleAsync(Callers.County(), new EliminateRiskRequest(c))));
        Assert.Equal("AwaitingDemocraticAppraisal", early.CurrentState);
        var second = await Assert.ThrowsAsync<PreconditionFailedException>(() => Step<OpenClosingCase>(u => u.HandleAsync(Callers.County(),
            new OpenClosingCaseRequest(household, new DateOnly(2025, 4, 1), "again"))));
        Assert.Equal("AwaitingDemocraticAppraisal", second.CurrentState);

        await Step<RecordClosingAppraisal>(u => u.HandleAsync(Callers.Township(), new RecordClosingAppraisalRequest(c, new DateOnly(2025, 11, 3), AppraisalResult.Approved, "m-9")));
        await Step<RecordTownshipReview>(u => u.HandleAsync(Callers.Township(), new RecordTownshipReviewRequest(c, new DateOnly(2025, 11, 3), AppraisalResult.Approved)));
        var notice = await Step<PublishClosingNotice>(u => u.HandleAsync(Callers.Township(), new PublishClosingNoticeRequest(c, new DateOnly(2025, 11, 4))));
        Assert.Equal(new DateOnly(2025, 11, 9), notice.Case.NoticeEndsOn);
        fx.Clock.SetToday(new DateOnly(2025, 11, 8));
        var running = await Assert.ThrowsAsync<PreconditionFailedException>(() => Step<EliminateRisk>(u => u.HandleAsync(Callers.County(), new EliminateRiskRequest(c))));
        Assert.Equal("UnderPublicNotice", running.CurrentState);
        fx.Clock.SetToday(new DateOnly(2025, 11, 10));
        var done = await Step<EliminateRisk>(u => u.HandleAsync(Callers.County(), new EliminateRiskRequest(c)));
        Assert.Equal(ClosingState.RiskEliminated, done.Case.State);
        Assert.Equal(["open", "record_appraisal", "record_township_review", "publish_notice", "eliminate"], done.Case.Trail.Select(t => t.Action));
        Assert.Equal(MonitoringStatus.RiskEliminated, await StatusOf(household));
        Assert.Equal(1, await fx.CountAsync(TestDatabase.EventCount("RiskEliminated"), ("h", household)));
        Assert.Equal(1, await fx.CountAsync(TestDatabase.EventCount("ClosingCaseOpened"), ("h", household)));

        // Still watched: a new risk can start a new identification.
        var again = await Procedures.OpenAsync(fx, household, CaseSource.CadreScreening);
        Assert.Equal(IdentificationState.AwaitingHomeVerification, again.Case.State);
        Assert.Equal(MonitoringStatus.Candidate, await StatusOf(household));
    }

    [Fact]
    public async Task Only_a_monitored_household_can_be_closed()
    {
        var household = await Procedures.NewHouseholdAsync(fx);
        fx.Clock.SetToday(new DateOnly(2025, 11, 3));
        var ex = await Assert.ThrowsAsync<PreconditionFailedException>(() => Step<OpenClosingCase>(u => u.HandleAsync(Callers.County(),
            new OpenClosingCaseRequest(household, new DateOnly(2025, 1, 1), "x"))));
        Assert.Equal("NotMonitored", ex.CurrentState);
    }

    [Fact]
    public async Task Risk_signals_open_one_system_case_however_often_they_arrive()
    {
        var household = await Procedures.NewHouseholdAsync(fx);
        fx.Clock.SetToday(new DateOnly(2025, 3, 3));
        var message = new RiskSignalsDetectedMessage(Guid.NewGuid(), household, DateTimeOffset.UtcNow, ["medical_self_paid_over_warning_line"], null);
        var first = await fx.Run<HandleRiskSignalsDetected, SignalResult>(u => u.HandleAsync(message));
        Assert.Equal(SignalOutcome.Opened, first.Outcome);
        var again = await fx.Run<HandleRiskSignalsDetected, SignalResult>(u => u.HandleAsync(message));
        Assert.Equal((SignalOutcome.AlreadyHandled, first.CaseId), (again.Outcome, again.CaseId));
        var other = await fx.Run<HandleRiskSignalsDetected, SignalResult>(u => u.HandleAsync(message with { EventId = Guid.NewGuid() }));
        Assert.Equal((SignalOutcome.NotApplicable, first.CaseId), (other.Outcome, other.CaseId));
        Assert.Equal(1, await fx.CountAsync("SELECT count(*) FROM identification_cases WHERE household_id = @h", ("h", household)));

        var view = await fx.Run<GetIdentificationCase, IdentificationCaseResult>(u => u.HandleAsync(Callers.County(), new GetIdentificationCaseRequest(first.CaseId!.Value)));
        Assert.Equal(CaseSource.SystemSignal, view.Case.Source);
        Assert.Equal("system:monitoring", view.Case.Trail.Single().ActorSubject);
        Assert.Contains("medical_self_paid_over_warning_line", view.Case.Summary, StringComparison.Ordinal);

        var unknown = await fx.Run<HandleRiskSignalsDetected, SignalResult>(u => u.HandleAsync(message with { EventId = Guid.NewGuid(), HouseholdId = Guid.NewGuid() }));
        Assert.Equal(SignalOutcome.NotApplicable, unknown.Outcome);
    }

    [Fact]
    public async Task Signals_that_cleared_an_empty_set_open_nothing()
    {
        var household = await Procedures.NewHouseholdAsync(fx);
        fx.Clock.SetToday(new DateOnly(2025, 3, 3));
        var result = await fx.Run<HandleRiskSignalsDetected, SignalResult>(u =>
            u.HandleAsync(new RiskSignalsDetectedMessage(Guid.NewGuid(), household, DateTimeOffset.UtcNow, [], null)));
        Assert.Equal((SignalOutcome.NotApplicable, (Guid?)null), (result.Outcome, result.CaseId));
        Assert.Equal(0, await fx.CountAsync("SELECT count(*) FROM identification_cases WHERE household_id = @h", ("h", household)));
    }

    [Fact]
    public async Task A_signal_for_a_monitored_household_opens_nothing()
    {
        var household = await Procedures.NewHouseholdAsync(fx);
        await Procedures.IdentifyAsync(fx, household, new DateOnly(2025, 3, 3));
        var result = await fx.Run<HandleRiskSignalsDetected, SignalResult>(u =>
            u.HandleAsync(new RiskSignalsDetectedMessage(Guid.NewGuid(), household, DateTimeOffset.UtcNow, ["income_drop"], null)));
        Assert.Equal(SignalOutcome.NotApplicable, result.Outcome);
        Assert.Equal(1, await fx.CountAsync("SELECT count(*) FROM identification_cases WHERE household_id = @h", ("h", household)));
    }

    [Fact]
    public async Task A_proposed_elimination_opens_one_closing_case_when_income_was_stable_long_enough()
    {
        var household = await Procedures.NewHouseholdAsync(fx);
        await Procedures.IdentifyAsync(fx, household, new DateOnly(2025, 1, 6));
        fx.Clock.SetToday(new DateOnly(2025, 12, 1));
        var tooSoon = await fx.Run<HandleRiskEliminationProposed, SignalResult>(u =>
            u.HandleAsync(new RiskEliminationProposedMessage(Guid.NewGuid(), household, new DateOnly(2025, 9, 1), null)));
        Assert.Equal(SignalOutcome.NotApplicable, tooSoon.Outcome);
        var message = new RiskEliminationProposedMessage(Guid.NewGuid(), household, new DateOnly(2025, 5, 1), "收入连续7个月高于监测线");
        var first = await fx.Run<HandleRiskEliminationProposed, SignalResult>(u => u.HandleAsync(message));
        Assert.Equal(SignalOutcome.Opened, first.Outcome);
        var again = await fx.Run<HandleRiskEliminationProposed, SignalResult>(u => u.HandleAsync(message));
        Assert.Equal((SignalOutcome.AlreadyHandled, first.CaseId), (again.Outcome, again.CaseId));
        var view = await fx.Run<GetClosingCase, ClosingCaseResult>(u => u.HandleAsync(Callers.County(), new GetClosingCaseRequest(first.CaseId!.Value)));
        Assert.Equal(ClosingSource.SystemProposal, view.Case.Source);
        Assert.Equal(1, await fx.CountAsync("SELECT count(*) FROM closing_cases WHERE household_id = @h", ("h", household)));
    }
}
