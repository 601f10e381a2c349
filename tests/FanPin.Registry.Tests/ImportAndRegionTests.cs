using FanPin.Policies;
using FanPin.Registry.Application.Common;
using FanPin.Registry.Application.Households;
using FanPin.Registry.Application.Regions;
using FanPin.Registry.Domain;
using FanPin.ServiceDefaults.Authentication;
using static FanPin.Registry.Tests.RegistryFixture;

namespace FanPin.Registry.Tests;

public class ImportAndRegionTests(RegistryFixture fx) : IClassFixture<RegistryFixture>
{
    private static async IAsyncEnumerable<ImportHouseholdRow> Stream(IEnumerable<ImportHouseholdRow> rows)
    {
        foreach (var row in rows)
        {
            await Task.Yield();
            yield return row;
        }
    }

    private static ImportHouseholdRow Row(int number, string village, params MemberInput[] members) =>
        new(number, village, HouseholdCategory.PovertyAlleviated, true, false, members);

    private Task<ImportHouseholdsResult> Import(Caller caller, string batch, IEnumerable<ImportHouseholdRow> rows) =>
        fx.Run<ImportHouseholds, ImportHouseholdsResult>(u => u.HandleAsync(caller, new ImportHouseholdsRequest(batch, Stream(rows))));

    [Fact]
    public async Task Valid_rows_are_imported_and_invalid_ones_reported_with_row_field_and_reason()
    {
        var existing = NewIdNumber();
        await fx.Run<CreateHousehold, CreateHouseholdResult>(u => u.HandleAsync(Callers.County(),
            new CreateHouseholdRequest(Village, HouseholdCategory.Ordinary, false, false, [Member("已有", Relation.Head, existing)])));
        var twice = NewIdNumber();
        var bad = NewIdNumber();
        var wrongCheck = bad[..17] + (bad[17] == '0' ? '1' : '0');
        var rows = new[]
        {
            Row(1, "620102002001", Member("一", Relation.Head), Member("一妻", Relation.Spouse)),
            Row(2, "620102002001", Member("二", Relation.Head, wrongCheck)),
            Row(3, "620102002002", Member("三", Relation.Head, twice)),
            Row(4, "620102002002", Member("四", Relation.Head), Member("四父", Relation.Parent, twice)),
            Row(5, ForeignVillage, Member("五", Relation.Head)),
            Row(6, "620102002003", Member("六", Relation.Head), Member("已有", Relation.Parent, existing)),
            Row(7, "620102002003", Member("", Relation.Head)),
            Row(8, "620102002003", Member("八", Relation.Head)),
        };
        var result = await Import(Callers.County(), "2025-03-county-620102", rows);
        Assert.False(result.Replayed);
        Assert.Equal((8, 3, 5), (result.Received, result.Accepted, result.Rejected));
        Assert.Equal(
            [(2, "members[0].id_number"), (4, "members[1].id_number"), (5, "region_code"), (6, "members[1].id_number"), (7, "members[0].name")],
            result.Errors.Select(e => (e.RowNumber, e.Field)));
        Assert.Contains("row 3", result.Errors.Single(e => e.RowNumber == 4).Reason, StringComparison.Ordinal);
        Assert.Contains("another household", result.Errors.Single(e => e.RowNumber == 6).Reason, StringComparison.Ordinal);

        Assert.Equal(3, await fx.CountAsync("SELECT count(*) FROM households WHERE import_batch_id = '2025-03-county-620102'"));
        Assert.Equal(4, await fx.CountAsync("SELECT count(*) FROM members m JOIN households h ON h.id = m.household_id WHERE h.import_batch_id = '2025-03-county-620102'"));
        Assert.Equal(3, await fx.CountAsync(
            "SELECT count(*) FROM outbox_message e JOIN households h ON replace(h.id::text, '-', '') = e.partition_key WHERE h.import_batch_id = '2025-03-county-620102' AND e.event_type = 'FanPin.IntegrationEvents.HouseholdRegistered' AND e.destination = 0"));
        var found = await fx.Run<FindHouseholdByIdNumber, FindHouseholdByIdNumberResult>(u => u.HandleAsync(Callers.County(), new FindHouseholdByIdNumberRequest(twice)));
        Assert.Equal("三", found.Household.HeadName);
        Assert.Equal(twice, found.Household.Members.Single().IdNumber); // encrypted by the import, readable by the service

        var snapshot = await fx.SnapshotAsync();
        var replay = await Import(Callers.County(), "2025-03-county-620102", rows.Take(1));
        Assert.True(replay.Replayed);
        Assert.Equal(result with { Replayed = true }, replay with { Errors = result.Errors });
        Assert.Equal(result.Errors, replay.Errors);
        Assert.Equal(snapshot, await fx.SnapshotAsync());
    }

    [Fact]
    public async Task An_oversize_batch_is_refused_whole()
    {
        var before = await fx.SnapshotAsync();
        var rows = Enumerable.Range(1, ImportHouseholds.MaxRows + 1)
            .Select(i => i == 1 ? Row(1, "620102003001", Member("先导", Relation.Head)) : new ImportHouseholdRow(i, "x", null, false, false, null));
        var ex = await Assert.ThrowsAsync<ValidationFailedException>(() => Import(Callers.County(), "oversize", rows));
        Assert.Equal("rows", ex.Violations.Single().Field);
        Assert.Equal(before, await fx.SnapshotAsync());
    }

    [Fact]
    public async Task Import_needs_the_county_role_and_a_valid_batch_id()
    {
        var before = await fx.SnapshotAsync();
        await Assert.ThrowsAsync<AccessDeniedException>(() => Import(Callers.Township(), "t-1", [Row(1, Village, Member("甲", Relation.Head))]));
        var ex = await Assert.ThrowsAsync<ValidationFailedException>(() => Import(Callers.County(), "bad batch id!", [Row(1, Village, Member("甲", Relation.Head))]));
        Assert.Equal("batch_id", ex.Violations.Single().Field);
        Assert.Equal(before, await fx.SnapshotAsync());
    }

    [Fact]
    public async Task Regions_import_with_consistent_parents_and_answer_children_and_ancestors()
    {
        var imported = await fx.Run<ImportRegions, ImportRegionsResult>(u => u.HandleAsync(Callers.Province(), new ImportRegionsRequest([
            new RegionRow("620102005101", "雁北一村", "620102005000"),
            new RegionRow("620102005102", "雁北二村", null),
            new RegionRow("620102005000", "雁北街道(更名)", "620102000000"),
        ])));
        Assert.Equal(new ImportRegionsResult(2, 1, 0), imported);
        var children = await fx.Run<ListRegionChildren, ListRegionChildrenResult>(u => u.HandleAsync(Callers.Downstream(), new ListRegionChildrenRequest("620102005000")));
        Assert.Equal(["620102005001", "620102005002", "620102005003", "620102005101", "620102005102"], children.Regions.Select(r => r.Code));
        var lineage = await fx.Run<GetRegionAncestors, GetRegionAncestorsResult>(u => u.HandleAsync(Callers.Village(), new GetRegionAncestorsRequest("620102005102")));
        Assert.Equal(["甘肃省", "兰州市", "城关区", "雁北街道(更名)", "雁北二村"], lineage.Lineage.Select(r => r.Name));

        var before = await fx.CountAsync("SELECT count(*) FROM regions");
        var ex = await Assert.ThrowsAsync<ValidationFailedException>(() => fx.Run<ImportRegions, ImportRegionsResult>(u => u.HandleAsync(Callers.Province(), new ImportRegionsRequest([
            new RegionRow("620102005103", "好村", "620102004000"),
            new RegionRow("620102099001", "孤村", null),
            new RegionRow("6201020050", "短码", null),
            new RegionRow("620102005104", "", null),
        ]))));
        Assert.Equal(["regions[0].parent_code", "regions[1].parent_code", "regions[2].code", "regions[3].name"], ex.Violations.Select(v => v.Field).Order(StringComparer.Ordinal));
        await Assert.ThrowsAsync<AccessDeniedException>(() => fx.Run<ImportRegions, ImportRegionsResult>(u =>
            u.HandleAsync(Callers.County(), new ImportRegionsRequest([new RegionRow("620102005009", "村", null)]))));
        await Assert.ThrowsAsync<AccessDeniedException>(() => fx.Run<ImportRegions, ImportRegionsResult>(u =>
            u.HandleAsync(Callers.Province(), new ImportRegionsRequest([new RegionRow("510104001009", "村", null)]))));
        Assert.Equal(before, await fx.CountAsync("SELECT count(*) FROM regions"));
        await Assert.ThrowsAsync<NotFoundException>(() => fx.Run<ListRegionChildren, ListRegionChildrenResult>(u =>
            u.HandleAsync(Callers.County(), new ListRegionChildrenRequest("620102099000"))));
    }
}
