using System.Text.Json;
using FanPin.Monitoring.Application.Feeds;
using FanPin.Monitoring.Application.Guarantees;
using FanPin.Monitoring.Application.Records;
using FanPin.Monitoring.Domain;
using FanPin.Monitoring.Tests.Support;
using FanPin.Policies;
using FanPin.ServiceDefaults.Authentication;
using FanPin.Testing;

namespace FanPin.Monitoring.Tests;

/// <summary>Department feeds against a real database: bad rows reported, valid rows applied, re-imports idempotent.</summary>
public class FeedImportTests(MonitoringDatabase infrastructure) : IClassFixture<MonitoringDatabase>
{
    private static readonly DateOnly Today = new(2026, 11, 3); // before the 5th: on time

    private sealed record Scenario(Harness Harness, string County, Guid Household, IdNumber A, IdNumber B, IdNumber Outsider, Caller Department);

    private async Task<Scenario> ArrangeAsync()
    {
        var harness = await Harness.CreateAsync(infrastructure, Today);
        var county = TestData.NewCounty();
        var other = TestData.NewCounty();
        var a = Member.New();
        var b = Member.New(LabourAbility.Partial);
        var outsider = Member.New();
        var household = await harness.RegisterAsync(TestData.Village(county), HouseholdCategory.Ordinary, a, b);
        await harness.RegisterAsync(TestData.Village(other), HouseholdCategory.Ordinary, outsider);
        return new Scenario(harness, county, household, a.Id, b.Id, outsider.Id, Callers.Department(Departments.MedicalInsurance, county));
    }

    private static List<FeedRow> BadAndGoodRows(Scenario s) =>
    [
        new(1, s.A.Value, "medical_self_paid", "2026-10", 300_000, null, "bill-1"),
        new(2, TestData.WithWrongCheckDigit(s.A), "medical_self_paid", "2026-10", 100, null, "bill-x"),
        new(3, TestData.NewId().Value, "medical_self_paid", "2026-10", 100, null, "bill-y"),
        new(4, s.B.Value, "medical_self_paid", "2026-10", -100, null, "bill-z"),
        new(5, s.A.Value, "medical_self_paid", "2026-12", 100, null, "bill-future"),
        new(6, s.A.Value, "medical_self_paid", "2026-10", 300_000, null, "bill-1"),
        new(7, s.B.Value, "medical_self_paid", "2026-09", 250_000, null, "bill-2"),
        new(8, s.Outsider.Value, "medical_self_paid", "2026-10", 100, null, "bill-o"),
        new(9, s.A.Value, "medical_insured", null, null, "no", null),
        new(10, s.B.Value, "medical_insured", null, null, "yes", null),
        new(10, s.B.Value, "medical_insured", null, null, "no", null),
    ];

    [Fact]
    public async Task A_feed_with_bad_rows_reports_each_and_applies_the_valid_ones()
    {
        var s = await ArrangeAsync();
        await using var harness = s.Harness;
        var progress = new List<ImportProgress>();
        var result = await harness.ImportAsync(s.Department, new ImportFeedRequest("mi-2026-11", Departments.MedicalInsurance, "2026-11"),
            BadAndGoodRows(s), new ListProgress(progress));

        Assert.True(result.FirstImport);
        Assert.False(result.Late);
        Assert.Equal(new DateOnly(2026, 11, 5), result.DueOn);
        Assert.Equal(11, result.RowsReceived);
        Assert.Equal((4, 0, 1, 4, 1, 1), (result.Applied, result.Unchanged, result.Duplicates, result.Invalid, result.Unmatched, result.OutsideScope));
        var reasons = result.Rejections.ToDictionary(r => r.RowNumber, r => r, EqualityComparer<int>.Default);
        Assert.Equal([2, 3, 4, 5, 6, 8, 10], result.Rejections.Select(r => r.RowNumber).ToArray());
        Assert.Contains("check digit", reasons[2].Reason, StringComparison.Ordinal);
        Assert.Equal(FeedRowOutcome.Unmatched, reasons[3].Outcome);
        Assert.Contains("unknown person", reasons[3].Reason, StringComparison.Ordinal);
        Assert.Contains("negative", reasons[4].Reason, StringComparison.Ordinal);
        Assert.Contains("in the future", reasons[5].Reason, StringComparison.Ordinal);
        Assert.Equal(FeedRowOutcome.Duplicate, reasons[6].Outcome);
        Assert.Contains("duplicate of row 1", reasons[6].Reason, StringComparison.Ordinal);
        Assert.Equal(FeedRowOutcome.OutsideScope, reasons[8].Outcome);
        Assert.Contains("appears more than once", reasons[10].Reason, StringComparison.Ordinal);
        Assert.Equal(FeedImportPhase.Receiving, progress[0].Phase);
        Assert.Equal(FeedImportPhase.Done, progress[^1].Phase);
        var board = await harness.Run<GetFeedImportProgress, ImportProgress?>(u => u.HandleAsync(s.Department,
            new GetFeedImportProgressRequest(Departments.MedicalInsurance, "mi-2026-11")));
        Assert.Equal((FeedImportPhase.Done, 11), (board!.Phase, board.RowsReceived));

        // The valid rows became records and a snapshot of the household.
        var county = Callers.County(s.County);
        var records = await harness.Run<ListRecords, ListRecordsResult>(u => u.HandleAsync(county, new ListRecordsRequest(s.Household)));
        Assert.Equal([250_000L, 300_000L], records.Records.Select(r => r.AmountFen).Order().ToArray());
        Assert.All(records.Records, r => Assert.Equal(RecordSource.DepartmentFeed, r.Source));
        var status = await harness.Run<GetGuaranteeStatus, GuaranteeStatusResult>(u => u.HandleAsync(county, new GetGuaranteeStatusRequest(s.Household)));
        Assert.Equal(1, status.Indicators.UninsuredMembers);

        // The rejected rows stay readable with their reasons.
        var listed = await harness.Run<ListFeedRejections, ListFeedRejectionsResult>(u => u.HandleAsync(county,
            new ListFeedRejectionsRequest(Departments.MedicalInsurance, "mi-2026-11")));
        Assert.Equal([2, 3, 4, 5, 6, 8], listed.Rejections.Select(r => r.RowNumber).ToArray()); // a repeated row number has no row of its own
        Assert.Equal(10, listed.Feed.RowCount);
        Assert.Equal(0.8571m, listed.Feed.MatchRate); // 6 of the 7 valid rows name a registered person
        Assert.Equal(0.3m, listed.Feed.ErrorRate);

        // 5 + 2 CNY over the warning line, and an uninsured member: one event with both signals.
        await harness.EvaluateAsync();
        var events = await harness.EventsAsync("RiskSignalsDetected", s.Household);
        var payload = Assert.Single(events);
        Assert.Contains(SignalCodes.MedicalCostAboveWarningLine, payload, StringComparison.Ordinal);
        Assert.Contains(SignalCodes.MedicalInsuranceGap, payload, StringComparison.Ordinal);

        // 30% invalid rows is far above the 5% the policy tolerates.
        var anomalies = await harness.EventsAsync("FeedAnomaly", region: s.County + "000000");
        Assert.Contains(FeedAnomalyKinds.HighErrorRate, Assert.Single(anomalies), StringComparison.Ordinal);
    }

    /// <summary>
    /// A thousand more rows around the bad and good ones change none of their outcomes, and a re-import with one row
    /// more applies just that row (the merge's planner statistics and the re-import path at a size above the other tests').
    /// </summary>
    [Fact]
    public async Task A_large_feed_gives_the_same_outcomes_as_a_small_one_and_its_re_import_applies_only_the_new_row()
    {
        var s = await ArrangeAsync();
        await using var harness = s.Harness;
        const int filler = 1_000;
        List<FeedRow> Rows(int extra) =>
        [
            .. BadAndGoodRows(s),
            .. Enumerable.Range(0, extra).Select(i => new FeedRow(11 + i, s.B.Value, "medical_self_paid", "2026-08", 10, null, $"small-{i}")),
        ];
        var request = new ImportFeedRequest("mi-large", Departments.MedicalInsurance, "2026-11");

        var result = await harness.ImportAsync(s.Department, request, Rows(filler));

        Assert.Equal(11 + filler, result.RowsReceived);
        Assert.Equal((4 + filler, 0, 1, 4, 1, 1), (result.Applied, result.Unchanged, result.Duplicates, result.Invalid, result.Unmatched, result.OutsideScope));
        Assert.Equal([2, 3, 4, 5, 6, 8, 10], result.Rejections.Select(r => r.RowNumber).ToArray());

        harness.Time.Advance(TimeSpan.FromSeconds(1)); // new record ids are time-ordered: a later import is a later millisecond
        var again = await harness.ImportAsync(s.Department, request, Rows(filler + 1));

        Assert.False(again.FirstImport);
        Assert.Equal(10 + filler, again.AlreadyImported);
        Assert.Equal((1, 0, 1), (again.Applied, again.Unchanged, again.HouseholdsQueued));
        Assert.Equal([10], again.Rejections.Select(r => r.RowNumber).ToArray());
        Assert.Equal(2 + filler + 1, await harness.ScalarAsync<long>("SELECT count(*) FROM records WHERE category = 20 AND household_id = @h", ("h", s.Household)));
    }

    [Fact]
    public async Task Re_importing_a_feed_changes_nothing_and_announces_nothing()
    {
        var s = await ArrangeAsync();
        await using var harness = s.Harness;
        var request = new ImportFeedRequest("mi-again", Departments.MedicalInsurance, "2026-11");
        await harness.ImportAsync(s.Department, request, BadAndGoodRows(s));
        await harness.EvaluateAsync();
        var eventsBefore = await harness.ScalarAsync<long>("SELECT count(*) FROM outbox_message");
        var recordsBefore = await harness.ScalarAsync<long>("SELECT count(*) FROM records");
        var snapshotsBefore = await harness.ScalarAsync<long>("SELECT count(*) FROM guarantee_snapshots");

        var again = await harness.ImportAsync(s.Department, request, BadAndGoodRows(s));

        Assert.False(again.FirstImport);
        Assert.Equal(10, again.AlreadyImported);
        Assert.Equal((0, 0, 0), (again.Applied, again.Unchanged, again.HouseholdsQueued));
        Assert.Equal([10], again.Rejections.Select(r => r.RowNumber).ToArray()); // the repeated row number is reported again, nothing else
        Assert.Equal(0, (await harness.EvaluateAsync()).Evaluated);
        Assert.Equal(eventsBefore, await harness.ScalarAsync<long>("SELECT count(*) FROM outbox_message"));
        Assert.Equal(recordsBefore, await harness.ScalarAsync<long>("SELECT count(*) FROM records"));
        Assert.Equal(snapshotsBefore, await harness.ScalarAsync<long>("SELECT count(*) FROM guarantee_snapshots"));
        var feed = (await harness.Run<ListFeeds, ListFeedsResult>(u => u.HandleAsync(Callers.County(s.County), new ListFeedsRequest(Departments.MedicalInsurance)))).Feeds;
        Assert.Equal(10, Assert.Single(feed).RowCount);
    }

    [Fact]
    public async Task The_same_rows_under_a_new_feed_id_are_unchanged_and_a_new_amount_supersedes()
    {
        var s = await ArrangeAsync();
        await using var harness = s.Harness;
        FeedRow Bill(int row, long amount) => new(row, s.A.Value, "medical_self_paid", "2026-10", amount, null, "bill-1");
        await harness.ImportAsync(s.Department, new ImportFeedRequest("f1", Departments.MedicalInsurance, "2026-11"), [Bill(1, 600_000)]);
        await harness.EvaluateAsync();
        Assert.Single(await harness.EventsAsync("RiskSignalsDetected", s.Household));

        var same = await harness.ImportAsync(s.Department, new ImportFeedRequest("f1-resent", Departments.MedicalInsurance, "2026-11"), [Bill(1, 600_000)]);
        Assert.Equal((0, 1), (same.Applied, same.Unchanged));
        Assert.Equal(0, (await harness.EvaluateAsync()).Evaluated);

        // The department corrects the bill: the new amount supersedes the old record and clears the warning line.
        var corrected = await harness.ImportAsync(s.Department, new ImportFeedRequest("f1-corrected", Departments.MedicalInsurance, "2026-11"), [Bill(1, 400_000)]);
        Assert.Equal(1, corrected.Applied);
        var county = Callers.County(s.County);
        var history = await harness.Run<ListRecords, ListRecordsResult>(u => u.HandleAsync(county, new ListRecordsRequest(s.Household, IncludeSuperseded: true)));
        var current = Assert.Single(history.Records, r => r.IsCurrent);
        Assert.Equal((400_000L, 2), (current.AmountFen, current.Version));
        Assert.Equal(600_000L, Assert.Single(history.Records, r => !r.IsCurrent).AmountFen);
        Assert.Equal(1, (await harness.EvaluateAsync()).EventsRaised);
        var events = await harness.EventsAsync("RiskSignalsDetected", s.Household);
        Assert.Equal(2, events.Count);
        using var cleared = JsonDocument.Parse(events[1]);
        Assert.DoesNotContain(SignalCodes.MedicalCostAboveWarningLine,
            cleared.RootElement.GetProperty("signals").EnumerateArray().Select(x => x.GetProperty("code").GetString()));
        Assert.Contains(SignalCodes.MedicalCostAboveWarningLine,
            cleared.RootElement.GetProperty("previousSignalCodes").EnumerateArray().Select(x => x.GetString()));
    }

    [Fact]
    public async Task A_department_sends_only_its_own_feed_inside_its_scope()
    {
        var s = await ArrangeAsync();
        await using var harness = s.Harness;
        await Assert.ThrowsAsync<AccessDeniedException>(() => harness.ImportAsync(Callers.Department(Departments.Housing, s.County),
            new ImportFeedRequest("x", Departments.MedicalInsurance, "2026-11"), []));
        await Assert.ThrowsAsync<AccessDeniedException>(() => harness.ImportAsync(s.Department,
            new ImportFeedRequest("x", Departments.MedicalInsurance, "2026-11", Region: TestData.NewCounty()), []));
        await Assert.ThrowsAsync<AccessDeniedException>(() => harness.ImportAsync(Callers.Village(TestData.Village(s.County)),
            new ImportFeedRequest("x", Departments.MedicalInsurance, "2026-11"), []));
        var invalid = await Assert.ThrowsAsync<ValidationFailedException>(() => harness.ImportAsync(s.Department,
            new ImportFeedRequest("", Departments.MedicalInsurance, "2026-12"), []));
        Assert.Equal(["feed_id", "period"], invalid.Violations.Select(v => v.Field).ToArray());
        Assert.Equal(0L, await harness.ScalarAsync<long>("SELECT count(*) FROM feeds WHERE feed_id = 'x'"));
    }

    [Fact]
    public async Task A_feed_id_names_one_feed()
    {
        var s = await ArrangeAsync();
        await using var harness = s.Harness;
        await harness.ImportAsync(s.Department, new ImportFeedRequest("one", Departments.MedicalInsurance, "2026-11"), []);
        var ex = await Assert.ThrowsAsync<PreconditionFailedException>(() => harness.ImportAsync(s.Department,
            new ImportFeedRequest("one", Departments.MedicalInsurance, "2026-10"), []));
        Assert.Contains("2026-11", ex.CurrentState, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exclusion_facts_and_indicators_from_other_departments()
    {
        var s = await ArrangeAsync();
        await using var harness = s.Harness;
        var car = await harness.ImportAsync(Callers.Department(Departments.PublicSecurity, s.County),
            new ImportFeedRequest("ps-1", Departments.PublicSecurity, "2026-11"), [new FeedRow(1, s.A.Value, "high_end_car", null, 45_000_000, null, "甘A12345")]);
        Assert.Equal(1, car.Applied);
        var again = await harness.ImportAsync(Callers.Department(Departments.PublicSecurity, s.County),
            new ImportFeedRequest("ps-2", Departments.PublicSecurity, "2026-11"), [new FeedRow(1, s.A.Value, "high_end_car", null, 45_000_000, null, "甘A12345")]);
        Assert.Equal(1, again.Unchanged); // the same car reported next month is the same fact
        var housing = await harness.ImportAsync(Callers.Department(Departments.Housing, s.County),
            new ImportFeedRequest("h-1", Departments.Housing, "2026-11"),
            [new FeedRow(1, s.A.Value, "housing_safety_grade", "2026-10", null, "B", null), new FeedRow(2, s.B.Value, "housing_safety_grade", "2026-10", null, "D", null)]);
        Assert.Equal(2, housing.Applied);
        var county = Callers.County(s.County);
        var status = await harness.Run<GetGuaranteeStatus, GuaranteeStatusResult>(u => u.HandleAsync(county, new GetGuaranteeStatusRequest(s.Household)));
        Assert.Equal(HousingSafetyGrade.D, status.Indicators.HousingGrade); // the worst grade reported for the household
        Assert.Contains(status.Gaps, g => g.Gap == GuaranteeGap.HousingSafety);

        await harness.EvaluateAsync();
        var payload = Assert.Single(await harness.EventsAsync("RiskSignalsDetected", s.Household));
        Assert.Contains("\"kind\":\"HighEndCar\"", payload, StringComparison.Ordinal);
        Assert.Contains(SignalCodes.HousingSafetyGap, payload, StringComparison.Ordinal);
        Assert.Contains("\"labourAbilities\":[\"Full\",\"Partial\"]", payload, StringComparison.Ordinal);
    }

    private sealed class ListProgress(List<ImportProgress> list) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => list.Add(value);
    }
}
