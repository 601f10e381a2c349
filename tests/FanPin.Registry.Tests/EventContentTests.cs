using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FanPin.IntegrationEvents;
using FanPin.Messaging.Serialization;
using FanPin.Policies;
using FanPin.Registry.Application.Common;
using FanPin.Registry.Application.Households;
using FanPin.Registry.Domain;
using FanPin.Registry.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static FanPin.Registry.Tests.RegistryFixture;

namespace FanPin.Registry.Tests;

/// <summary>What the registry's integration events carry, read back from the outbox as the relay would publish them.</summary>
public class EventContentTests(RegistryFixture fx) : IClassFixture<RegistryFixture>
{
    private async Task<List<T>> EventsAsync<T>(Guid household) where T : IntegrationEvent
    {
        await using var connection = new NpgsqlConnection(fx.PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT payload FROM outbox_message
            WHERE destination = 0 AND event_type = @type AND (payload::jsonb->>'householdId')::uuid = @h ORDER BY id
            """, connection);
        command.Parameters.AddWithValue("type", typeof(T).FullName!);
        command.Parameters.AddWithValue("h", household);
        var events = new List<T>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            events.Add(JsonSerializer.Deserialize<T>(reader.GetString(0), EventJson.Options)!);
        }
        return events;
    }

    private async Task<HouseholdSnapshot> CurrentSnapshotAsync(Guid household)
    {
        await using var scope = fx.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RegistryDbContext>();
        return RegistryEventMapping.SnapshotOf(await db.Households.Include(h => h.AllMembers).SingleAsync(h => h.Id == household));
    }

    private static void AssertSame(HouseholdSnapshot expected, HouseholdSnapshot actual)
    {
        Assert.Equal(expected with { Members = [], RiskTypes = [] }, actual with { Members = [], RiskTypes = [] });
        Assert.Equal(expected.RiskTypes, actual.RiskTypes);
        Assert.Equal(expected.Members.OrderBy(m => m.MemberId), actual.Members.OrderBy(m => m.MemberId));
    }

    private static string Hash(byte[] key, string idNumber) => Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(idNumber)));

    [Fact]
    public async Task An_imported_household_is_announced_as_a_created_one_is()
    {
        var headId = NewIdNumber();
        var childId = NewIdNumber(new DateOnly(2015, 6, 1));
        var rows = new[]
        {
            new ImportHouseholdRow(1, "620102004001", HouseholdCategory.PovertyAlleviated, true, false,
                [Member("甲", Relation.Head, headId), Member("乙", Relation.Child, childId, LabourAbility.None) with { Schooling = SchoolingStage.Compulsory, EmploymentLocation = EmploymentLocation.None, EmploymentMonths = 0 }]),
        };
        var result = await fx.Run<ImportHouseholds, ImportHouseholdsResult>(u => u.HandleAsync(Callers.County(), new ImportHouseholdsRequest("events-import-1", Stream(rows))));
        Assert.Equal(1, result.Accepted);
        var household = (await fx.Run<FindHouseholdByIdNumber, FindHouseholdByIdNumberResult>(u => u.HandleAsync(Callers.County(), new FindHouseholdByIdNumberRequest(headId)))).Household.Id;

        var registered = Assert.Single(await EventsAsync<HouseholdRegistered>(household));
        Assert.Equal(("620102004001", household, "PovertyAlleviated", 2, "import:events-import-1"),
            (registered.RegionCode, registered.HouseholdId, registered.Category, registered.MemberCount, registered.Origin));
        Assert.Equal(TimeSpan.Zero, registered.OccurredAt.Offset);
        Assert.Equal(fx.Clock.GetUtcNow(), registered.OccurredAt);
        // The SQL that stages imports writes exactly what the C# mapping writes for the same household.
        AssertSame(await CurrentSnapshotAsync(household), registered.Household!);
        var child = registered.Household!.Members.Single(m => m.Relation == "Child");
        Assert.Equal(("None", "Compulsory", new DateOnly(2015, 6, 1), (int?)null), (child.LabourAbility, child.Schooling, child.BirthDate, child.DisabilityGrade));
        var hashes = await fx.CountAsync("SELECT count(*) FROM members WHERE household_id = @h AND encode(id_number_hash, 'hex') = ANY(@x)",
            ("h", household), ("x", registered.Household.Members.Select(m => m.IdNumberHash).ToArray()));
        Assert.Equal(2, hashes);
    }

    [Fact]
    public async Task Member_changes_carry_the_member_its_hash_and_the_household_after_the_change()
    {
        fx.Clock.SetToday(new DateOnly(2025, 6, 2));
        var fatherId = NewIdNumber(new DateOnly(1940, 2, 2));
        var created = await fx.Run<CreateHousehold, CreateHouseholdResult>(u => u.HandleAsync(Callers.County(),
            new CreateHouseholdRequest(Village, HouseholdCategory.Ordinary, false, false, [Member("陈一", Relation.Head), Member("陈父", Relation.Parent, fatherId, LabourAbility.Lost)])));
        var household = created.Household.Id;
        var father = created.Household.Members.Single(m => m.Relation == Relation.Parent).Id;
        var created1 = Assert.Single(await EventsAsync<HouseholdRegistered>(household));
        Assert.Equal(1, created1.Household!.Version);

        await fx.Run<RecordMemberChange, RecordMemberChangeResult>(u => u.HandleAsync(Callers.Township(),
            new RecordMemberChangeRequest(household, MemberChangeKind.Death, new DateOnly(2025, 6, 2), MemberId: father)));
        var death = Assert.Single(await EventsAsync<MemberChanged>(household));
        Assert.Equal(("Died", "Death", new DateOnly(2025, 6, 2), father), (death.ChangeKind, death.RegistryKind, death.EffectiveOn, death.MemberId));
        Assert.Empty(death.ChangedFields);
        Assert.Equal(Hash(fx.IdHashKey, fatherId), death.Member!.IdNumberHash);
        Assert.Equal("Lost", death.Member.LabourAbility);
        Assert.Equal((2L, 1), (death.Household!.Version, death.Household.MemberCount));
        Assert.DoesNotContain(death.Household.Members, m => m.MemberId == father);

        var head = created.Household.Members.Single(m => m.Relation == Relation.Head);
        var facts = Member("陈一", Relation.Head, "", LabourAbility.Partial) with { Health = HealthCondition.Chronic };
        await fx.Run<UpdateHousehold, UpdateHouseholdResult>(u => u.HandleAsync(Callers.Township(),
            new UpdateHouseholdRequest(household, HouseholdCategory.Ordinary, true, false, [new MemberUpdate(head.Id, facts)])));
        var corrected = (await EventsAsync<MemberChanged>(household)).Last();
        Assert.Equal(("Changed", head.Id), (corrected.ChangeKind, corrected.MemberId));
        Assert.Equal(["LabourAbility", "Health"], corrected.ChangedFields);
        var changed = Assert.Single(await EventsAsync<HouseholdChanged>(household));
        Assert.Equal(["minimum_living_guarantee"], changed.ChangedFields);
        // One unit of work, one version: the household change and the correction carry the same snapshot.
        Assert.Equal((3L, 3L, 3L), (changed.Version, changed.Household!.Version, corrected.Household!.Version));
        Assert.True(changed.Household.MinimumLivingGuarantee);
        Assert.Equal("Partial", changed.Household.Members.Single().LabourAbility);
        AssertSame(await CurrentSnapshotAsync(household), changed.Household);
    }

    [Fact]
    public async Task Identification_events_carry_steps_reasons_type_and_risk_types()
    {
        var household = await Procedures.NewHouseholdAsync(fx);
        var c = await Procedures.IdentifyAsync(fx, household, new DateOnly(2025, 3, 3));
        var opened = Assert.Single(await EventsAsync<IdentificationCaseOpened>(household));
        Assert.Equal((c, "SelfApplication", "AwaitingHomeVerification", "00", 1), (opened.CaseId, opened.Source, opened.State, opened.PolicyProvince, opened.PolicyVersion));
        Assert.NotNull(opened.VerificationDueOn);
        var steps = await EventsAsync<IdentificationCaseAdvanced>(household);
        Assert.Equal("Entered", steps[^1].ToStep);
        Assert.Equal("enter", steps[^1].Action);
        var identified = Assert.Single(await EventsAsync<HouseholdIdentified>(household));
        Assert.Equal("MarginalAtRisk", identified.MonitoringType);
        Assert.Equal(["Illness"], identified.RiskTypes);
        var last = (await EventsAsync<HouseholdChanged>(household)).Last();
        Assert.Equal(("Monitored", "MarginalAtRisk"), (last.Household!.Status, last.Household.MonitoringType));
        Assert.Equal(["Illness"], last.Household.RiskTypes);
        Assert.Equal(2, last.Household.Members.Count); // loaded for the snapshot although the step did not need them
        // HouseholdIdentified also goes to the public exchange (no personal data in it).
        Assert.Equal(1, await fx.CountAsync("SELECT count(*) FROM outbox_message WHERE destination = 1 AND event_id = @e", ("e", identified.EventId)));

        var other = await Procedures.NewHouseholdAsync(fx);
        fx.Clock.SetToday(new DateOnly(2025, 4, 1));
        var rejectedCase = (await Procedures.OpenAsync(fx, other)).Case.Id;
        await fx.Run<Application.Identification.RecordHomeVerification, Application.Identification.IdentificationCaseResult>(u => u.HandleAsync(Callers.Township(),
            new Application.Identification.RecordHomeVerificationRequest(rejectedCase, new DateOnly(2025, 4, 1), false, 900_000, "checked", "收入高于监测线")));
        var rejected = Assert.Single(await EventsAsync<IdentificationRejected>(other));
        Assert.Equal(("AwaitingHomeVerification", "StandardNotMet", "收入高于监测线"), (rejected.Step, rejected.ReasonCode, rejected.Reason));
    }

    private static async IAsyncEnumerable<ImportHouseholdRow> Stream(IEnumerable<ImportHouseholdRow> rows)
    {
        foreach (var row in rows)
        {
            await Task.Yield();
            yield return row;
        }
    }
}
