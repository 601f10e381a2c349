using FanPin.Contracts.Registry.V1;
using FanPin.Grpc;
using static FanPin.Registry.Tests.Grpc.GrpcTestKit;

namespace FanPin.Registry.Tests.Grpc;

/// <summary>RegionService and LedgerService over real gRPC.</summary>
[Collection(RegistryServerCollection.Name)]
public class RegionAndLedgerServiceTests(RegistryServer server)
{
    [Fact]
    public async Task The_province_imports_regions_and_everyone_reads_children_and_ancestors()
    {
        using var province = server.As(Callers.Province());
        using var village = server.As(Callers.Village());
        var import = new ImportRegionsRequest();
        import.Regions.Add(new Region { Code = "620102005201", Name = "雁北新村", ParentCode = "620102005000" });
        import.Regions.Add(new Region { Code = "620102005202", Name = "雁北南村" });
        var imported = await province.Regions.ImportRegionsAsync(import);
        Assert.Equal((2, 0, 0), (imported.Inserted, imported.Renamed, imported.Unchanged));
        var again = await province.Regions.ImportRegionsAsync(import);
        Assert.Equal((0, 0, 2), (again.Inserted, again.Renamed, again.Unchanged));

        var children = await village.Regions.ListRegionChildrenAsync(new ListRegionChildrenRequest { ParentCode = "620102005000" });
        Assert.Contains(children.Regions, r => r.Code == "620102005201" && r.Level == Contracts.Registry.V1.RegionLevel.Village && r.ParentCode == "620102005000");
        var provinces = await village.Regions.ListRegionChildrenAsync(new ListRegionChildrenRequest());
        Assert.Contains(provinces.Regions, r => r.Code == "620000000000" && r.Level == Contracts.Registry.V1.RegionLevel.Province && r.ParentCode == "");
        var lineage = await village.Regions.GetRegionAncestorsAsync(new GetRegionAncestorsRequest { Code = "620102005202" });
        Assert.Equal(["甘肃省", "兰州市", "城关区", "雁北街道", "雁北南村"], lineage.Lineage.Select(r => r.Name));
        Assert.Equal([Contracts.Registry.V1.RegionLevel.Province, Contracts.Registry.V1.RegionLevel.City, Contracts.Registry.V1.RegionLevel.County, Contracts.Registry.V1.RegionLevel.Township, Contracts.Registry.V1.RegionLevel.Village], lineage.Lineage.Select(r => r.Level));
    }

    [Fact]
    public async Task Region_errors_name_the_field_the_role_or_the_missing_region()
    {
        using var province = server.As(Callers.Province());
        using var county = server.As(Callers.County());
        var regions = await server.CountAsync("SELECT count(*) FROM regions");
        var bad = new ImportRegionsRequest();
        bad.Regions.Add(new Region { Code = "6201020052", Name = "短码" });
        bad.Regions.Add(new Region { Code = "620102005203", Name = "" });
        var ex = await Fails(StatusCode.InvalidArgument, async () => await province.Regions.ImportRegionsAsync(bad));
        Assert.Equal(["regions[0].code", "regions[1].name"], Fields(ex).Order(StringComparer.Ordinal));
        var byCounty = new ImportRegionsRequest();
        byCounty.Regions.Add(new Region { Code = "620102005209", Name = "村" });
        await Fails(StatusCode.PermissionDenied, async () => await county.Regions.ImportRegionsAsync(byCounty));
        Assert.Equal(regions, await server.CountAsync("SELECT count(*) FROM regions"));

        ex = await Fails(StatusCode.InvalidArgument, async () => await county.Regions.GetRegionAncestorsAsync(new GetRegionAncestorsRequest { Code = "62x" }));
        Assert.Equal(["code"], Fields(ex));
        await Fails(StatusCode.NotFound, async () => await county.Regions.GetRegionAncestorsAsync(new GetRegionAncestorsRequest { Code = "620102099001" }));
        await Fails(StatusCode.NotFound, async () => await county.Regions.ListRegionChildrenAsync(new ListRegionChildrenRequest { ParentCode = "620102099000" }));
    }

    [Fact]
    public async Task The_ledger_counts_households_and_persons_inside_the_callers_scope()
    {
        // 红城镇 (620121101) of 永登县 is used by no other gRPC test.
        using var province = server.As(Callers.Province());
        using var yongdeng = server.As(Callers.County("620121"));
        await province.Households.CreateHouseholdAsync(Household("620121101001", Member("甲", Relation.Head), Member("乙", Relation.Spouse)));
        await province.Households.CreateHouseholdAsync(Household("620121101001", Member("丙", Relation.Head)));
        var poor = Household("620121101002", Member("丁", Relation.Head), Member("戊", Relation.Child), Member("己", Relation.Parent));
        poor.Category = HouseholdCategory.PovertyAlleviated;
        await province.Households.CreateHouseholdAsync(poor);

        var ledger = await yongdeng.Ledger.GetLedgerAsync(new GetLedgerRequest { RegionPrefix = "620121101" });
        Assert.Equal("620121101", ledger.RegionPrefix);
        Assert.Equal((3L, 6L), Count(ledger.All));
        Assert.Equal((2L, 3L), Count(ledger.ByCategory.Single(c => c.Category == HouseholdCategory.Ordinary).Count));
        Assert.Equal((1L, 3L), Count(ledger.ByCategory.Single(c => c.Category == HouseholdCategory.PovertyAlleviated).Count));
        Assert.Equal((3L, 6L), Count(ledger.ByStatus.Single(s => s.Status == MonitoringStatus.NotMonitored).Count));
        Assert.Equal((0L, 0L), Count(ledger.ByStatus.Single(s => s.Status == MonitoringStatus.Monitored).Count));
        Assert.Equal(["620121101001", "620121101002"], ledger.ByChildRegion.Select(r => r.RegionPrefix));
        Assert.Equal([(2L, 3L), (1L, 3L)], ledger.ByChildRegion.Select(r => Count(r.All)));
        Assert.Equal(15, ledger.ByRiskType.Count);
        Assert.Equal(3, ledger.ByMonitoringType.Count);

        var whole = await yongdeng.Ledger.GetLedgerAsync(new GetLedgerRequest());
        Assert.Equal("620121", whole.RegionPrefix);
        Assert.Contains(whole.ByChildRegion, r => r.RegionPrefix == "620121101" && Count(r.All) == (3L, 6L));

        await Fails(StatusCode.PermissionDenied, async () => await yongdeng.Ledger.GetLedgerAsync(new GetLedgerRequest { RegionPrefix = "620102" }));
        var ex = await Fails(StatusCode.InvalidArgument, async () => await yongdeng.Ledger.GetLedgerAsync(new GetLedgerRequest { RegionPrefix = "6201211" }));
        Assert.Equal(["region_prefix"], Fields(ex));
    }

    private static (long, long) Count(HouseholdCount count) => (count.Households, count.Persons);
}
