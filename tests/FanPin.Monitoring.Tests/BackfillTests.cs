using FanPin.Monitoring.Application.Feeds;
using FanPin.Monitoring.Domain;
using FanPin.Monitoring.Infrastructure;
using FanPin.Monitoring.Tests.Support;
using FanPin.Policies;
using FanPin.ServiceDefaults.Authentication;

namespace FanPin.Monitoring.Tests;

/// <summary>
/// Back-fill feeds (loading past months): the households they touch are evaluated once, when the back-fill ends or
/// its hold lapses, on everything imported; a live feed meanwhile does not release them; ending needs the right to
/// import and stays inside the caller's scope.
/// </summary>
public class BackfillTests(MonitoringDatabase infrastructure) : IClassFixture<MonitoringDatabase>
{
    private static readonly DateOnly Today = new(2026, 11, 3);

    private static FeedRow Bill(int row, IdNumber id, string month, long fen) => new(row, id.Value, "medical_self_paid", month, fen, null, $"bill-{month}-{row}");

    private static ImportFeedRequest Feed(string id, string period, bool backfill) => new(id, Departments.MedicalInsurance, period, Backfill: backfill);

    private static Task<long> HeldAsync(Harness harness, Guid household) =>
        harness.ScalarAsync<long>("SELECT count(*) FROM evaluation_queue WHERE household_id = @h AND held_until IS NOT NULL", ("h", household));

    [Fact]
    public async Task A_back_fill_is_evaluated_once_when_it_ends_and_a_live_feed_meanwhile_does_not_release_it()
    {
        await using var harness = await Harness.CreateAsync(infrastructure, Today);
        var county = TestData.NewCounty();
        var person = Member.New();
        var household = await harness.RegisterAsync(TestData.Village(county), HouseholdCategory.Ordinary, person);
        await harness.EvaluateAsync(); // the registration's own evaluation
        var department = Callers.Department(Departments.MedicalInsurance, county);

        // Two months of bills of 3,000 CNY: each alone is under the 5,000 CNY warning line, together over it.
        var first = await harness.ImportAsync(department, Feed($"{county}-bf-09", "2026-09", backfill: true), [Bill(1, person.Id, "2026-08", 300_000)]);
        Assert.Equal(1, first.HouseholdsQueued);
        await harness.EvaluateAsync();
        Assert.Equal(1, await HeldAsync(harness, household));
        await harness.ImportAsync(department, Feed($"{county}-bf-10", "2026-10", backfill: true), [Bill(1, person.Id, "2026-09", 300_000)]);
        // A live feed of the same household does not end its hold: it is evaluated with the rest of the back-fill.
        await harness.ImportAsync(department, Feed($"{county}-live-11", "2026-11", backfill: false), [Bill(1, person.Id, "2026-10", 1_000)]);
        await harness.EvaluateAsync();
        Assert.Equal(1, await HeldAsync(harness, household));
        Assert.Empty(await harness.EventsAsync("RiskSignalsDetected", household));

        var ended = await harness.Run<EndBackfill, EndBackfillResult>(u => u.HandleAsync(Callers.County(county), new EndBackfillRequest()));

        Assert.Equal(1, ended.HouseholdsReleased);
        await harness.EvaluateAsync();
        var announced = Assert.Single(await harness.EventsAsync("RiskSignalsDetected", household));
        Assert.Contains(SignalCodes.MedicalCostAboveWarningLine, announced, StringComparison.Ordinal);
        Assert.Contains("601000", announced, StringComparison.Ordinal); // all three bills, in fen
        Assert.Equal(0L, await harness.ScalarAsync<long>("SELECT count(*) FROM evaluation_queue WHERE household_id = @h", ("h", household)));
        Assert.Equal(0, (await harness.Run<EndBackfill, EndBackfillResult>(u => u.HandleAsync(Callers.County(county), new EndBackfillRequest()))).HouseholdsReleased);
    }

    [Fact]
    public async Task A_hold_nobody_ends_lapses_after_the_configured_time()
    {
        await using var harness = await Harness.CreateAsync(infrastructure, Today);
        var county = TestData.NewCounty();
        var person = Member.New();
        var household = await harness.RegisterAsync(TestData.Village(county), HouseholdCategory.Ordinary, person);
        await harness.EvaluateAsync();
        await harness.ImportAsync(Callers.Department(Departments.MedicalInsurance, county), Feed($"{county}-bf", "2026-10", backfill: true),
            [Bill(1, person.Id, "2026-09", 600_000)]);
        var hold = new MonitoringWorkerOptions().BackfillHold;

        harness.Time.Advance(hold - TimeSpan.FromSeconds(1));
        await harness.EvaluateAsync();
        Assert.Equal(1, await HeldAsync(harness, household));

        harness.Time.Advance(TimeSpan.FromSeconds(2));
        await harness.EvaluateAsync();
        Assert.Single(await harness.EventsAsync("RiskSignalsDetected", household));
        Assert.Equal(0, await HeldAsync(harness, household));
    }

    [Fact]
    public async Task Ending_a_back_fill_stays_in_the_callers_scope_and_needs_the_right_to_import()
    {
        await using var harness = await Harness.CreateAsync(infrastructure, Today);
        var (county, other) = (TestData.NewCounty(), TestData.NewCounty());
        var (person, otherPerson) = (Member.New(), Member.New());
        var household = await harness.RegisterAsync(TestData.Village(county), HouseholdCategory.Ordinary, person);
        var otherHousehold = await harness.RegisterAsync(TestData.Village(other), HouseholdCategory.Ordinary, otherPerson);
        await harness.EvaluateAsync();
        await harness.ImportAsync(Callers.Department(Departments.MedicalInsurance, county), Feed($"{county}-bf", "2026-10", backfill: true),
            [Bill(1, person.Id, "2026-09", 600_000)]);
        await harness.ImportAsync(Callers.Department(Departments.MedicalInsurance, other), Feed($"{other}-bf", "2026-10", backfill: true),
            [Bill(1, otherPerson.Id, "2026-09", 600_000)]);

        await Assert.ThrowsAsync<AccessDeniedException>(() => harness.Run<EndBackfill, EndBackfillResult>(u =>
            u.HandleAsync(Callers.Village(TestData.Village(county)), new EndBackfillRequest())));
        await Assert.ThrowsAsync<AccessDeniedException>(() => harness.Run<EndBackfill, EndBackfillResult>(u =>
            u.HandleAsync(Callers.County(county), new EndBackfillRequest(other))));
        var invalid = await Assert.ThrowsAsync<ValidationFailedException>(() => harness.Run<EndBackfill, EndBackfillResult>(u =>
            u.HandleAsync(Callers.County(county), new EndBackfillRequest("62x"))));
        Assert.Equal("region", Assert.Single(invalid.Violations).Field);
        Assert.Equal((1L, 1L), (await HeldAsync(harness, household), await HeldAsync(harness, otherHousehold)));

        var ended = await harness.Run<EndBackfill, EndBackfillResult>(u =>
            u.HandleAsync(Callers.Department(Departments.MedicalInsurance, county), new EndBackfillRequest()));

        Assert.Equal(1, ended.HouseholdsReleased);
        Assert.Equal((0L, 1L), (await HeldAsync(harness, household), await HeldAsync(harness, otherHousehold)));
        Assert.Equal(1, (await harness.Run<EndBackfill, EndBackfillResult>(u => u.HandleAsync(Callers.Province("62"), new EndBackfillRequest()))).HouseholdsReleased);
    }
}
