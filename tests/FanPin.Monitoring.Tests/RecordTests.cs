using FanPin.Monitoring.Application.Evaluation;
using FanPin.Monitoring.Application.Records;
using FanPin.Monitoring.Application.Registry;
using FanPin.Monitoring.Domain;
using FanPin.Monitoring.Tests.Support;
using FanPin.Policies;
using FanPin.ServiceDefaults.Authentication;

namespace FanPin.Monitoring.Tests;

/// <summary>Records, corrections, the income summary on the window, evaluation events and region scope, against PostgreSQL.</summary>
public class RecordTests(MonitoringDatabase infrastructure) : IClassFixture<MonitoringDatabase>
{
    private static readonly DateOnly Today = new(2026, 10, 20);

    private static Task<RecordView> Income(Harness h, Caller caller, Guid household, string month, long amount, RecordCategory category = RecordCategory.Wage) =>
        h.Run<RecordIncome, RecordView>(u => u.HandleAsync(caller, new RecordIncomeRequest(household, category, month, amount, RecordSource.Cadre, "visit")));

    private static Task<RecordView> Cost(Harness h, Caller caller, Guid household, string month, long amount, RecordCategory category) =>
        h.Run<RecordExpenditure, RecordView>(u => u.HandleAsync(caller, new RecordExpenditureRequest(household, category, month, amount, RecordSource.Farmer, "bill")));

    private static Task<IncomeSummaryResult> Summary(Harness h, Caller caller, Guid household, string? month = null) =>
        h.Run<GetIncomeSummary, IncomeSummaryResult>(u => u.HandleAsync(caller, new GetIncomeSummaryRequest(household, month)));

    [Fact]
    public async Task The_summary_counts_the_window_and_member_months_of_members_joining_mid_window()
    {
        await using var h = await Harness.CreateAsync(infrastructure, Today);
        var county = TestData.NewCounty();
        var village = TestData.Village(county);
        var cadre = Callers.Village(village);
        // two members all along, a child born on 15 April 2026: 12 + 12 + 6 = 30 member-months in 2025-10..2026-09
        var household = await h.RegisterAsync(village, HouseholdCategory.PovertyAlleviated, Member.New(), Member.New(),
            new Member(TestData.NewId(), new DateOnly(2026, 4, 15), LabourAbility: LabourAbility.None));
        await Income(h, cadre, household, "2025-09", 9_999_999);  // a month before the window
        await Income(h, cadre, household, "2025-10", 1_000_000);  // first month
        await Income(h, cadre, household, "2026-09", 800_000, RecordCategory.TransferNet); // last month
        await Income(h, cadre, household, "2026-10", 9_999_999);  // the reference month is not income yet
        await Cost(h, cadre, household, "2026-03", 300_000, RecordCategory.ProductiveCost);

        var result = await Summary(h, cadre, household);
        var s = result.Summary;
        Assert.Equal("2025-10..2026-09", s.IncomeWindow.ToString());
        Assert.Equal(1_800_000, s.IncomeByCategoryFen.Values.Sum());
        Assert.Equal(1_500_000, s.DisposableIncomeFen);
        Assert.Equal(30, s.MemberMonths);
        Assert.Equal(3, s.CurrentMembers);
        Assert.Equal(600_000, s.PerCapitaIncomeFen);          // 15,000 × 12 / 30
        Assert.Equal(0.4444m, s.TransferIncomeShare);         // 8,000 / 18,000
        Assert.Contains(result.Signals, x => x.Code == SignalCodes.IncomeBelowLine);
        Assert.Contains(result.Monthly, m => m.Month == "2025-09"); // the breakdown shows every month loaded

        // The same household discovered in January: the window is the previous calendar year.
        var january = await Summary(h, cadre, household, "2026-01");
        Assert.Equal("2025-01..2025-12", january.Summary.IncomeWindow.ToString());
        Assert.Equal(9_999_999 + 1_000_000, january.Summary.DisposableIncomeFen);
        Assert.Equal(24, january.Summary.MemberMonths);
    }

    [Fact]
    public async Task A_correction_supersedes_and_only_the_current_version_counts()
    {
        await using var h = await Harness.CreateAsync(infrastructure, Today);
        var village = TestData.Village(TestData.NewCounty());
        var cadre = Callers.Village(village);
        var household = await h.RegisterAsync(village, HouseholdCategory.Ordinary, Member.New());
        var first = await Income(h, cadre, household, "2026-05", 100_000);

        var second = await h.Run<CorrectRecord, RecordView>(u => u.HandleAsync(cadre,
            new CorrectRecordRequest(first.Id, RecordCategory.BusinessNet, "2026-06", 250_000, RecordSource.Cadre, "re-check", "sold the harvest in June, not May")));
        Assert.Equal((2, first.Id), (second.Version, second.SupersedesId));
        var summary = await Summary(h, cadre, household);
        Assert.Equal(250_000, summary.Summary.DisposableIncomeFen);
        Assert.Equal(250_000, summary.Summary.IncomeByCategoryFen[RecordCategory.BusinessNet]);
        Assert.Equal(0, summary.Summary.IncomeByCategoryFen[RecordCategory.Wage]);

        // Correcting the superseded version again is refused: correct the current one.
        var stale = await Assert.ThrowsAsync<PreconditionFailedException>(() => h.Run<CorrectRecord, RecordView>(u => u.HandleAsync(cadre,
            new CorrectRecordRequest(first.Id, RecordCategory.Wage, "2026-05", 1, RecordSource.Cadre, null, "again"))));
        Assert.Contains(second.Id.ToString(), stale.Message, StringComparison.Ordinal);
        // Income cannot become a cost by correction.
        await Assert.ThrowsAsync<ValidationFailedException>(() => h.Run<CorrectRecord, RecordView>(u => u.HandleAsync(cadre,
            new CorrectRecordRequest(second.Id, RecordCategory.MedicalSelfPaid, "2026-06", 1, RecordSource.Cadre, null, "wrong kind"))));

        var history = await h.Run<ListRecords, ListRecordsResult>(u => u.HandleAsync(cadre, new ListRecordsRequest(household, IncludeSuperseded: true)));
        Assert.Equal(2, history.Records.Count);
        var current = await h.Run<ListRecords, ListRecordsResult>(u => u.HandleAsync(cadre, new ListRecordsRequest(household)));
        Assert.Equal(second.Id, Assert.Single(current.Records).Id);
    }

    [Fact]
    public async Task Invalid_records_write_nothing_and_name_every_field()
    {
        await using var h = await Harness.CreateAsync(infrastructure, Today);
        var village = TestData.Village(TestData.NewCounty());
        var household = await h.RegisterAsync(village, HouseholdCategory.Ordinary, Member.New());
        var ex = await Assert.ThrowsAsync<ValidationFailedException>(() => h.Run<RecordIncome, RecordView>(u => u.HandleAsync(Callers.Village(village),
            new RecordIncomeRequest(household, RecordCategory.Schooling, "2026-11", -1, RecordSource.DepartmentFeed))));
        Assert.Equal(["category", "month", "amount_fen", "source"], ex.Violations.Select(v => v.Field).ToArray());
        Assert.Equal(0L, await h.ScalarAsync<long>("SELECT count(*) FROM records WHERE household_id = @h", ("h", household)));
    }

    [Fact]
    public async Task Region_scope_hides_other_counties_and_downstream_systems_only_read()
    {
        await using var h = await Harness.CreateAsync(infrastructure, Today);
        var county = TestData.NewCounty();
        var village = TestData.Village(county);
        var household = await h.RegisterAsync(village, HouseholdCategory.Ordinary, Member.New());
        var other = Callers.County(TestData.NewCounty());
        await Assert.ThrowsAsync<NotFoundException>(() => Income(h, other, household, "2026-05", 1));
        await Assert.ThrowsAsync<NotFoundException>(() => Summary(h, other, household));
        await Assert.ThrowsAsync<AccessDeniedException>(() => Income(h, Callers.Downstream(county), household, "2026-05", 1));
        var read = await Summary(h, Callers.Downstream(county), household);
        Assert.Equal(household, read.HouseholdId);
        await Income(h, Callers.Province("62"), household, "2026-05", 1); // the province reaches every county
    }

    [Fact]
    public async Task One_event_per_change_of_findings_and_none_when_nothing_changed()
    {
        await using var h = await Harness.CreateAsync(infrastructure, Today);
        var village = TestData.Village(TestData.NewCounty());
        var cadre = Callers.Village(village);
        var household = await h.RegisterAsync(village, HouseholdCategory.Ordinary, Member.New(), Member.New());
        await Income(h, cadre, household, "2026-01", 4_000_000);   // 20,000 per person: well above the line
        await h.EvaluateAsync();
        Assert.Empty(await h.EventsAsync("RiskSignalsDetected", household)); // first evaluation, nothing found: nothing to tell

        await Cost(h, cadre, household, "2026-10", 500_000, RecordCategory.MedicalSelfPaid); // at the line, not over it
        await h.EvaluateAsync();
        Assert.Empty(await h.EventsAsync("RiskSignalsDetected", household));

        await Cost(h, cadre, household, "2026-10", 1, RecordCategory.MedicalSelfPaid);       // one fen over
        await h.EvaluateAsync();
        var raised = Assert.Single(await h.EventsAsync("RiskSignalsDetected", household));
        Assert.Contains("\"amountFen\":500001", raised, StringComparison.Ordinal);
        Assert.Contains("\"policyKey\":\"monitoring.warning_lines.medical_self_paid\"", raised, StringComparison.Ordinal);

        // Evaluated again without a change (e.g. the daily sweep): no event.
        await h.Run<ApplyHouseholdFacts, ReadModelResult>(u => u.HandleAsync(
            new HouseholdFactsChange(household, village, HouseholdCategory.Ordinary, HouseholdStatus.Monitored, h.Time.GetUtcNow())));
        await h.EvaluateAsync();
        await h.ScalarAsync<int>("INSERT INTO evaluation_queue VALUES (@h, now()) RETURNING 1", ("h", household));
        var again = await h.EvaluateAsync();
        Assert.True(again.Evaluated >= 1);
        Assert.Single(await h.EventsAsync("RiskSignalsDetected", household));

        // The signal is readable, and the watch log has it once.
        var signals = await h.Run<GetHouseholdSignals, HouseholdSignalsResult>(u => u.HandleAsync(cadre, new GetHouseholdSignalsRequest(household)));
        Assert.Equal([SignalCodes.MedicalCostAboveWarningLine], signals.Evaluation!.Signals.Select(s => s.Code).ToArray());
        var log = await h.Run<ReadSignalChanges, ReadSignalChangesResult>(u => u.HandleAsync(Callers.County(village[..6]), new ReadSignalChangesRequest()));
        Assert.Equal((Guid?)household, Assert.Single(log.Changes).HouseholdId);
        var resumed = await h.Run<ReadSignalChanges, ReadSignalChangesResult>(u => u.HandleAsync(Callers.County(village[..6]),
            new ReadSignalChangesRequest(AfterSequence: log.NextAfterSequence)));
        Assert.Empty(resumed.Changes);
    }

    [Fact]
    public async Task A_member_leaving_changes_the_denominator_and_the_findings()
    {
        await using var h = await Harness.CreateAsync(infrastructure, Today);
        var village = TestData.Village(TestData.NewCounty());
        var cadre = Callers.Village(village);
        var leaving = Member.New();
        var household = await h.RegisterAsync(village, HouseholdCategory.Ordinary, Member.New(), leaving);
        await Income(h, cadre, household, "2026-01", 1_400_000);   // 2 persons: 7,000 each, above the 6,500 line
        await h.EvaluateAsync();
        Assert.Empty(await h.EventsAsync("RiskSignalsDetected", household));

        // A third person marries in on 1 October 2025: 36 − 0 = 36 member-months → 4,666.67 CNY each
        await h.AddMemberAsync(household, village, new Member(TestData.NewId(), new DateOnly(2025, 10, 1)));
        await h.EvaluateAsync();
        var raised = Assert.Single(await h.EventsAsync("RiskSignalsDetected", household));
        Assert.Contains("\"perCapitaIncomeFen\":466667", raised, StringComparison.Ordinal);
    }
}
