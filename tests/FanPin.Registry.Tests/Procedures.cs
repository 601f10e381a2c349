using FanPin.Policies;
using FanPin.Registry.Application.Common;
using FanPin.Registry.Application.Households;
using FanPin.Registry.Application.Identification;
using FanPin.Registry.Domain;
using static FanPin.Registry.Tests.RegistryFixture;

namespace FanPin.Registry.Tests;

/// <summary>Shortcuts that run whole procedures through the use cases, for tests about what comes after.</summary>
internal static class Procedures
{
    public static async Task<Guid> NewHouseholdAsync(RegistryFixture fx, string village = Village, HouseholdCategory category = HouseholdCategory.Ordinary)
    {
        var caller = village.StartsWith("51", StringComparison.Ordinal) ? Callers.Province("51") : Callers.County();
        var created = await fx.Run<CreateHousehold, CreateHouseholdResult>(u => u.HandleAsync(caller,
            new CreateHouseholdRequest(village, category, false, false, [Member("户主", Relation.Head), Member("配偶", Relation.Spouse)])));
        return created.Household.Id;
    }

    public static async Task<string> VillageOf(RegistryFixture fx, Guid household) =>
        (await fx.Run<GetHousehold, GetHouseholdResult>(u => u.HandleAsync(Callers.Province(), new GetHouseholdRequest(household)))).Household.RegionCode;

    /// <summary>The village cadre of the household's village proposes a case.</summary>
    public static async Task<IdentificationCaseResult> OpenAsync(RegistryFixture fx, Guid household, CaseSource source = CaseSource.SelfApplication)
    {
        var village = await VillageOf(fx, household);
        return await fx.Run<OpenIdentificationCase, IdentificationCaseResult>(u => u.HandleAsync(Callers.Village(village),
            new OpenIdentificationCaseRequest(household, source, "medical bills after surgery")));
    }

    public static HelperInput Helper => new("刘帮扶", "13912345678", "城关区农业农村局");

    /// <summary>Runs the default procedure from opening to entry, starting on <paramref name="opened"/>; returns the case id.</summary>
    public static async Task<Guid> IdentifyAsync(RegistryFixture fx, Guid household, DateOnly opened)
    {
        fx.Clock.SetToday(opened);
        var township = Callers.Township((await VillageOf(fx, household))[..9]);
        var c = (await OpenAsync(fx, household)).Case.Id;
        await fx.Run<RecordHomeVerification, IdentificationCaseResult>(u => u.HandleAsync(township,
            new RecordHomeVerificationRequest(c, opened, true, 420_000, "checked at home")));
        await fx.Run<RecordDemocraticAppraisal, IdentificationCaseResult>(u => u.HandleAsync(township,
            new RecordDemocraticAppraisalRequest(c, opened, AppraisalResult.Approved, "minutes-001", true)));
        await fx.Run<RecordDataComparison, IdentificationCaseResult>(u => u.HandleAsync(Callers.County(),
            new RecordDataComparisonRequest(c, opened, [])));
        await fx.Run<PublishIdentificationNotice, IdentificationCaseResult>(u => u.HandleAsync(township,
            new PublishIdentificationNoticeRequest(c, opened)));
        fx.Clock.SetToday(opened.AddDays(5));
        await fx.Run<EnterMonitoredHousehold, IdentificationCaseResult>(u => u.HandleAsync(Callers.County(),
            new EnterMonitoredHouseholdRequest(c, MonitoringType.MarginalAtRisk, [RiskType.Illness], Helper)));
        return c;
    }
}
