using FanPin.Monitoring.Application.Registry;
using FanPin.Monitoring.Domain;
using FanPin.Monitoring.Tests.Support;
using FanPin.Policies;

namespace FanPin.Monitoring.Tests;

/// <summary>The set-based registration path keeps the rules of the row-by-row read-model use cases.</summary>
public class ReadModelTests(MonitoringDatabase infrastructure) : IClassFixture<MonitoringDatabase>
{
    private static readonly DateOnly Today = new(2026, 11, 20);

    [Fact]
    public async Task Registrations_apply_set_based_once_newest_first_and_a_moved_member_requeues_its_earlier_household()
    {
        await using var h = await Harness.CreateAsync(infrastructure, Today);
        var village = TestData.Village(TestData.NewCounty());
        var (first, second) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        var (a, b) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        var t0 = h.Time.GetUtcNow();
        MemberChange Member(Guid id, Guid household, LabourAbility ability, DateTimeOffset at) =>
            new(id, household, village, h.Hasher.Hash(TestData.NewId()), MembershipChange.Registered, null, ability, at);
        RegisteredHousehold Registration(Guid household, HouseholdCategory category, DateTimeOffset at, params MemberChange[] members) =>
            new(new HouseholdFactsChange(household, village, category, HouseholdStatus.NotMonitored, at), members);

        var batch = new[] { Registration(first, HouseholdCategory.Ordinary, t0, Member(a, first, LabourAbility.Full, t0), Member(b, first, LabourAbility.Partial, t0)) };
        Assert.Equal(1, await h.Run<ApplyRegisteredHouseholds, int>(u => u.HandleAsync(batch)));
        Assert.Equal(1, await h.Run<ApplyRegisteredHouseholds, int>(u => u.HandleAsync(batch))); // again: the same rows
        Assert.Equal(2L, await h.ScalarAsync<long>("SELECT count(*) FROM known_members WHERE household_id = @h", ("h", first)));
        Assert.Equal(1L, await h.ScalarAsync<long>("SELECT count(*) FROM evaluation_queue WHERE household_id = @h", ("h", first)));
        await h.EvaluateAsync();

        // An older registration does not overwrite the newer facts.
        await h.Run<ApplyRegisteredHouseholds, int>(u => u.HandleAsync([Registration(first, HouseholdCategory.PovertyAlleviated, t0.AddHours(-1))]));
        Assert.Equal(1L, await h.ScalarAsync<long>("SELECT count(*) FROM known_households WHERE id = @h AND category = 2", ("h", first)));

        // b is split off into a new household: both are queued, b now counts there, its labour ability from the newer change.
        var t1 = t0.AddHours(1);
        await h.Run<ApplyRegisteredHouseholds, int>(u => u.HandleAsync([Registration(second, HouseholdCategory.Ordinary, t1, Member(b, second, LabourAbility.Lost, t1))]));
        Assert.Equal(1L, await h.ScalarAsync<long>("SELECT count(*) FROM known_members WHERE id = @m AND household_id = @h AND labour_ability = 3", ("m", b), ("h", second)));
        Assert.Equal(2L, await h.ScalarAsync<long>("SELECT count(*) FROM evaluation_queue WHERE household_id = ANY(@ids)", ("ids", new[] { first, second })));
    }
}
