using FanPin.Contracts.Registry.V1;
using FanPin.Grpc;
using static FanPin.Registry.Tests.Grpc.GrpcTestKit;

namespace FanPin.Registry.Tests.Grpc;

/// <summary>HouseholdService over real gRPC (Kestrel, PostgreSQL, tokens).</summary>
[Collection(RegistryServerCollection.Name)]
public class HouseholdServiceTests(RegistryServer server)
{
    private const string Village = RegistryFixture.Village;

    [Fact]
    public async Task A_household_is_registered_read_listed_and_found_with_id_numbers_full_for_the_county_and_masked_downstream()
    {
        using var county = server.As(Callers.County());
        using var downstream = server.As(Callers.Downstream());
        var headId = RegistryFixture.NewIdNumber(new DateOnly(1970, 5, 17));
        var created = (await county.Households.CreateHouseholdAsync(Household(Village, Member("张三", Relation.Head, headId), Member("李四", Relation.Spouse)))).Household;
        Assert.Equal(Village, created.RegionCode);
        Assert.Equal(MonitoringStatus.NotMonitored, created.Status);
        Assert.Equal(2, created.MemberCount);
        Assert.Equal("张三", created.HeadName);
        var head = created.Members.Single(m => m.Relation == Relation.Head);
        Assert.Equal(headId, head.IdNumber);
        Assert.False(head.IdNumberMasked);
        Assert.Equal(Date(1970, 5, 17), head.BirthDate);
        Assert.Equal((headId[16] - '0') % 2 == 1 ? Contracts.Registry.V1.Sex.Male : Contracts.Registry.V1.Sex.Female, head.Sex);
        Assert.NotNull(created.CreateTime);

        var read = (await county.Households.GetHouseholdAsync(new GetHouseholdRequest { HouseholdId = created.Id })).Household;
        Assert.Equal(headId, read.Members.Single(m => m.Relation == Relation.Head).IdNumber);

        var masked = (await downstream.Households.GetHouseholdAsync(new GetHouseholdRequest { HouseholdId = created.Id })).Household.Members.Single(m => m.Relation == Relation.Head);
        Assert.True(masked.IdNumberMasked);
        Assert.Equal(headId[..6] + "********" + headId[14..], masked.IdNumber);
        Assert.DoesNotContain(headId, (await downstream.Households.GetHouseholdAsync(new GetHouseholdRequest { HouseholdId = created.Id })).ToString(), StringComparison.Ordinal);

        var page = await county.Households.ListHouseholdsAsync(new ListHouseholdsRequest { RegionPrefix = Village, PageSize = 500 });
        var summary = Assert.Single(page.Households, h => h.Id == created.Id);
        Assert.Equal((2, "张三", HouseholdCategory.Ordinary), (summary.MemberCount, summary.HeadName, summary.Category));

        var found = await county.Households.FindHouseholdByIdNumberAsync(new FindHouseholdByIdNumberRequest { IdNumber = headId });
        Assert.Equal((created.Id, head.Id), (found.Household.Id, found.MemberId));
        var foundDownstream = await downstream.Households.FindHouseholdByIdNumberAsync(new FindHouseholdByIdNumberRequest { IdNumber = headId });
        Assert.True(foundDownstream.Household.Members.All(m => m.IdNumberMasked));
    }

    [Fact]
    public async Task A_wrong_check_digit_is_invalid_argument_naming_the_member_field_and_nothing_is_written()
    {
        using var county = server.As(Callers.County());
        var valid = RegistryFixture.NewIdNumber();
        var wrongCheckDigit = valid[..17] + (valid[17] == '0' ? '1' : '0');
        var before = await server.SnapshotAsync();

        var ex = await Fails(StatusCode.InvalidArgument, async () => await county.Households.CreateHouseholdAsync(Household(Village, Member("王五", Relation.Head, wrongCheckDigit))));
        Assert.Equal(["members[0].id_number"], Fields(ex));
        Assert.Contains("members[0].id_number", ex.Status.Detail, StringComparison.Ordinal);

        // UNSPECIFIED enums are refused with their field names, all at once.
        var unspecified = Household(Village, Member("王五", Relation.Head), Member("王六", Relation.Unspecified));
        unspecified.Category = HouseholdCategory.Unspecified;
        ex = await Fails(StatusCode.InvalidArgument, async () => await county.Households.CreateHouseholdAsync(unspecified));
        Assert.Equal(["category", "members[1].relation"], Fields(ex).Order(StringComparer.Ordinal));

        // A number the contract does not know (a client built on another version) is refused too.
        var unknown = Household(Village, Member("王五", Relation.Head));
        unknown.Members[0].LabourAbility = (LabourAbility)42;
        ex = await Fails(StatusCode.InvalidArgument, async () => await county.Households.CreateHouseholdAsync(unknown));
        Assert.Equal(["members[0].labour_ability"], Fields(ex));

        ex = await Fails(StatusCode.InvalidArgument, async () => await county.Households.GetHouseholdAsync(new GetHouseholdRequest { HouseholdId = "not-an-id" }));
        Assert.Equal(["household_id"], Fields(ex));
        Assert.Equal(before, await server.SnapshotAsync());
    }

    [Fact]
    public async Task A_county_token_cannot_write_or_read_in_another_county()
    {
        using var county = server.As(Callers.County("620102"));
        using var province = server.As(Callers.Province());
        var foreign = (await province.Households.CreateHouseholdAsync(Household(RegistryFixture.ForeignVillage, Member("赵一", Relation.Head)))).Household;
        var before = await server.SnapshotAsync();

        var ex = await Fails(StatusCode.PermissionDenied, async () => await county.Households.CreateHouseholdAsync(Household("620103001001", Member("赵二", Relation.Head))));
        Assert.Contains("620103001001", ex.Status.Detail, StringComparison.Ordinal);
        await Fails(StatusCode.PermissionDenied, async () => await county.Households.GetHouseholdAsync(new GetHouseholdRequest { HouseholdId = foreign.Id }));
        await Fails(StatusCode.PermissionDenied, async () => await county.Households.AssignResponsibleHelperAsync(new AssignResponsibleHelperRequest { HouseholdId = foreign.Id, Helper = Helper }));
        await Fails(StatusCode.PermissionDenied, async () => await county.Households.ListHouseholdsAsync(new ListHouseholdsRequest { RegionPrefix = "620103" }));
        // A department may read, never write.
        using var department = server.As(Callers.Department());
        await Fails(StatusCode.PermissionDenied, async () => await department.Households.CreateHouseholdAsync(Household(Village, Member("赵三", Relation.Head))));
        Assert.Equal(before, await server.SnapshotAsync());
    }

    [Fact]
    public async Task Calls_without_a_valid_token_are_unauthenticated()
    {
        using var anonymous = server.As(null);
        var before = await server.SnapshotAsync();
        await Fails(StatusCode.Unauthenticated, async () => await anonymous.Households.CreateHouseholdAsync(Household(Village, Member("钱一", Relation.Head))));
        await Fails(StatusCode.Unauthenticated, async () => await anonymous.Regions.ListRegionChildrenAsync(new ListRegionChildrenRequest()));
        var foreignKey = new FanPin.ServiceDefaults.Authentication.TokenIssuer(new FanPin.ServiceDefaults.Authentication.FanPinAuthOptions
        {
            SigningKey = FanPin.ServiceDefaults.Authentication.FanPinAuthOptions.DevelopmentSigningKey,
        }).Issue(Callers.County(), TimeSpan.FromHours(1));
        using var forged = new RegistryClients(GrpcChannel.ForAddress(server.Address, new GrpcChannelOptions().WithBearerToken(foreignKey)));
        await Fails(StatusCode.Unauthenticated, async () => await forged.Households.CreateHouseholdAsync(Household(Village, Member("钱二", Relation.Head))));
        Assert.Equal(before, await server.SnapshotAsync());
    }

    [Fact]
    public async Task An_id_number_of_a_member_of_another_household_is_already_exists()
    {
        using var county = server.As(Callers.County());
        var shared = RegistryFixture.NewIdNumber();
        await county.Households.CreateHouseholdAsync(Household(Village, Member("孙一", Relation.Head, shared)));
        var before = await server.SnapshotAsync();
        var ex = await Fails(StatusCode.AlreadyExists, async () =>
            await county.Households.CreateHouseholdAsync(Household(RegistryFixture.OtherVillage, Member("孙二", Relation.Head), Member("孙一", Relation.Parent, shared))));
        Assert.Contains("members[1].id_number", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(before, await server.SnapshotAsync());
    }

    [Fact]
    public async Task Unknown_households_are_not_found_and_nothing_is_written()
    {
        using var county = server.As(Callers.County());
        var before = await server.SnapshotAsync();
        var missing = Guid.NewGuid().ToString();
        await Fails(StatusCode.NotFound, async () => await county.Households.GetHouseholdAsync(new GetHouseholdRequest { HouseholdId = missing }));
        await Fails(StatusCode.NotFound, async () => await county.Households.UpdateHouseholdAsync(new UpdateHouseholdRequest { HouseholdId = missing, Category = HouseholdCategory.Ordinary }));
        await Fails(StatusCode.NotFound, async () => await county.Households.FindHouseholdByIdNumberAsync(new FindHouseholdByIdNumberRequest { IdNumber = RegistryFixture.NewIdNumber() }));
        Assert.Equal(before, await server.SnapshotAsync());
    }

    [Fact]
    public async Task Member_changes_corrections_helpers_splits_and_merges_keep_history()
    {
        using var township = server.As(Callers.Township());
        using var downstream = server.As(Callers.Downstream());
        server.Clock.SetToday(new DateOnly(2025, 6, 2));
        var created = (await township.Households.CreateHouseholdAsync(Household(Village, Member("周一", Relation.Head), Member("周二", Relation.Spouse), Member("周三", Relation.Child)))).Household;
        var head = created.Members.Single(m => m.Relation == Relation.Head);
        var child = created.Members.Single(m => m.Relation == Relation.Child);

        var babyId = RegistryFixture.NewIdNumber(new DateOnly(2025, 5, 20));
        var birth = await township.Households.RecordMemberChangeAsync(new RecordMemberChangeRequest
        {
            HouseholdId = created.Id,
            Kind = MemberChangeKind.Birth,
            EffectiveOn = Date(2025, 5, 20),
            NewMember = Member("周宝", Relation.Grandchild, babyId, LabourAbility.None),
        });
        Assert.Equal(4, birth.Household.MemberCount);
        Assert.Equal(MemberChangeKind.Birth, birth.Household.Members.Single(m => m.Id == birth.MemberId).JoinedBy);

        // A correction: facts of a member change, the ID number cannot (named as the proto nests it).
        var facts = Member("周一", Relation.Head, "", LabourAbility.Partial);
        facts.Health = HealthCondition.Chronic;
        var update = new UpdateHouseholdRequest { HouseholdId = created.Id, Category = HouseholdCategory.PovertyAlleviated };
        update.Members.Add(new MemberUpdate { MemberId = head.Id, Facts = facts });
        var updated = (await township.Households.UpdateHouseholdAsync(update)).Household;
        Assert.Equal((HouseholdCategory.PovertyAlleviated, LabourAbility.Partial), (updated.Category, updated.Members.Single(m => m.Id == head.Id).LabourAbility));
        update.Members[0].Facts = Member("周一", Relation.Head, RegistryFixture.NewIdNumber());
        var ex = await Fails(StatusCode.InvalidArgument, async () => await township.Households.UpdateHouseholdAsync(update));
        Assert.Equal(["members[0].facts.id_number"], Fields(ex));

        var helped = (await township.Households.AssignResponsibleHelperAsync(new AssignResponsibleHelperRequest { HouseholdId = created.Id, Helper = Helper })).Household;
        Assert.Equal(("刘帮扶", "13912345678", Date(2025, 6, 2)), (helped.Helper.Name, helped.Helper.Phone, helped.Helper.AssignedOn));
        var helperDownstream = (await downstream.Households.GetHouseholdAsync(new GetHouseholdRequest { HouseholdId = created.Id })).Household.Helper;
        Assert.Equal("139****5678", helperDownstream.Phone);

        var split = new SplitHouseholdRequest { HouseholdId = created.Id, EffectiveOn = Date(2025, 6, 1), NewRegionCode = RegistryFixture.OtherVillage };
        split.Members.Add(new MovingMember { MemberId = child.Id, Relation = Relation.Head });
        split.Members.Add(new MovingMember { MemberId = birth.MemberId, Relation = Relation.Child });
        var splitResult = await township.Households.SplitHouseholdAsync(split);
        Assert.Equal((2, 2), (splitResult.Remaining.MemberCount, splitResult.Created.MemberCount));
        Assert.Equal(RegistryFixture.OtherVillage, splitResult.Created.RegionCode);

        var merge = new MergeHouseholdsRequest { TargetHouseholdId = created.Id, SourceHouseholdId = splitResult.Created.Id, EffectiveOn = Date(2025, 6, 2) };
        merge.Members.AddRange(splitResult.Created.Members.Select(m => new MovingMember { MemberId = m.Id, Relation = Relation.Child }));
        var merged = (await township.Households.MergeHouseholdsAsync(merge)).Target;
        Assert.Equal(4, merged.MemberCount);

        var death = await township.Households.RecordMemberChangeAsync(new RecordMemberChangeRequest
        {
            HouseholdId = created.Id,
            Kind = MemberChangeKind.Death,
            EffectiveOn = Date(2025, 6, 2),
            MemberId = merged.Members.Single(m => m.Relation == Relation.Spouse).Id,
        });
        Assert.Equal(3, death.Household.MemberCount);

        var history = await township.Households.GetHouseholdAsync(new GetHouseholdRequest { HouseholdId = created.Id, IncludeHistory = true });
        Assert.Equal(
            [MemberChangeKind.Birth, MemberChangeKind.Corrected, MemberChangeKind.SplitOut, MemberChangeKind.SplitOut, MemberChangeKind.MergeIn, MemberChangeKind.MergeIn, MemberChangeKind.Death],
            history.History.Select(h => h.Kind));
        Assert.All(history.History.Where(h => h.Kind is MemberChangeKind.SplitOut or MemberChangeKind.MergeIn), h => Assert.Equal(splitResult.Created.Id, h.OtherHouseholdId));
        Assert.Contains(history.Household.Members, m => m.LeftBy == MemberChangeKind.Death && m.LeftOn.Equals(Date(2025, 6, 2)));
        var source = (await township.Households.GetHouseholdAsync(new GetHouseholdRequest { HouseholdId = splitResult.Created.Id })).Household;
        Assert.Equal(created.Id, source.MergedIntoId);
        Assert.NotNull(source.DissolvedOn);
    }
}
