using FanPin.Monitoring.Application.Feeds;
using FanPin.Monitoring.Application.Visits;
using FanPin.Monitoring.Domain;
using FanPin.Monitoring.Tests.Support;
using FanPin.Policies;

namespace FanPin.Monitoring.Tests;

/// <summary>Visit compliance and the feed schedule against PostgreSQL.</summary>
public class VisitAndScheduleTests(MonitoringDatabase infrastructure) : IClassFixture<MonitoringDatabase>
{
    [Fact]
    public async Task The_overdue_list_names_monitored_households_behind_their_visits()
    {
        await using var h = await Harness.CreateAsync(infrastructure, new DateOnly(2026, 9, 20));
        var county = TestData.NewCounty();
        var village = TestData.Village(county);
        var cadre = Callers.Village(village);
        var visited = await h.RegisterAsync(village, HouseholdCategory.Ordinary, Member.New());
        var forgotten = await h.RegisterAsync(village, HouseholdCategory.Ordinary, Member.New());
        await h.Run<RecordVisit, VisitView>(u => u.HandleAsync(cadre, new RecordVisitRequest(visited, new DateOnly(2026, 9, 3), "王芳", "roof leaking", "report to housing")));

        // 20 September: the first of two visits was due by the 15th.
        var overdue = await h.Run<ListVisitCompliance, ListVisitComplianceResult>(u => u.HandleAsync(Callers.County(county),
            new ListVisitComplianceRequest(OverdueOnly: true)));
        Assert.Equal(2, overdue.VisitsPerMonth);
        var row = Assert.Single(overdue.Households);
        Assert.Equal((forgotten, 0, 1, true), (row.HouseholdId, row.VisitsMade, row.VisitsDue, row.Overdue));

        // After the month: two were due; one visit is not enough.
        var september = await h.Run<ListVisitCompliance, ListVisitComplianceResult>(u => u.HandleAsync(Callers.County(county),
            new ListVisitComplianceRequest(Month: "2026-09", AsOf: new DateOnly(2026, 10, 1))));
        Assert.All(september.Households, x => Assert.True(x.Overdue));
        Assert.Equal(new DateOnly(2026, 9, 3), Assert.Single(september.Households, x => x.HouseholdId == visited).LastVisitedOn);

        var visits = await h.Run<ListVisits, ListVisitsResult>(u => u.HandleAsync(cadre, new ListVisitsRequest(visited)));
        Assert.Equal("roof leaking", Assert.Single(visits.Visits).Findings);
        await Assert.ThrowsAsync<ValidationFailedException>(() => h.Run<RecordVisit, VisitView>(u => u.HandleAsync(cadre,
            new RecordVisitRequest(visited, new DateOnly(2026, 9, 21), "王芳", "", ""))));
    }

    [Fact]
    public async Task A_missing_feed_is_announced_once_and_a_late_one_once()
    {
        await using var h = await Harness.CreateAsync(infrastructure, new DateOnly(2026, 11, 6)); // the 5th has passed
        var county = TestData.NewCounty();
        await h.RegisterAsync(TestData.Village(county), HouseholdCategory.Ordinary, Member.New());
        var region = county + "000000";

        // Medical insurance sends late, before the check runs: announced by the import.
        var late = await h.ImportAsync(Callers.Department(Departments.MedicalInsurance, county),
            new ImportFeedRequest("mi-late", Departments.MedicalInsurance, "2026-11"), [new FeedRow(1, TestData.NewId().Value, "medical_self_paid", null, 1, null, null)]);
        Assert.True(late.Late);
        var lateEvent = Assert.Single(await h.EventsAsync("FeedOverdue", region: region));
        Assert.Contains("\"arrivedAt\":", lateEvent, StringComparison.Ordinal);

        var check = await h.Run<CheckFeedSchedule, CheckFeedScheduleResult>(u => u.HandleAsync());
        var mine = check.Announced.Where(a => a.RegionPrefix == county).ToList();
        // Every expected department but medical insurance (arrived) and education (due only in March and September),
        // for November; October was due on 5 October and nothing came either.
        Assert.Equal(8, mine.Count(a => a.Period == "2026-11"));
        Assert.DoesNotContain(mine, a => a.Department is Departments.MedicalInsurance && a.Period == "2026-11");
        Assert.DoesNotContain(mine, a => a.Department is Departments.Education);
        Assert.Equal(9, mine.Count(a => a.Period == "2026-10"));
        Assert.Equal(1 + 17, (await h.EventsAsync("FeedOverdue", region: region)).Count);

        var again = await h.Run<CheckFeedSchedule, CheckFeedScheduleResult>(u => u.HandleAsync());
        Assert.DoesNotContain(again.Announced, a => a.RegionPrefix == county);
    }

    [Fact]
    public async Task Concurrent_late_feeds_all_import_and_announce_the_lateness_once()
    {
        await using var h = await Harness.CreateAsync(infrastructure, new DateOnly(2026, 11, 6)); // the 5th has passed
        var county = TestData.NewCounty();
        await h.RegisterAsync(TestData.Village(county), HouseholdCategory.Ordinary, Member.New());

        // A department streaming small feeds: several late feeds of one period arrive at once and race for the notice.
        var imports = Enumerable.Range(1, 6).Select(i => h.ImportAsync(Callers.Department(Departments.MedicalInsurance, county),
            new ImportFeedRequest($"mi-late-{i}", Departments.MedicalInsurance, "2026-11"), [new FeedRow(1, TestData.NewId().Value, "medical_self_paid", null, 1, null, null)]));
        var results = await Task.WhenAll(imports);

        Assert.All(results, r => Assert.True(r.Late));
        Assert.Single(await h.EventsAsync("FeedOverdue", region: county + "000000"));
    }
}
