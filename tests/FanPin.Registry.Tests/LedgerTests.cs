using FanPin.Policies;
using FanPin.Registry.Application.Households;
using FanPin.Registry.Application.Ledger;
using FanPin.Registry.Domain;
using FanPin.ServiceDefaults.Authentication;
using static FanPin.Registry.Tests.RegistryFixture;

namespace FanPin.Registry.Tests;

public class LedgerTests(RegistryFixture fx) : IClassFixture<RegistryFixture>
{
    [Fact]
    public async Task The_ledger_counts_households_and_persons_by_category_status_type_risk_and_township()
    {
        // Township 620102007: two ordinary households of 2 persons (one identified), one poverty-alleviated of 3.
        var a = await Procedures.NewHouseholdAsync(fx, "620102007001");
        await Procedures.NewHouseholdAsync(fx, "620102007002");
        await fx.Run<CreateHousehold, CreateHouseholdResult>(u => u.HandleAsync(Callers.County(), new CreateHouseholdRequest("620102007003",
            HouseholdCategory.PovertyAlleviated, true, false, [Member("甲", Relation.Head), Member("乙", Relation.Spouse), Member("丙", Relation.Child)])));
        await Procedures.IdentifyAsync(fx, a, new DateOnly(2025, 3, 3));
        // Township 620102008: one household of 2.
        await Procedures.NewHouseholdAsync(fx, "620102008001");

        var county = await fx.Run<GetLedger, GetLedgerResult>(u => u.HandleAsync(Callers.County(), new GetLedgerRequest(null)));
        Assert.Equal("620102", county.RegionPrefix);
        Assert.Equal(new HouseholdCount(4, 9), county.All);
        Assert.Equal(new HouseholdCount(3, 6), county.ByCategory[HouseholdCategory.Ordinary]);
        Assert.Equal(new HouseholdCount(1, 3), county.ByCategory[HouseholdCategory.PovertyAlleviated]);
        Assert.Equal(new HouseholdCount(1, 2), county.ByStatus[MonitoringStatus.Monitored]);
        Assert.Equal(new HouseholdCount(3, 7), county.ByStatus[MonitoringStatus.NotMonitored]);
        Assert.Equal(new HouseholdCount(1, 2), county.ByMonitoringType.Single(t => t.Type == MonitoringType.MarginalAtRisk).Monitored);
        Assert.Equal(new HouseholdCount(1, 2), county.ByRiskTypeOfMonitored[RiskType.Illness]);
        Assert.Equal(HouseholdCount.Zero, county.ByRiskTypeOfMonitored[RiskType.Disaster]);
        Assert.Equal(
            [new RegionCount("620102007", new(3, 7), new(1, 2)), new RegionCount("620102008", new(1, 2), HouseholdCount.Zero)],
            county.ByChildRegion);

        var township = await fx.Run<GetLedger, GetLedgerResult>(u => u.HandleAsync(Callers.Township("620102008"), new GetLedgerRequest(null)));
        Assert.Equal(new HouseholdCount(1, 2), township.All);
        Assert.Equal("620102008001", township.ByChildRegion.Single().RegionPrefix);
        await Assert.ThrowsAsync<AccessDeniedException>(() => fx.Run<GetLedger, GetLedgerResult>(u =>
            u.HandleAsync(Callers.Township("620102008"), new GetLedgerRequest("620102007"))));
        var bad = await Assert.ThrowsAsync<ValidationFailedException>(() => fx.Run<GetLedger, GetLedgerResult>(u =>
            u.HandleAsync(Callers.County(), new GetLedgerRequest("6201020"))));
        Assert.Equal("region_prefix", bad.Violations.Single().Field);
    }
}
