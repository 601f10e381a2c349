using System.Globalization;
using FanPin.Contracts.Monitoring.V1;
using FanPin.EndToEnd.Tests.Harness;
using FanPin.Grpc;
using FanPin.ServiceDefaults.Authentication;
using Xunit.Abstractions;
using Registry = FanPin.Contracts.Registry.V1;

namespace FanPin.EndToEnd.Tests;

/// <summary>
/// DOMAIN.md §3 "Exclusions" and §6 step 3 (信息比对): the public-security feed reports a high-end car; the farmer's
/// application passes verification and appraisal, then the county's data comparison finds the car among the
/// facts monitoring collected and records the exclusion, which rejects the case with the reason in writing.
/// </summary>
[Collection(StackCollection.Name)]
public class CarExclusionScenario(Stack stack, ITestOutputHelper log)
{
    private const string Village = "620122103001";   // 什川镇第1村
    private const string Plate = "甘A·E2E01";

    [Fact]
    public async Task A_car_in_the_public_security_feed_blocks_identification_with_a_written_reason()
    {
        var head = Households.Member("李建国", Registry.Relation.Head);
        var household = await Steps.RegisterAsync(stack, Households.In(Village, Registry.HouseholdCategory.Ordinary,
            head, Households.Member("张桂花", Registry.Relation.Spouse, Registry.LabourAbility.Partial, Registry.HealthCondition.Chronic, 1972),
            Households.Member("李小军", Registry.Relation.Child, Registry.LabourAbility.None, birthYear: 2014, schooling: Registry.SchoolingStage.Compulsory)));
        await Steps.KnownToMonitoringAsync(stack, household);

        // Public security's monthly feed: a vehicle worth 380,000 CNY registered to the head.
        var feed = await Steps.ImportFeedAsync(stack, "public-security", "e2e-public-security-b",
            new FeedRow { RowNumber = 1, IdNumber = head.IdNumber, Item = "high_end_car", Month = Households.Month(-1), AmountFen = 38_000_000, Reference = Plate });
        Assert.True(feed.Applied == 1, $"feed rows applied: {feed.Applied}; rejections: {string.Join("; ", feed.Rejections.Select(r => $"row {r.RowNumber} {r.Outcome}: {r.Reason}"))}");

        // The farmer applies through the village cadre; the township verifies at home and runs the appraisal.
        var village = stack.As(stack.Token(CallerRole.Village, Village));
        var township = stack.As(stack.Token(CallerRole.Township, Village[..9]));
        var county = stack.CountyOffice;
        var today = Households.ChinaToday;
        var opened = (await Eventually.Step("registry OpenIdentificationCase (self application)", async () => await village.Identification.OpenIdentificationCaseAsync(new Registry.OpenIdentificationCaseRequest
        {
            HouseholdId = household, Source = Registry.CaseSource.SelfApplication, Summary = "农户自主申请: 妻子长期慢性病, 收入下降",
        }))).IdentificationCase;
        var caseId = opened.Id;
        await Eventually.Step("registry RecordHomeVerification", async () => await township.Identification.RecordHomeVerificationAsync(new Registry.RecordHomeVerificationRequest
        {
            CaseId = caseId, VerifiedOn = Households.Date(today), MeetsStandard = true, PerCapitaIncomeFen = 410_000, Notes = "入户核实: 收入以务工为主",
        }));
        await Eventually.Step("registry RecordDemocraticAppraisal", async () => await township.Identification.RecordDemocraticAppraisalAsync(new Registry.RecordDemocraticAppraisalRequest
        {
            CaseId = caseId, MeetingOn = Households.Date(today), Result = Registry.AppraisalResult.Approved, MinutesReference = "什川镇第1村-2026-11 村民代表会议", AssetCheckAuthorised = true,
        }));

        // Data comparison (county): the facts departments reported, as monitoring keeps them for the comparison.
        var facts = (await county.Signals.ListExclusionFactsAsync(new ListExclusionFactsRequest { HouseholdId = household })).Facts;
        var car = Assert.Single(facts);
        Assert.Equal((ExclusionKind.HighEndCar, "public-security", Plate), (car.Kind, car.Department, car.Reference));
        var comparison = new Registry.RecordDataComparisonRequest { CaseId = caseId, ComparedOn = Households.Date(today) };
        comparison.Exclusions.Add(facts.Select(f => new Registry.Exclusion
        {
            Kind = (Registry.ExclusionKind)(int)f.Kind,
            Reason = string.Create(CultureInfo.InvariantCulture,
                $"公安部门比对: 家庭成员名下登记车辆 {f.Reference}, 价值 {f.AmountFen / 100:N0} 元 ({f.Month}); 拥有并经常使用高档车辆, 原则上不纳入监测对象"),
        }));
        var compared = (await Eventually.Step("registry RecordDataComparison with the exclusion", async () => await county.Identification.RecordDataComparisonAsync(comparison))).IdentificationCase;

        // The exclusion blocks identification: the case is rejected at the comparison, the reason is in writing.
        Assert.Equal(Registry.IdentificationState.Rejected, compared.State);
        Assert.Equal(Registry.IdentificationState.AwaitingDataComparison, compared.RejectedAt);
        var exclusion = Assert.Single(compared.Exclusions);
        Assert.Equal(Registry.ExclusionKind.HighEndCar, exclusion.Kind);
        Assert.Contains(Plate, exclusion.Reason, StringComparison.Ordinal);
        Assert.Contains(Plate, compared.RejectionReason, StringComparison.Ordinal);
        Assert.NotNull(compared.CloseTime);

        // Nothing continues: the household is not a candidate any more, and entry is refused naming the state.
        var after = (await county.Households.GetHouseholdAsync(new Registry.GetHouseholdRequest { HouseholdId = household })).Household;
        Assert.Equal(Registry.MonitoringStatus.NotMonitored, after.Status);
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await county.Identification.EnterMonitoredHouseholdAsync(new Registry.EnterMonitoredHouseholdRequest
        {
            CaseId = caseId, MonitoringType = Registry.MonitoringType.MarginalAtRisk, RiskTypes = { Registry.RiskType.Illness },
            Helper = new Registry.ResponsibleHelperInput { Name = "赵干部", Phone = "13800000001", Organisation = "皋兰县乡村振兴局" },
        }));
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        var trail = (await county.Identification.GetIdentificationCaseAsync(new Registry.GetIdentificationCaseRequest { CaseId = caseId })).IdentificationCase.Trail;
        Assert.Equal("Rejected", trail.Last().ToState);
        log.WriteLine($"case {caseId} rejected: {compared.RejectionReason}");
    }
}
