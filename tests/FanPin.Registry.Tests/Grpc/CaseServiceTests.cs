using FanPin.Contracts.Registry.V1;
using FanPin.Grpc;
using static FanPin.Registry.Tests.Grpc.GrpcTestKit;

namespace FanPin.Registry.Tests.Grpc;

/// <summary>IdentificationService and ClosingService over real gRPC: whole procedures, and every kind of refusal.</summary>
[Collection(RegistryServerCollection.Name)]
public class CaseServiceTests(RegistryServer server)
{
    private const string Village = RegistryFixture.Village;

    private async Task<string> NewHouseholdAsync(RegistryClients county) =>
        (await county.Households.CreateHouseholdAsync(Household(Village, Member("户主", Relation.Head), Member("配偶", Relation.Spouse)))).Household.Id;

    private static async Task<IdentificationCase> OpenAsync(RegistryClients village, string household) =>
        (await village.Identification.OpenIdentificationCaseAsync(new OpenIdentificationCaseRequest
        {
            HouseholdId = household,
            Source = CaseSource.SelfApplication,
            Summary = "medical bills after surgery",
        })).IdentificationCase;

    /// <summary>Runs the default procedure from opening (today) to entry five days later; returns the case.</summary>
    private async Task<IdentificationCase> IdentifyAsync(string household, DateOnly opened)
    {
        using var village = server.As(Callers.Village());
        using var township = server.As(Callers.Township());
        using var county = server.As(Callers.County());
        server.Clock.SetToday(opened);
        var day = Date(opened.Year, opened.Month, opened.Day);
        var c = (await OpenAsync(village, household)).Id;
        await township.Identification.RecordHomeVerificationAsync(new RecordHomeVerificationRequest { CaseId = c, VerifiedOn = day, MeetsStandard = true, PerCapitaIncomeFen = 420_000, Notes = "checked at home" });
        await township.Identification.RecordDemocraticAppraisalAsync(new RecordDemocraticAppraisalRequest
        {
            CaseId = c, MeetingOn = day, Result = AppraisalResult.Approved, MinutesReference = "minutes-001", AssetCheckAuthorised = true,
        });
        await county.Identification.RecordDataComparisonAsync(new RecordDataComparisonRequest { CaseId = c, ComparedOn = day });
        await township.Identification.PublishIdentificationNoticeAsync(new PublishIdentificationNoticeRequest { CaseId = c, StartsOn = day });
        server.Clock.SetToday(opened.AddDays(5));
        var enter = new EnterMonitoredHouseholdRequest { CaseId = c, MonitoringType = MonitoringType.MarginalAtRisk, Helper = Helper };
        enter.RiskTypes.Add(RiskType.Illness);
        return (await county.Identification.EnterMonitoredHouseholdAsync(enter)).IdentificationCase;
    }

    [Fact]
    public async Task The_identification_procedure_runs_over_grpc_and_refusals_write_nothing()
    {
        using var village = server.As(Callers.Village());
        using var township = server.As(Callers.Township());
        using var otherTownship = server.As(Callers.Township("620102002"));
        using var county = server.As(Callers.County());
        using var otherCounty = server.As(Callers.County("620121"));
        server.Clock.SetToday(new DateOnly(2025, 3, 3));
        var household = await NewHouseholdAsync(county);
        var opened = await OpenAsync(village, household);
        Assert.Equal(IdentificationState.AwaitingHomeVerification, opened.State);
        Assert.Equal(opened.Id, (await county.Households.GetHouseholdAsync(new GetHouseholdRequest { HouseholdId = household })).OpenIdentificationCaseId);
        Assert.Equal(Date(2025, 3, 3), opened.OpenedOn);
        Assert.NotNull(opened.VerificationDueOn);
        Assert.Equal(("open", "village-cadre"), (opened.Trail.Single().Action, opened.Trail.Single().ActorSubject));
        var c = opened.Id;

        var before = await server.SnapshotAsync();
        var early = await Fails(StatusCode.FailedPrecondition, async () =>
            await county.Identification.RecordDataComparisonAsync(new RecordDataComparisonRequest { CaseId = c, ComparedOn = Date(2025, 3, 3) }));
        Assert.Equal("AwaitingHomeVerification", CurrentState(early));
        Assert.Contains("AwaitingHomeVerification", early.Status.Detail, StringComparison.Ordinal);
        await Fails(StatusCode.PermissionDenied, async () =>
            await otherTownship.Identification.RecordHomeVerificationAsync(new RecordHomeVerificationRequest { CaseId = c, VerifiedOn = Date(2025, 3, 3), MeetsStandard = true }));
        await Fails(StatusCode.PermissionDenied, async () =>
            await village.Identification.RecordHomeVerificationAsync(new RecordHomeVerificationRequest { CaseId = c, VerifiedOn = Date(2025, 3, 3), MeetsStandard = true }));
        await Fails(StatusCode.PermissionDenied, async () => await otherCounty.Identification.GetIdentificationCaseAsync(new GetIdentificationCaseRequest { CaseId = c }));
        var future = await Fails(StatusCode.InvalidArgument, async () =>
            await township.Identification.RecordHomeVerificationAsync(new RecordHomeVerificationRequest { CaseId = c, VerifiedOn = Date(2025, 3, 4), MeetsStandard = true }));
        Assert.Equal(["verified_on"], Fields(future));
        var impossible = await Fails(StatusCode.InvalidArgument, async () =>
            await township.Identification.RecordHomeVerificationAsync(new RecordHomeVerificationRequest { CaseId = c, VerifiedOn = Date(2025, 2, 30), MeetsStandard = true }));
        Assert.Equal(["verified_on"], Fields(impossible));
        var rejectWithoutReason = await Fails(StatusCode.InvalidArgument, async () =>
            await township.Identification.RecordHomeVerificationAsync(new RecordHomeVerificationRequest { CaseId = c, VerifiedOn = Date(2025, 3, 3), MeetsStandard = false }));
        Assert.Equal(["rejection_reason"], Fields(rejectWithoutReason));
        await Fails(StatusCode.NotFound, async () => await county.Identification.GetIdentificationCaseAsync(new GetIdentificationCaseRequest { CaseId = Guid.NewGuid().ToString() }));
        await Fails(StatusCode.Unauthenticated, async () =>
        {
            using var anonymous = server.As(null);
            await anonymous.Identification.GetIdentificationCaseAsync(new GetIdentificationCaseRequest { CaseId = c });
        });
        var twice = await Fails(StatusCode.FailedPrecondition, async () => await OpenAsync(village, household));
        Assert.Equal("Candidate", CurrentState(twice));
        Assert.Equal(before, await server.SnapshotAsync());

        var verified = (await township.Identification.RecordHomeVerificationAsync(new RecordHomeVerificationRequest
        {
            CaseId = c, VerifiedOn = Date(2025, 3, 3), MeetsStandard = true, PerCapitaIncomeFen = 480_000, Notes = "income and costs checked",
        })).IdentificationCase;
        Assert.Equal((IdentificationState.AwaitingDemocraticAppraisal, 480_000L), (verified.State, verified.VerifiedPerCapitaIncomeFen));
        var unspecified = await Fails(StatusCode.InvalidArgument, async () => await township.Identification.RecordDemocraticAppraisalAsync(
            new RecordDemocraticAppraisalRequest { CaseId = c, MeetingOn = Date(2025, 3, 3), MinutesReference = "会议纪要-17", AssetCheckAuthorised = true }));
        Assert.Equal(["result"], Fields(unspecified));
        await township.Identification.RecordDemocraticAppraisalAsync(new RecordDemocraticAppraisalRequest
        {
            CaseId = c, MeetingOn = Date(2025, 3, 3), Result = AppraisalResult.Approved, MinutesReference = "会议纪要-17", AssetCheckAuthorised = true,
        });
        await county.Identification.RecordDataComparisonAsync(new RecordDataComparisonRequest { CaseId = c, ComparedOn = Date(2025, 3, 3) });
        var notice = (await township.Identification.PublishIdentificationNoticeAsync(new PublishIdentificationNoticeRequest { CaseId = c, StartsOn = Date(2025, 3, 4) })).IdentificationCase;
        Assert.Equal(IdentificationState.UnderPublicNotice, notice.State);
        Assert.Equal(Date(2025, 3, 9), notice.NoticeEndsOn);

        var enter = new EnterMonitoredHouseholdRequest { CaseId = c, MonitoringType = MonitoringType.MarginalAtRisk, Helper = Helper };
        enter.RiskTypes.Add(RiskType.Illness);
        enter.RiskTypes.Add(RiskType.Schooling);
        server.Clock.SetToday(new DateOnly(2025, 3, 8));
        var running = await Fails(StatusCode.FailedPrecondition, async () => await county.Identification.EnterMonitoredHouseholdAsync(enter));
        Assert.Equal("UnderPublicNotice", CurrentState(running));
        server.Clock.SetToday(new DateOnly(2025, 3, 10));
        var unspecifiedRisk = enter.Clone();
        unspecifiedRisk.RiskTypes.Add(RiskType.Unspecified);
        Assert.Equal(["risk_types[2]"], Fields(await Fails(StatusCode.InvalidArgument, async () => await county.Identification.EnterMonitoredHouseholdAsync(unspecifiedRisk))));
        var entered = (await county.Identification.EnterMonitoredHouseholdAsync(enter)).IdentificationCase;
        Assert.Equal(IdentificationState.Entered, entered.State);
        Assert.Equal(Date(2025, 3, 10), entered.EnteredOn);
        Assert.NotNull(entered.CloseTime);
        Assert.Equal(
            ["open", "record_home_verification", "record_democratic_appraisal", "record_data_comparison", "publish_notice", "enter"],
            entered.Trail.Select(t => t.Action));
        Assert.Equal(entered, (await county.Identification.GetIdentificationCaseAsync(new GetIdentificationCaseRequest { CaseId = c })).IdentificationCase);

        var monitored = (await county.Households.GetHouseholdAsync(new GetHouseholdRequest { HouseholdId = household })).Household;
        Assert.Equal((MonitoringStatus.Monitored, MonitoringType.MarginalAtRisk), (monitored.Status, monitored.MonitoringType));
        Assert.Equal([RiskType.Illness, RiskType.Schooling], monitored.RiskTypes);
        Assert.Equal("刘帮扶", monitored.Helper.Name);
    }

    [Fact]
    public async Task A_case_is_rejected_at_its_step_with_the_written_reason_and_objections_reopen_it()
    {
        using var village = server.As(Callers.Village());
        using var township = server.As(Callers.Township());
        using var county = server.As(Callers.County());
        server.Clock.SetToday(new DateOnly(2025, 4, 1));
        var household = await NewHouseholdAsync(county);
        var c = (await OpenAsync(village, household)).Id;
        await Fails(StatusCode.PermissionDenied, async () =>
            await county.Identification.RejectIdentificationCaseAsync(new RejectIdentificationCaseRequest { CaseId = c, Reason = "x" }));
        var rejected = (await township.Identification.RejectIdentificationCaseAsync(new RejectIdentificationCaseRequest { CaseId = c, Reason = "收入高于监测线" })).IdentificationCase;
        Assert.Equal((IdentificationState.Rejected, IdentificationState.AwaitingHomeVerification, "收入高于监测线"), (rejected.State, rejected.RejectedAt, rejected.RejectionReason));
        Assert.Equal(MonitoringStatus.NotMonitored, (await county.Households.GetHouseholdAsync(new GetHouseholdRequest { HouseholdId = household })).Household.Status);

        var again = (await OpenAsync(village, household)).Id;
        var day = Date(2025, 4, 1);
        await township.Identification.RecordHomeVerificationAsync(new RecordHomeVerificationRequest { CaseId = again, VerifiedOn = day, MeetsStandard = true });
        await township.Identification.RecordDemocraticAppraisalAsync(new RecordDemocraticAppraisalRequest
        {
            CaseId = again, MeetingOn = day, Result = AppraisalResult.Approved, MinutesReference = "m-2", AssetCheckAuthorised = true,
        });
        var compared = new RecordDataComparisonRequest { CaseId = again, ComparedOn = day };
        compared.Exclusions.Add(new Exclusion { Kind = ExclusionKind.HighEndCar, Reason = "名下有高档轿车" });
        var excluded = (await county.Identification.RecordDataComparisonAsync(compared)).IdentificationCase;
        Assert.Equal(IdentificationState.Rejected, excluded.State);
        Assert.Equal(ExclusionKind.HighEndCar, excluded.Exclusions.Single().Kind);
    }

    [Fact]
    public async Task The_closing_procedure_runs_over_grpc_and_steps_out_of_order_name_the_current_state()
    {
        using var township = server.As(Callers.Township());
        using var county = server.As(Callers.County());
        server.Clock.SetToday(new DateOnly(2025, 3, 3));
        var household = await NewHouseholdAsync(county);
        await IdentifyAsync(household, new DateOnly(2025, 3, 3));
        server.Clock.SetToday(new DateOnly(2025, 11, 3));

        var before = await server.SnapshotAsync();
        var tooShort = await Fails(StatusCode.InvalidArgument, async () => await county.Closing.OpenClosingCaseAsync(
            new OpenClosingCaseRequest { HouseholdId = household, IncomeStableSince = Date(2025, 7, 1), Summary = "收入稳定" }));
        Assert.Equal(["income_stable_since"], Fields(tooShort));
        await Fails(StatusCode.PermissionDenied, async () => await township.Closing.OpenClosingCaseAsync(
            new OpenClosingCaseRequest { HouseholdId = household, IncomeStableSince = Date(2025, 4, 1), Summary = "收入稳定" }));
        Assert.Equal(before, await server.SnapshotAsync());

        var opened = (await county.Closing.OpenClosingCaseAsync(new OpenClosingCaseRequest
        {
            HouseholdId = household, IncomeStableSince = Date(2025, 4, 1), Summary = "务工收入稳定, 医疗费用已报销",
        })).ClosingCase;
        Assert.Equal((ClosingState.AwaitingDemocraticAppraisal, ClosingSource.Assessment), (opened.State, opened.Source));
        var c = opened.Id;
        // The household names its open cases, so a case the system opened is found from the household.
        var withCase = await county.Households.GetHouseholdAsync(new GetHouseholdRequest { HouseholdId = household });
        Assert.Equal((c, ""), (withCase.OpenClosingCaseId, withCase.OpenIdentificationCaseId));
        before = await server.SnapshotAsync();
        var early = await Fails(StatusCode.FailedPrecondition, async () => await county.Closing.EliminateRiskAsync(new EliminateRiskRequest { CaseId = c }));
        Assert.Equal("AwaitingDemocraticAppraisal", CurrentState(early));
        await Fails(StatusCode.NotFound, async () => await county.Closing.GetClosingCaseAsync(new GetClosingCaseRequest { CaseId = Guid.NewGuid().ToString() }));
        Assert.Equal(before, await server.SnapshotAsync());

        await township.Closing.RecordClosingAppraisalAsync(new RecordClosingAppraisalRequest
        {
            CaseId = c, MeetingOn = Date(2025, 11, 3), Result = AppraisalResult.Approved, MinutesReference = "m-9",
        });
        await township.Closing.RecordTownshipReviewAsync(new RecordTownshipReviewRequest { CaseId = c, ReviewedOn = Date(2025, 11, 3), Result = AppraisalResult.Approved });
        var notice = (await township.Closing.PublishClosingNoticeAsync(new PublishClosingNoticeRequest { CaseId = c, StartsOn = Date(2025, 11, 4) })).ClosingCase;
        Assert.Equal(Date(2025, 11, 9), notice.NoticeEndsOn);
        server.Clock.SetToday(new DateOnly(2025, 11, 10));
        var done = (await county.Closing.EliminateRiskAsync(new EliminateRiskRequest { CaseId = c })).ClosingCase;
        Assert.Equal((ClosingState.RiskEliminated, Date(2025, 11, 10)), (done.State, done.EliminatedOn));
        Assert.Equal(["open", "record_appraisal", "record_township_review", "publish_notice", "eliminate"], done.Trail.Select(t => t.Action));
        Assert.Equal(done, (await county.Closing.GetClosingCaseAsync(new GetClosingCaseRequest { CaseId = c })).ClosingCase);
        var after = await county.Households.GetHouseholdAsync(new GetHouseholdRequest { HouseholdId = household });
        Assert.Equal((MonitoringStatus.RiskEliminated, "", ""), (after.Household.Status, after.OpenClosingCaseId, after.OpenIdentificationCaseId));
    }

    [Fact]
    public async Task Closing_cases_end_on_objection_or_rejection_and_the_household_stays_monitored()
    {
        using var township = server.As(Callers.Township());
        using var county = server.As(Callers.County());
        server.Clock.SetToday(new DateOnly(2025, 3, 3));
        var household = await NewHouseholdAsync(county);
        await IdentifyAsync(household, new DateOnly(2025, 3, 3));
        server.Clock.SetToday(new DateOnly(2025, 11, 3));
        var open = new OpenClosingCaseRequest { HouseholdId = household, IncomeStableSince = Date(2025, 4, 1), Summary = "收入稳定" };

        var first = (await county.Closing.OpenClosingCaseAsync(open)).ClosingCase.Id;
        var rejected = (await township.Closing.RejectClosingCaseAsync(new RejectClosingCaseRequest { CaseId = first, Reason = "帮扶措施尚未见效" })).ClosingCase;
        Assert.Equal((ClosingState.Rejected, ClosingState.AwaitingDemocraticAppraisal), (rejected.State, rejected.RejectedAt));

        var second = (await county.Closing.OpenClosingCaseAsync(open)).ClosingCase.Id;
        await township.Closing.RecordClosingAppraisalAsync(new RecordClosingAppraisalRequest { CaseId = second, MeetingOn = Date(2025, 11, 3), Result = AppraisalResult.Approved, MinutesReference = "m" });
        await township.Closing.RecordTownshipReviewAsync(new RecordTownshipReviewRequest { CaseId = second, ReviewedOn = Date(2025, 11, 3), Result = AppraisalResult.Approved });
        await township.Closing.PublishClosingNoticeAsync(new PublishClosingNoticeRequest { CaseId = second, StartsOn = Date(2025, 11, 3) });
        var objected = (await township.Closing.RecordClosingObjectionAsync(new RecordClosingObjectionRequest { CaseId = second, Objection = "村民反映仍有大额医疗支出" })).ClosingCase;
        Assert.Equal(ClosingState.Rejected, objected.State);
        Assert.Equal(MonitoringStatus.Monitored, (await county.Households.GetHouseholdAsync(new GetHouseholdRequest { HouseholdId = household })).Household.Status);
    }
}
