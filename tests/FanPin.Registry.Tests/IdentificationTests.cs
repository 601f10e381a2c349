using FanPin.Policies;
using FanPin.Registry.Application.Households;
using FanPin.Registry.Application.Identification;
using FanPin.Registry.Domain;
using FanPin.ServiceDefaults.Authentication;
using static FanPin.Registry.Tests.RegistryFixture;

namespace FanPin.Registry.Tests;

public class IdentificationTests(RegistryFixture fx) : IClassFixture<RegistryFixture>
{
    private Task<IdentificationCaseResult> Step<TUseCase>(Func<TUseCase, Task<IdentificationCaseResult>> call)
        where TUseCase : notnull => fx.Run(call);

    private async Task<MonitoringStatus> StatusOf(Guid household) =>
        (await fx.Run<GetHousehold, GetHouseholdResult>(u => u.HandleAsync(Callers.County(), new GetHouseholdRequest(household)))).Household.Status;

    [Fact]
    public async Task The_whole_procedure_runs_in_order_with_working_day_deadlines_across_the_national_day()
    {
        var household = await Procedures.NewHouseholdAsync(fx);
        fx.Clock.SetToday(new DateOnly(2025, 9, 26)); // a Friday before the National Day week
        var opened = (await Procedures.OpenAsync(fx, household)).Case;
        Assert.Equal(IdentificationState.AwaitingHomeVerification, opened.State);
        // Sun 28 Sep (调休) , Mon 29, Tue 30, [1–8 Oct holiday], Thu 9, Fri 10.
        Assert.Equal(new DateOnly(2025, 10, 10), opened.VerificationDueOn);
        Assert.Equal(new DateOnly(2025, 10, 30), opened.DecisionDueOn);
        Assert.Equal(("00", 1), (opened.PolicyProvince, opened.PolicyVersion));
        Assert.Equal(MonitoringStatus.Candidate, await StatusOf(household));
        var c = opened.Id;

        // Out of order, wrong role, wrong place: refused, naming the current state, nothing written.
        var before = await fx.SnapshotAsync();
        var early = await Assert.ThrowsAsync<PreconditionFailedException>(() => Step<RecordDataComparison>(u =>
            u.HandleAsync(Callers.County(), new RecordDataComparisonRequest(c, new DateOnly(2025, 9, 26), []))));
        Assert.Equal("AwaitingHomeVerification", early.CurrentState);
        await Assert.ThrowsAsync<AccessDeniedException>(() => Step<RecordHomeVerification>(u =>
            u.HandleAsync(Callers.Village(), new RecordHomeVerificationRequest(c, new DateOnly(2025, 9, 26), true, null, ""))));
        await Assert.ThrowsAsync<AccessDeniedException>(() => Step<RecordHomeVerification>(u =>
            u.HandleAsync(Callers.Township("620102002"), new RecordHomeVerificationRequest(c, new DateOnly(2025, 9, 26), true, null, ""))));
        var future = await Assert.ThrowsAsync<ValidationFailedException>(() => Step<RecordHomeVerification>(u =>
            u.HandleAsync(Callers.Township(), new RecordHomeVerificationRequest(c, new DateOnly(2025, 9, 27), true, null, ""))));
        Assert.Equal("verified_on", future.Violations.Single().Field);
        Assert.Equal(before, await fx.SnapshotAsync());

        fx.Clock.SetToday(new DateOnly(2025, 10, 9));
        var verified = await Step<RecordHomeVerification>(u => u.HandleAsync(Callers.Township(),
            new RecordHomeVerificationRequest(c, new DateOnly(2025, 10, 9), true, 480_000, "income and costs checked")));
        Assert.Equal(IdentificationState.AwaitingDemocraticAppraisal, verified.Case.State);
        Assert.False(verified.Case.Overdue);

        var unsigned = await Assert.ThrowsAsync<ValidationFailedException>(() => Step<RecordDemocraticAppraisal>(u => u.HandleAsync(Callers.Township(),
            new RecordDemocraticAppraisalRequest(c, new DateOnly(2025, 10, 9), AppraisalResult.Approved, "会议纪要-17", false))));
        Assert.Equal("asset_check_authorised", unsigned.Violations.Single().Field);
        await Step<RecordDemocraticAppraisal>(u => u.HandleAsync(Callers.Township(),
            new RecordDemocraticAppraisalRequest(c, new DateOnly(2025, 10, 9), AppraisalResult.Approved, "会议纪要-17", true)));
        await Step<RecordDataComparison>(u => u.HandleAsync(Callers.County(), new RecordDataComparisonRequest(c, new DateOnly(2025, 10, 9), [])));
        var notice = await Step<PublishIdentificationNotice>(u => u.HandleAsync(Callers.Township(), new PublishIdentificationNoticeRequest(c, new DateOnly(2025, 10, 13))));
        Assert.Equal(IdentificationState.UnderPublicNotice, notice.Case.State);
        Assert.Equal(new DateOnly(2025, 10, 18), notice.Case.NoticeEndsOn); // 13–17 October: 5 days

        fx.Clock.SetToday(new DateOnly(2025, 10, 17));
        var tooEarly = await Assert.ThrowsAsync<PreconditionFailedException>(() => Step<EnterMonitoredHousehold>(u => u.HandleAsync(Callers.County(),
            new EnterMonitoredHouseholdRequest(c, MonitoringType.MarginalAtRisk, [RiskType.Illness], Procedures.Helper))));
        Assert.Equal("UnderPublicNotice", tooEarly.CurrentState);

        fx.Clock.SetToday(new DateOnly(2025, 10, 18));
        var wrongType = await Assert.ThrowsAsync<ValidationFailedException>(() => Step<EnterMonitoredHousehold>(u => u.HandleAsync(Callers.County(),
            new EnterMonitoredHouseholdRequest(c, MonitoringType.UnstablePostPoverty, [RiskType.Illness], Procedures.Helper))));
        Assert.Equal("monitoring_type", wrongType.Violations.Single().Field);
        var entered = await Step<EnterMonitoredHousehold>(u => u.HandleAsync(Callers.County(),
            new EnterMonitoredHouseholdRequest(c, MonitoringType.MarginalAtRisk, [RiskType.Illness, RiskType.Schooling], Procedures.Helper)));
        Assert.Equal(IdentificationState.Entered, entered.Case.State);
        Assert.Equal(
            ["open", "record_home_verification", "record_democratic_appraisal", "record_data_comparison", "publish_notice", "enter"],
            entered.Case.Trail.Select(t => t.Action));
        Assert.Equal(["village-cadre", "township-office", "township-office", "county-office", "township-office", "county-office"],
            entered.Case.Trail.Select(t => t.ActorSubject));

        var h = (await fx.Run<GetHousehold, GetHouseholdResult>(u => u.HandleAsync(Callers.County(), new GetHouseholdRequest(household)))).Household;
        Assert.Equal(MonitoringStatus.Monitored, h.Status);
        Assert.Equal(MonitoringType.MarginalAtRisk, h.MonitoringType);
        Assert.Equal([RiskType.Illness, RiskType.Schooling], h.RiskTypes);
        Assert.Equal("刘帮扶", h.Helper!.Name);

        Assert.Equal(1, await fx.CountAsync(TestDatabase.EventCount("IdentificationCaseOpened"), ("h", household)));
        Assert.Equal(5, await fx.CountAsync(TestDatabase.EventCount("IdentificationCaseAdvanced"), ("h", household)));
        Assert.Equal(1, await fx.CountAsync(
            TestDatabase.EventCount("HouseholdIdentified", "p->>'monitoringType' = 'MarginalAtRisk'"), ("h", household)));
    }

    [Fact]
    public async Task A_verification_not_done_in_time_shows_as_overdue()
    {
        var household = await Procedures.NewHouseholdAsync(fx);
        fx.Clock.SetToday(new DateOnly(2025, 3, 3));
        var c = (await Procedures.OpenAsync(fx, household)).Case;
        Assert.Equal(new DateOnly(2025, 3, 10), c.VerificationDueOn);
        fx.Clock.SetToday(new DateOnly(2025, 3, 10));
        Assert.False((await Step<GetIdentificationCase>(u => u.HandleAsync(Callers.Village(), new GetIdentificationCaseRequest(c.Id)))).Case.Overdue);
        fx.Clock.SetToday(new DateOnly(2025, 3, 11));
        Assert.True((await Step<GetIdentificationCase>(u => u.HandleAsync(Callers.Village(), new GetIdentificationCaseRequest(c.Id)))).Case.Overdue);
    }

    [Fact]
    public async Task An_exclusion_rejects_with_the_stated_reason_and_restores_the_household()
    {
        var household = await Procedures.NewHouseholdAsync(fx);
        fx.Clock.SetToday(new DateOnly(2025, 3, 3));
        var c = (await Procedures.OpenAsync(fx, household)).Case.Id;
        await Step<RecordHomeVerification>(u => u.HandleAsync(Callers.Township(), new RecordHomeVerificationRequest(c, new DateOnly(2025, 3, 3), true, null, "")));
        await Step<RecordDemocraticAppraisal>(u => u.HandleAsync(Callers.Township(),
            new RecordDemocraticAppraisalRequest(c, new DateOnly(2025, 3, 3), AppraisalResult.Approved, "m-2", true)));

        var before = await fx.SnapshotAsync();
        var noReason = await Assert.ThrowsAsync<ValidationFailedException>(() => Step<RecordDataComparison>(u => u.HandleAsync(Callers.County(),
            new RecordDataComparisonRequest(c, new DateOnly(2025, 3, 3), [new ExclusionInput(ExclusionKind.HighEndCar, " ")]))));
        Assert.Equal("exclusions[0].reason", noReason.Violations.Single().Field);
        Assert.Equal(before, await fx.SnapshotAsync());

        var rejected = await Step<RecordDataComparison>(u => u.HandleAsync(Callers.County(), new RecordDataComparisonRequest(c, new DateOnly(2025, 3, 3),
            [new ExclusionInput(ExclusionKind.HighEndCar, "公安车辆登记: 2023年购入宝马X5"), new ExclusionInput(ExclusionKind.Company, "市场监管: 法定代表人, 雇工12人")])));
        Assert.Equal(IdentificationState.Rejected, rejected.Case.State);
        Assert.Equal(IdentificationState.AwaitingDataComparison, rejected.Case.RejectedAt);
        Assert.Contains("宝马X5", rejected.Case.RejectionReason, StringComparison.Ordinal);
        Assert.Equal(2, rejected.Case.Exclusions.Count);
        Assert.Equal(MonitoringStatus.NotMonitored, await StatusOf(household));
        Assert.Equal(1, await fx.CountAsync(TestDatabase.EventCount("IdentificationRejected"), ("h", household)));

        var closed = await Assert.ThrowsAsync<PreconditionFailedException>(() => Step<RecordDataComparison>(u => u.HandleAsync(Callers.County(),
            new RecordDataComparisonRequest(c, new DateOnly(2025, 3, 3), []))));
        Assert.Equal("Rejected", closed.CurrentState);
    }

    [Fact]
    public async Task Verification_below_the_standard_rejects_only_with_a_written_reason()
    {
        var household = await Procedures.NewHouseholdAsync(fx);
        fx.Clock.SetToday(new DateOnly(2025, 3, 3));
        var c = (await Procedures.OpenAsync(fx, household)).Case.Id;
        var missing = await Assert.ThrowsAsync<ValidationFailedException>(() => Step<RecordHomeVerification>(u => u.HandleAsync(Callers.Township(),
            new RecordHomeVerificationRequest(c, new DateOnly(2025, 3, 3), false, 900_000, ""))));
        Assert.Equal("rejection_reason", missing.Violations.Single().Field);
        var rejected = await Step<RecordHomeVerification>(u => u.HandleAsync(Callers.Township(),
            new RecordHomeVerificationRequest(c, new DateOnly(2025, 3, 3), false, 900_000, "", "人均纯收入9000元, 高于监测线")));
        Assert.Equal(IdentificationState.Rejected, rejected.Case.State);
        Assert.Equal(MonitoringStatus.NotMonitored, await StatusOf(household));
    }

    [Fact]
    public async Task An_objection_during_the_notice_reopens_the_case()
    {
        var household = await Procedures.NewHouseholdAsync(fx);
        fx.Clock.SetToday(new DateOnly(2025, 3, 3));
        var c = (await Procedures.OpenAsync(fx, household)).Case.Id;
        await Step<RecordHomeVerification>(u => u.HandleAsync(Callers.Township(), new RecordHomeVerificationRequest(c, new DateOnly(2025, 3, 3), true, null, "")));
        await Step<RecordDemocraticAppraisal>(u => u.HandleAsync(Callers.Township(),
            new RecordDemocraticAppraisalRequest(c, new DateOnly(2025, 3, 3), AppraisalResult.Approved, "m-3", true)));
        await Step<RecordDataComparison>(u => u.HandleAsync(Callers.County(), new RecordDataComparisonRequest(c, new DateOnly(2025, 3, 3), [])));
        await Step<PublishIdentificationNotice>(u => u.HandleAsync(Callers.Township(), new PublishIdentificationNoticeRequest(c, new DateOnly(2025, 3, 4))));
        fx.Clock.SetToday(new DateOnly(2025, 3, 6));
        var reopened = await Step<RecordIdentificationObjection>(u => u.HandleAsync(Callers.Township(),
            new RecordIdentificationObjectionRequest(c, "村民反映该户有营运货车")));
        Assert.Equal(IdentificationState.AwaitingHomeVerification, reopened.Case.State);
        Assert.Equal(1, reopened.Case.Reopenings);
        Assert.Equal(new DateOnly(2025, 3, 13), reopened.Case.VerificationDueOn); // 5 working days from the objection
        Assert.Null(reopened.Case.NoticeEndsOn);
        Assert.Equal(MonitoringStatus.Candidate, await StatusOf(household));
    }

    [Fact]
    public async Task A_second_case_while_one_runs_fails_naming_the_state()
    {
        var household = await Procedures.NewHouseholdAsync(fx);
        await Procedures.OpenAsync(fx, household);
        var before = await fx.SnapshotAsync();
        var ex = await Assert.ThrowsAsync<PreconditionFailedException>(() => Procedures.OpenAsync(fx, household, CaseSource.Petition));
        Assert.Equal("Candidate", ex.CurrentState);
        Assert.Equal(before, await fx.SnapshotAsync());
    }

    [Fact]
    public async Task A_case_can_be_rejected_only_by_the_role_running_its_step()
    {
        var household = await Procedures.NewHouseholdAsync(fx);
        var c = (await Procedures.OpenAsync(fx, household)).Case.Id;
        await Assert.ThrowsAsync<AccessDeniedException>(() => Step<RejectIdentificationCase>(u => u.HandleAsync(Callers.County(), new RejectIdentificationCaseRequest(c, "withdrawn"))));
        var rejected = await Step<RejectIdentificationCase>(u => u.HandleAsync(Callers.Township(), new RejectIdentificationCaseRequest(c, "申请人撤回申请")));
        Assert.Equal(IdentificationState.Rejected, rejected.Case.State);
        Assert.Equal(MonitoringStatus.NotMonitored, await StatusOf(household));
    }

    [Fact]
    public async Task A_province_without_notice_counts_5_plus_15_and_goes_from_comparison_to_entry()
    {
        var household = await Procedures.NewHouseholdAsync(fx, Province51Village);
        var province = Callers.Province("51");
        fx.Clock.SetToday(new DateOnly(2025, 3, 3));
        var opened = (await Step<OpenIdentificationCase>(u => u.HandleAsync(province, new OpenIdentificationCaseRequest(household, CaseSource.CadreScreening, "排查发现")))).Case;
        Assert.Equal(("51", 1), (opened.PolicyProvince, opened.PolicyVersion));
        Assert.Null(opened.DecisionDueOn); // counted from verification
        var c = opened.Id;
        fx.Clock.SetToday(new DateOnly(2025, 3, 5));
        var verified = await Step<RecordHomeVerification>(u => u.HandleAsync(province, new RecordHomeVerificationRequest(c, new DateOnly(2025, 3, 5), true, null, "")));
        Assert.Equal(new DateOnly(2025, 3, 26), verified.Case.DecisionDueOn);
        await Step<RecordDemocraticAppraisal>(u => u.HandleAsync(province, new RecordDemocraticAppraisalRequest(c, new DateOnly(2025, 3, 5), AppraisalResult.Approved, "m", true)));
        var compared = await Step<RecordDataComparison>(u => u.HandleAsync(province, new RecordDataComparisonRequest(c, new DateOnly(2025, 3, 5), [])));
        Assert.Equal(IdentificationState.AwaitingEntry, compared.Case.State);
        var notice = await Assert.ThrowsAsync<PreconditionFailedException>(() => Step<PublishIdentificationNotice>(u =>
            u.HandleAsync(province, new PublishIdentificationNoticeRequest(c, new DateOnly(2025, 3, 5)))));
        Assert.Equal("AwaitingEntry", notice.CurrentState);
        var entered = await Step<EnterMonitoredHousehold>(u => u.HandleAsync(province,
            new EnterMonitoredHouseholdRequest(c, MonitoringType.SuddenSevereHardship, [RiskType.Disaster], Procedures.Helper)));
        Assert.Equal(IdentificationState.Entered, entered.Case.State);
    }
}
