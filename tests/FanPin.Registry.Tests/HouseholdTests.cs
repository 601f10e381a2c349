using FanPin.Policies;
using FanPin.Registry.Application.Common;
using FanPin.Registry.Application.Households;
using FanPin.Registry.Domain;
using FanPin.ServiceDefaults.Authentication;
using static FanPin.Registry.Tests.RegistryFixture;

namespace FanPin.Registry.Tests;

public class HouseholdTests(RegistryFixture fx) : IClassFixture<RegistryFixture>
{
    private Task<CreateHouseholdResult> Create(Caller caller, CreateHouseholdRequest request) =>
        fx.Run<CreateHousehold, CreateHouseholdResult>(u => u.HandleAsync(caller, request));

    private static CreateHouseholdRequest Family(string village = Village, params MemberInput[] members) =>
        new(village, HouseholdCategory.Ordinary, false, false,
            members.Length > 0 ? members : [Member("张三", Relation.Head), Member("李四", Relation.Spouse), Member("张小三", Relation.Child, labour: LabourAbility.None)]);

    [Fact]
    public async Task A_household_is_registered_with_encrypted_ids_and_an_event()
    {
        var head = NewIdNumber();
        var result = await Create(Callers.County(), Family(Village, Member("王五", Relation.Head, head), Member("赵六", Relation.Spouse)));
        var h = result.Household;
        Assert.Equal(MonitoringStatus.NotMonitored, h.Status);
        Assert.Equal(2, h.MemberCount);
        Assert.Equal("王五", h.HeadName);
        Assert.Equal(head, h.Members.Single(m => m.Relation == Relation.Head).IdNumber); // the county sees the full number
        Assert.Equal(IdNumber.TryParse(head, new DateOnly(2025, 1, 1), out var id, out _) ? id.BirthDate : default, h.Members[0].BirthDate);

        Assert.Equal(0, await fx.CountAsync("SELECT count(*) FROM members WHERE position(@id::bytea in id_number_cipher) > 0 OR id_number_masked = @id", ("id", head)));
        Assert.Equal(1, await fx.CountAsync(TestDatabase.EventCount("HouseholdRegistered"), ("h", h.Id)));
    }

    [Theory]
    [InlineData(CallerRole.Downstream, true)]
    [InlineData(CallerRole.Department, true)]
    [InlineData(CallerRole.Township, false)]
    [InlineData(CallerRole.Province, false)]
    public async Task Answers_mask_id_numbers_unless_the_role_allows_them(CallerRole role, bool masked)
    {
        var head = NewIdNumber();
        var created = await Create(Callers.County(), Family(Village, Member("钱七", Relation.Head, head)));
        await fx.Run<AssignResponsibleHelper, AssignResponsibleHelperResult>(u => u.HandleAsync(Callers.County(),
            new AssignResponsibleHelperRequest(created.Household.Id, new HelperInput("刘帮扶", "13812345678", "城关区农业农村局"))));
        var caller = role switch
        {
            CallerRole.Downstream => Callers.Downstream(),
            CallerRole.Department => Callers.Department(),
            CallerRole.Township => Callers.Township(),
            _ => Callers.Province(),
        };
        var read = await fx.Run<GetHousehold, GetHouseholdResult>(u => u.HandleAsync(caller, new GetHouseholdRequest(created.Household.Id)));
        var member = read.Household.Members.Single();
        Assert.Equal(masked ? IdNumber.Mask(head) : head, member.IdNumber);
        Assert.Equal(masked, member.IdNumberIsMasked);
        Assert.Equal(masked ? "138****5678" : "13812345678", read.Household.Helper!.Phone);
    }

    public static TheoryData<string, CreateHouseholdRequest, string> BadInputs()
    {
        var valid = NewIdNumber();
        var wrongCheck = valid[..17] + (valid[17] == '0' ? '1' : '0');
        var future = IdNumber.Create("620102", new DateOnly(2030, 1, 1), 1).Value;
        return new()
        {
            { "wrong check digit", Family(Village, Member("甲", Relation.Head, wrongCheck)), "members[0].id_number" },
            { "future birth date", Family(Village, Member("乙", Relation.Head, future)), "members[0].id_number" },
            { "empty name", Family(Village, Member("  ", Relation.Head)), "members[0].name" },
            { "unknown region", Family("620102001099"), "region_code" },
            { "not a village", Family("620102001000"), "region_code" },
            { "malformed region", Family("62010200100X"), "region_code" },
            { "no head", Family(Village, Member("丙", Relation.Spouse)), "members" },
            { "two heads", Family(Village, Member("丁", Relation.Head), Member("戊", Relation.Head)), "members" },
            { "same ID twice", Family(Village, Member("己", Relation.Head, valid), Member("庚", Relation.Spouse, valid)), "members[1].id_number" },
            { "no members", new CreateHouseholdRequest(Village, HouseholdCategory.Ordinary, false, false, []), "members" },
            { "no category", new CreateHouseholdRequest(Village, null, false, false, [Member("辛", Relation.Head)]), "category" },
            { "disability without grade", Family(Village, Member("壬", Relation.Head) with { Health = HealthCondition.Disability }), "members[0].disability_grade" },
            { "work months without a place", Family(Village, Member("癸", Relation.Head) with { EmploymentLocation = EmploymentLocation.None, EmploymentMonths = 3 }), "members[0].employment_months" },
        };
    }

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Bad_input_names_the_field_and_writes_nothing(string why, CreateHouseholdRequest request, string field)
    {
        var before = await fx.SnapshotAsync();
        var ex = await Assert.ThrowsAsync<ValidationFailedException>(() => Create(Callers.County(), request));
        Assert.True(ex.Violations.Any(v => v.Field == field), $"{why}: expected a violation of {field}, got {ex.Message}");
        Assert.Equal(before, await fx.SnapshotAsync());
    }

    [Fact]
    public async Task An_id_number_of_another_household_is_refused_naming_the_member()
    {
        var shared = NewIdNumber();
        await Create(Callers.County(), Family(Village, Member("甲一", Relation.Head, shared)));
        var before = await fx.SnapshotAsync();
        var ex = await Assert.ThrowsAsync<AlreadyExistsException>(() =>
            Create(Callers.County(), Family(OtherVillage, Member("乙一", Relation.Head), Member("甲一", Relation.Parent, shared))));
        Assert.Contains("members[1].id_number", ex.Message, StringComparison.Ordinal);
        Assert.Contains(IdNumber.Mask(shared), ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, await fx.SnapshotAsync());
    }

    [Fact]
    public async Task Scope_and_role_violations_are_refused_and_write_nothing()
    {
        var before = await fx.SnapshotAsync();
        await Assert.ThrowsAsync<AccessDeniedException>(() => Create(Callers.County(), Family(ForeignVillage)));
        await Assert.ThrowsAsync<AccessDeniedException>(() => Create(Callers.Township("620102002"), Family(Village)));
        await Assert.ThrowsAsync<AccessDeniedException>(() => Create(Callers.Village(), Family(Village)));
        await Assert.ThrowsAsync<AccessDeniedException>(() => Create(Callers.Downstream(), Family(Village)));
        Assert.Equal(before, await fx.SnapshotAsync());

        var mine = await Create(Callers.County(), Family(Village));
        await Assert.ThrowsAsync<AccessDeniedException>(() => fx.Run<GetHousehold, GetHouseholdResult>(u =>
            u.HandleAsync(Callers.County("620121"), new GetHouseholdRequest(mine.Household.Id))));
        await Assert.ThrowsAsync<AccessDeniedException>(() => fx.Run<GetHousehold, GetHouseholdResult>(u =>
            u.HandleAsync(Callers.Village(OtherVillage), new GetHouseholdRequest(mine.Household.Id))));
    }

    [Fact]
    public async Task A_person_is_found_by_id_number_only_inside_the_scope()
    {
        var id = NewIdNumber();
        var created = await Create(Callers.County(), Family(Village, Member("周一", Relation.Head), Member("周二", Relation.Child, id)));
        var found = await fx.Run<FindHouseholdByIdNumber, FindHouseholdByIdNumberResult>(u => u.HandleAsync(Callers.Township(), new FindHouseholdByIdNumberRequest(id)));
        Assert.Equal(created.Household.Id, found.Household.Id);
        Assert.Equal("周二", found.Household.Members.Single(m => m.Id == found.MemberId).Name);
        await Assert.ThrowsAsync<NotFoundException>(() => fx.Run<FindHouseholdByIdNumber, FindHouseholdByIdNumberResult>(u =>
            u.HandleAsync(Callers.County("620121"), new FindHouseholdByIdNumberRequest(id))));
        var bad = await Assert.ThrowsAsync<ValidationFailedException>(() => fx.Run<FindHouseholdByIdNumber, FindHouseholdByIdNumberResult>(u =>
            u.HandleAsync(Callers.County(), new FindHouseholdByIdNumberRequest(id[..17] + (id[17] == '1' ? '2' : '1')))));
        Assert.Equal("id_number", bad.Violations.Single().Field);
    }

    [Fact]
    public async Task Lists_page_with_a_cursor_and_filter()
    {
        const string village = "620102002003";
        var ids = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            var request = Family(village, Member($"户主{i}", Relation.Head)) with { Category = i % 2 == 0 ? HouseholdCategory.PovertyAlleviated : HouseholdCategory.Ordinary };
            ids.Add((await Create(Callers.County(), request)).Household.Id);
        }
        var seen = new List<Guid>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await fx.Run<ListHouseholds, ListHouseholdsResult>(u => u.HandleAsync(Callers.Township("620102002"),
                new ListHouseholdsRequest(village, PageSize: 2, PageToken: token)));
            seen.AddRange(page.Households.Select(h => h.Id));
            token = page.NextPageToken;
            pages++;
        }
        while (token.Length > 0);
        Assert.Equal(3, pages);
        Assert.Equal(ids.Order(), seen.Order());
        Assert.Equal(seen.Distinct().Count(), seen.Count);

        var alleviated = await fx.Run<ListHouseholds, ListHouseholdsResult>(u => u.HandleAsync(Callers.County(),
            new ListHouseholdsRequest(village, Category: HouseholdCategory.PovertyAlleviated)));
        Assert.Equal(3, alleviated.Households.Count);

        await Assert.ThrowsAsync<AccessDeniedException>(() => fx.Run<ListHouseholds, ListHouseholdsResult>(u =>
            u.HandleAsync(Callers.Township("620102002"), new ListHouseholdsRequest("620102001"))));
        var badToken = await Assert.ThrowsAsync<ValidationFailedException>(() => fx.Run<ListHouseholds, ListHouseholdsResult>(u =>
            u.HandleAsync(Callers.County(), new ListHouseholdsRequest(village, PageToken: "not-a-token"))));
        Assert.Equal("page_token", badToken.Violations.Single().Field);
    }

    [Fact]
    public async Task Member_changes_are_dated_history_and_never_overwrite()
    {
        var created = await Create(Callers.County(), Family(Village, Member("孙父", Relation.Head), Member("孙母", Relation.Spouse)));
        var h = created.Household;
        var head = h.Members.Single(m => m.Relation == Relation.Head);
        var spouse = h.Members.Single(m => m.Relation == Relation.Spouse);
        fx.Clock.SetToday(new DateOnly(2025, 3, 10));
        var babyId = NewIdNumber(new DateOnly(2025, 3, 5));

        var birth = await fx.Run<RecordMemberChange, RecordMemberChangeResult>(u => u.HandleAsync(Callers.Township(),
            new RecordMemberChangeRequest(h.Id, MemberChangeKind.Birth, new DateOnly(2025, 3, 5), Member("孙宝", Relation.Child, babyId, LabourAbility.None))));
        Assert.Equal(3, birth.Household.MemberCount);

        var before = await fx.SnapshotAsync();
        var noHead = await Assert.ThrowsAsync<ValidationFailedException>(() => fx.Run<RecordMemberChange, RecordMemberChangeResult>(u =>
            u.HandleAsync(Callers.Township(), new RecordMemberChangeRequest(h.Id, MemberChangeKind.Death, new DateOnly(2025, 3, 8), MemberId: head.Id))));
        Assert.Equal("new_head_member_id", noHead.Violations.Single().Field);
        var wrongBirthDay = await Assert.ThrowsAsync<ValidationFailedException>(() => fx.Run<RecordMemberChange, RecordMemberChangeResult>(u =>
            u.HandleAsync(Callers.Township(), new RecordMemberChangeRequest(h.Id, MemberChangeKind.Birth, new DateOnly(2025, 3, 6), Member("孙二宝", Relation.Child, NewIdNumber(new DateOnly(2025, 3, 5)))))));
        Assert.Equal("effective_on", wrongBirthDay.Violations.Single().Field);
        Assert.Equal(before, await fx.SnapshotAsync());

        var death = await fx.Run<RecordMemberChange, RecordMemberChangeResult>(u => u.HandleAsync(Callers.Township(),
            new RecordMemberChangeRequest(h.Id, MemberChangeKind.Death, new DateOnly(2025, 3, 8), MemberId: head.Id, NewHeadMemberId: spouse.Id)));
        Assert.Equal(2, death.Household.MemberCount);
        Assert.Equal("孙母", death.Household.HeadName);

        var history = await fx.Run<GetHousehold, GetHouseholdResult>(u => u.HandleAsync(Callers.County(), new GetHouseholdRequest(h.Id, IncludeHistory: true)));
        Assert.Equal([MemberChangeKind.Birth, MemberChangeKind.Death], history.History.Select(c => c.Kind));
        Assert.Equal(new DateOnly(2025, 3, 8), history.History[1].EffectiveOn);
        var former = history.Household.Members.Single(m => m.Id == head.Id);
        Assert.Equal(new DateOnly(2025, 3, 8), former.LeftOn);
        Assert.Equal(MemberChangeKind.Death, former.LeftBy);
        Assert.Equal(2, await fx.CountAsync(TestDatabase.EventCount("MemberChanged"), ("h", h.Id)));
    }

    [Fact]
    public async Task Corrections_keep_before_and_after_and_the_id_number_cannot_change()
    {
        var created = await Create(Callers.County(), Family(Village, Member("吴一", Relation.Head)));
        var member = created.Household.Members.Single();
        var input = Member("吴一", Relation.Head, "", LabourAbility.Partial) with { Health = HealthCondition.Chronic };
        var updated = await fx.Run<UpdateHousehold, UpdateHouseholdResult>(u => u.HandleAsync(Callers.Township(),
            new UpdateHouseholdRequest(created.Household.Id, HouseholdCategory.PovertyAlleviated, true, false, [new MemberUpdate(member.Id, input)])));
        Assert.Equal(HouseholdCategory.PovertyAlleviated, updated.Household.Category);
        Assert.Equal(LabourAbility.Partial, updated.Household.Members.Single().LabourAbility);
        Assert.Equal(1, await fx.CountAsync(
            "SELECT count(*) FROM member_changes WHERE member_id = @m AND kind = 'Corrected' AND details->'before'->>'LabourAbility' = 'Full' AND details->'after'->>'LabourAbility' = 'Partial'",
            ("m", member.Id)));

        var before = await fx.SnapshotAsync();
        var ex = await Assert.ThrowsAsync<ValidationFailedException>(() => fx.Run<UpdateHousehold, UpdateHouseholdResult>(u => u.HandleAsync(Callers.Township(),
            new UpdateHouseholdRequest(created.Household.Id, HouseholdCategory.Ordinary, false, false, [new MemberUpdate(member.Id, input with { IdNumber = NewIdNumber() })]))));
        Assert.Equal("members[0].facts.id_number", ex.Violations.Single().Field);
        Assert.Equal(before, await fx.SnapshotAsync());
    }

    [Fact]
    public async Task Split_and_merge_move_members_with_history_on_both_sides()
    {
        var created = await Create(Callers.County(), Family(Village, Member("郑父", Relation.Head), Member("郑母", Relation.Spouse), Member("郑子", Relation.Child), Member("郑媳", Relation.Other)));
        var h = created.Household;
        var son = h.Members.Single(m => m.Name == "郑子");
        var daughterInLaw = h.Members.Single(m => m.Name == "郑媳");
        var split = await fx.Run<SplitHousehold, SplitHouseholdResult>(u => u.HandleAsync(Callers.Township(), new SplitHouseholdRequest(h.Id,
            [new MovingMember(son.Id, Relation.Head), new MovingMember(daughterInLaw.Id, Relation.Spouse)], new DateOnly(2025, 3, 1), OtherVillage)));
        Assert.Equal(2, split.Remaining.MemberCount);
        Assert.Equal(2, split.Created.MemberCount);
        Assert.Equal("郑子", split.Created.HeadName);
        Assert.Equal(OtherVillage, split.Created.RegionCode);
        Assert.Equal(2, await fx.CountAsync("SELECT count(*) FROM member_changes WHERE household_id = @h AND kind = 'SplitOut' AND other_household_id = @n", ("h", h.Id), ("n", split.Created.Id)));

        var merged = await fx.Run<MergeHouseholds, MergeHouseholdsResult>(u => u.HandleAsync(Callers.Township(), new MergeHouseholdsRequest(h.Id, split.Created.Id,
            split.Created.Members.Select(m => new MovingMember(m.Id, m.Name == "郑子" ? Relation.Child : Relation.Other)).ToList(), new DateOnly(2025, 3, 2))));
        Assert.Equal(4, merged.Target.MemberCount);
        var source = await fx.Run<GetHousehold, GetHouseholdResult>(u => u.HandleAsync(Callers.County(), new GetHouseholdRequest(split.Created.Id)));
        Assert.Equal(h.Id, source.Household.MergedIntoId);
        Assert.Equal(0, source.Household.MemberCount);
        // Each person holds exactly one current membership; the former ones remain.
        Assert.Equal(4, await fx.CountAsync("SELECT count(*) FROM members WHERE household_id = @h AND left_on IS NULL", ("h", h.Id)));
        Assert.Equal(4 + 2 + 2, await fx.CountAsync("SELECT count(*) FROM members WHERE household_id IN (@h, @n)", ("h", h.Id), ("n", split.Created.Id)));
    }
}
