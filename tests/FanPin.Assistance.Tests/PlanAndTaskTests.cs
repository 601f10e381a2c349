using FanPin.Assistance.Application.Catalogue;
using FanPin.Assistance.Application.Common;
using FanPin.Assistance.Application.Plans;
using FanPin.Assistance.Application.Reports;
using FanPin.Assistance.Application.Tasks;
using FanPin.Assistance.Domain;
using FanPin.Assistance.Infrastructure;
using FanPin.Policies;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using static FanPin.Assistance.Tests.AssistanceFixture;

namespace FanPin.Assistance.Tests;

/// <summary>Plans, tasks, deadlines, overdue scans, access and effect on a real PostgreSQL (and Redis for the scan lock).</summary>
public sealed class PlanAndTaskTests(AssistanceFixture f) : IClassFixture<AssistanceFixture>
{
    private static readonly DateOnly Monday = new(2025, 3, 3);

    private Task<PlanView> Confirm(Caller caller, Guid household, int expectedVersion, params PlannedMeasureInput[] measures) =>
        f.Run<ConfirmPlan, PlanView>(u => u.HandleAsync(caller, new ConfirmPlanRequest(household, measures, expectedVersion)));

    private static PlannedMeasureInput M(string code, DateOnly? due = null, long amount = 0) => new(code, due, amount, null);

    [Fact]
    public async Task Confirmed_measures_become_tasks_due_after_their_working_days_for_the_right_assignee()
    {
        f.Clock.SetToday(Monday);
        var household = await f.WarnAsync([RiskType.Illness, RiskType.UnstableEmployment], persons: 4);
        var recommended = await f.Run<GetRecommendations, IReadOnlyList<Recommendation>>(u => u.HandleAsync(Township, new GetRecommendationsRequest(household)));
        Assert.Contains(recommended, r => r.Measure.Code == "medical.assistance");

        var view = await Confirm(Township, household, 0, M("medical.assistance", amount: 120_000), M("employment.public-welfare-job"));
        Assert.Equal(1, view.Plan.Version);
        Assert.Equal(4, view.Plan.Persons);
        var medical = view.Plan.Tasks.Single(t => t.MeasureCode == "medical.assistance");
        Assert.Equal((AssigneeKind.Department, "medical-insurance"), (medical.AssigneeKind, medical.Assignee));
        Assert.Equal(new DateOnly(2025, 3, 17), medical.DueOn); // 10 working days after Monday 3 March
        Assert.Equal(120_000, medical.AmountFen);
        var job = view.Plan.Tasks.Single(t => t.MeasureCode == "employment.public-welfare-job");
        Assert.Equal((AssigneeKind.Township, "620102001"), (job.AssigneeKind, job.Assignee));
        Assert.Equal(2, await f.CountAsync("SELECT count(*) FROM outbox_message WHERE destination = 0 AND (payload::jsonb->>'householdId')::uuid = @h AND event_type = 'FanPin.IntegrationEvents.TaskAssigned'", ("h", household)));

        // A second confirmation is the next version of the same plan; a stale version is refused.
        var v2 = await Confirm(County, household, 1, M("medical.critical-illness"));
        Assert.Equal(2, v2.Plan.Version);
        Assert.Equal(3, v2.Plan.Tasks.Count);
        var stale = await Assert.ThrowsAsync<PreconditionFailedException>(() => Confirm(County, household, 1, M("medical.premium-subsidy")));
        Assert.Equal("Version2", stale.CurrentState);
        Assert.Equal(1, await f.CountAsync("SELECT count(*) FROM plans WHERE household_id = @h", ("h", household)));
    }

    [Fact]
    public async Task Deadlines_skip_holidays_of_the_province_calendar()
    {
        f.Clock.SetToday(new DateOnly(2025, 9, 30));
        var household = await f.WarnAsync([RiskType.SuddenEvent]);
        var view = await Confirm(County, household, 0, M("social-security.emergency-relief"));
        var due = view.Plan.Tasks.Single().DueOn;
        Assert.Equal(DefaultPolicy.Policy.WorkingDays.AddWorkingDays(new DateOnly(2025, 9, 30), 3), due);
        Assert.True(due > new DateOnly(2025, 10, 8), $"due {due} falls in the National Day holiday");
    }

    [Fact]
    public async Task Bad_input_is_refused_with_named_fields_and_nothing_is_written()
    {
        f.Clock.SetToday(Monday);
        var household = await f.WarnAsync([RiskType.Illness]);
        var before = await f.SnapshotAsync();
        var bad = await Assert.ThrowsAsync<ValidationFailedException>(() => Confirm(Township, household, 0,
            M("medical.no-such-thing"), M("medical.assistance", due: Monday.AddDays(-1)), M("medical.critical-illness", amount: -1)));
        Assert.Equal(["measures[0].measure_code", "measures[1].due_on", "measures[2].amount_fen"], bad.Violations.Select(v => v.Field));
        Assert.Contains("unknown measure type 'medical.no-such-thing'", bad.Message, StringComparison.Ordinal);

        var none = await Assert.ThrowsAsync<PreconditionFailedException>(() => Confirm(Township, Guid.NewGuid(), 0, M("medical.assistance")));
        Assert.Equal("NoWarning", none.CurrentState);
        await Assert.ThrowsAsync<ValidationFailedException>(() => Confirm(Township, household, 0));
        await Assert.ThrowsAsync<AccessDeniedException>(() => Confirm(ForeignCounty, household, 0, M("medical.assistance")));
        await Assert.ThrowsAsync<AccessDeniedException>(() => Confirm(Department("medical-insurance"), household, 0, M("medical.assistance")));
        Assert.Equal(before, await f.SnapshotAsync());
    }

    [Fact]
    public async Task A_department_sees_and_carries_out_only_its_own_tasks()
    {
        f.Clock.SetToday(Monday);
        var household = await f.WarnAsync([RiskType.Illness, RiskType.Schooling]);
        var plan = (await Confirm(County, household, 0, M("medical.assistance"), M("education.student-aid"))).Plan;
        var medical = plan.Tasks.Single(t => t.MeasureCode == "medical.assistance");
        var education = plan.Tasks.Single(t => t.MeasureCode == "education.student-aid");

        var dept = Department("medical-insurance");
        var listed = await f.Run<ListTasks, IReadOnlyList<TaskView>>(u => u.HandleAsync(dept, new ListTasksRequest(null, null, false, "education", null, 0)));
        Assert.NotEmpty(listed);
        Assert.All(listed, t => Assert.Equal("medical-insurance", t.Task.Assignee));
        Assert.Contains(listed, t => t.Task.Id == medical.Id);
        var own = await f.Run<GetPlan, PlanView>(u => u.HandleAsync(dept, new GetPlanRequest(household)));
        Assert.Equal([medical.Id], own.Plan.Tasks.Select(t => t.Id));

        await Assert.ThrowsAsync<NotFoundException>(() => f.Run<StartTask, TaskView>(u => u.HandleAsync(dept, new StartTaskRequest(education.Id))));
        await Assert.ThrowsAsync<AccessDeniedException>(() => f.Run<StartTask, TaskView>(u => u.HandleAsync(Township, new StartTaskRequest(education.Id))));
        var started = await f.Run<StartTask, TaskView>(u => u.HandleAsync(dept, new StartTaskRequest(medical.Id)));
        Assert.Equal(AssistanceTaskStatus.InProgress, started.Task.Status);
        var again = await Assert.ThrowsAsync<PreconditionFailedException>(() => f.Run<StartTask, TaskView>(u => u.HandleAsync(dept, new StartTaskRequest(medical.Id))));
        Assert.Equal("InProgress", again.CurrentState);
        await Assert.ThrowsAsync<NotFoundException>(() => f.Run<GetPlan, PlanView>(u => u.HandleAsync(ForeignCounty, new GetPlanRequest(household))));
    }

    [Fact]
    public async Task Open_tasks_past_their_deadline_are_flagged_once_and_listed_first()
    {
        f.Clock.SetToday(Monday);
        var household = await f.WarnAsync([RiskType.DrinkingWater, RiskType.HousingSafety]);
        var plan = (await Confirm(County, household, 0, M("water.supply", due: new DateOnly(2025, 3, 5)), M("housing.renovation", due: new DateOnly(2025, 6, 30)))).Plan;
        var water = plan.Tasks.Single(t => t.MeasureCode == "water.supply");

        f.Clock.SetToday(new DateOnly(2025, 3, 5)); // due today: not overdue yet
        await f.Run<ScanOverdueTasks, OverdueScanResult>(u => u.HandleAsync());
        Assert.Equal(0, await f.CountAsync("SELECT count(*) FROM outbox_message WHERE destination = 0 AND (payload::jsonb->>'householdId')::uuid = @h AND event_type = 'FanPin.IntegrationEvents.TaskOverdue'", ("h", household)));

        f.Clock.SetToday(new DateOnly(2025, 3, 6));
        var first = await f.Run<ScanOverdueTasks, OverdueScanResult>(u => u.HandleAsync());
        Assert.True(first.Ran);
        Assert.True(first.Flagged >= 1);
        var second = await f.Run<ScanOverdueTasks, OverdueScanResult>(u => u.HandleAsync());
        Assert.Equal(0, second.Flagged);
        Assert.Equal(1, await f.CountAsync("SELECT count(*) FROM outbox_message WHERE destination = 0 AND (payload::jsonb->>'householdId')::uuid = @h AND event_type = 'FanPin.IntegrationEvents.TaskOverdue'", ("h", household)));
        Assert.Equal(1, await f.CountAsync("SELECT count(*) FROM outbox_message WHERE destination = 0 AND (payload::jsonb->>'householdId')::uuid = @h AND event_type = 'FanPin.IntegrationEvents.TaskOverdue' AND payload::jsonb->>'taskId' = @t",
            ("h", household), ("t", water.Id.ToString())));

        var list = await f.Run<ListTasks, IReadOnlyList<TaskView>>(u => u.HandleAsync(County, new ListTasksRequest(RegionPrefix.Parse(Village), null, false, null, null, 500)));
        var mine = list.Where(t => t.Task.HouseholdId == household).ToList();
        Assert.Equal(water.Id, mine[0].Task.Id);
        Assert.True(mine[0].Overdue);
        Assert.False(mine[1].Overdue);
        var firstNotOverdue = list.ToList().FindIndex(t => !t.Overdue);
        Assert.True(firstNotOverdue < 0 || list.Skip(firstNotOverdue).All(t => !t.Overdue), "overdue tasks come first");
        var overdueOnly = await f.Run<ListTasks, IReadOnlyList<TaskView>>(u => u.HandleAsync(County, new ListTasksRequest(null, null, true, null, null, 0)));
        Assert.All(overdueOnly, t => Assert.True(t.Overdue));

        // Done in time or not, a closed task is never overdue.
        await f.Run<CompleteTask, CompleteTaskResult>(u => u.HandleAsync(County, new CompleteTaskRequest(water.Id, 30_000, 0, "photo-17")));
        var after = await f.Run<ListTasks, IReadOnlyList<TaskView>>(u => u.HandleAsync(County, new ListTasksRequest(RegionPrefix.Parse(Village), null, true, null, null, 500)));
        Assert.DoesNotContain(after, t => t.Task.Id == water.Id);
    }

    [Fact]
    public async Task Only_the_instance_holding_the_lock_scans()
    {
        f.Clock.SetToday(Monday);
        var household = await f.WarnAsync([RiskType.Schooling]);
        await Confirm(County, household, 0, M("education.student-aid", due: Monday), M("education.fee-waiver", due: Monday));
        f.Clock.SetToday(Monday.AddDays(1));

        // Another instance is scanning: it holds the lock (same key, its own token).
        using var redis = await ConnectionMultiplexer.ConnectAsync(f.RedisConfiguration);
        var key = f.RedisKeyPrefix + "assistance:overdue-scan";
        var other = new RedisScanLock(() => redis, key, TimeSpan.FromMinutes(1));
        var held = await other.TryAcquireAsync(CancellationToken.None);
        Assert.NotNull(held);
        var skipped = await f.Run<ScanOverdueTasks, OverdueScanResult>(u => u.HandleAsync());
        Assert.False(skipped.Ran);
        Assert.Equal(0, await f.CountAsync("SELECT count(*) FROM tasks WHERE household_id = @h AND overdue_detected_on IS NOT NULL", ("h", household)));
        await held!.DisposeAsync();

        // Two instances at once: one scan flags both tasks, the other flags nothing twice.
        var results = await Task.WhenAll(Scan(), Scan());
        Assert.Contains(results, r => r.Ran);
        Assert.Equal(2, await f.CountAsync("SELECT count(*) FROM outbox_message WHERE destination = 0 AND (payload::jsonb->>'householdId')::uuid = @h AND event_type = 'FanPin.IntegrationEvents.TaskOverdue'", ("h", household)));
        Assert.Equal(0, await f.CountAsync("SELECT count(*) FROM (SELECT payload::jsonb->>'taskId' FROM outbox_message WHERE destination = 0 AND event_type = 'FanPin.IntegrationEvents.TaskOverdue' GROUP BY 1 HAVING count(*) > 1) d"));
        Assert.False(await redis.GetDatabase().KeyExistsAsync(key));

        async Task<OverdueScanResult> Scan()
        {
            await using var scope = f.Services.CreateAsyncScope();
            var instanceLock = new RedisScanLock(() => redis, key, TimeSpan.FromMinutes(1));
            var scanner = new ScanOverdueTasks(scope.ServiceProvider.GetRequiredService<AssistanceDbContext>(), scope.ServiceProvider.GetRequiredService<AssistanceClock>(), instanceLock);
            return await scanner.HandleAsync();
        }
    }

    [Fact]
    public async Task When_every_task_is_done_and_income_is_above_the_line_risk_elimination_is_proposed()
    {
        f.Clock.SetToday(Monday);
        var household = await f.WarnAsync([RiskType.IndustryFailure]);
        var plan = (await Confirm(County, household, 0, M("industry.subsidy"), M("industry.microcredit"))).Plan;
        f.Incomes.Summaries[household] = new IncomeSummary(700_000, 650_000, HasGuaranteeGap: false, new DateOnly(2024, 9, 1));

        var first = await f.Run<CompleteTask, CompleteTaskResult>(u => u.HandleAsync(Department("agriculture"), new CompleteTaskRequest(plan.Tasks[0].Id, 500_000, 200_000, "contract-1")));
        Assert.False(first.EliminationProposed);
        Assert.Contains("still open", first.EffectExplanation, StringComparison.Ordinal);
        var bad = await Assert.ThrowsAsync<ValidationFailedException>(() => f.Run<CompleteTask, CompleteTaskResult>(u =>
            u.HandleAsync(County, new CompleteTaskRequest(plan.Tasks[1].Id, -5, 0, ""))));
        Assert.Equal(["amount_fen", "evidence_reference"], bad.Violations.Select(v => v.Field));

        var last = await f.Run<CompleteTask, CompleteTaskResult>(u => u.HandleAsync(County, new CompleteTaskRequest(plan.Tasks[1].Id, 1_000_000, 150_000, "loan-2")));
        Assert.True(last.EliminationProposed);
        Assert.Equal(1, await f.CountAsync("SELECT count(*) FROM outbox_message WHERE destination = 0 AND (payload::jsonb->>'householdId')::uuid = @h AND event_type = 'FanPin.IntegrationEvents.RiskEliminationProposed' AND payload::jsonb->>'incomeStableSince' = '2024-09-01'", ("h", household)));
        Assert.Equal(0, await f.CountAsync("SELECT count(*) FROM outbox_message WHERE event_type LIKE '%TaskCompleted'")); // stays internal
        var done = await Assert.ThrowsAsync<PreconditionFailedException>(() => f.Run<CompleteTask, CompleteTaskResult>(u =>
            u.HandleAsync(County, new CompleteTaskRequest(plan.Tasks[1].Id, 0, 0, "again"))));
        Assert.Equal("Done", done.CurrentState);
    }

    [Fact]
    public async Task No_proposal_while_a_guarantee_gap_is_open_or_income_is_below_the_line()
    {
        f.Clock.SetToday(Monday);
        var gap = await f.WarnAsync([RiskType.DrinkingWater]);
        var low = await f.WarnAsync([RiskType.DrinkingWater]);
        f.Incomes.Summaries[gap] = new IncomeSummary(800_000, 650_000, HasGuaranteeGap: true, new DateOnly(2024, 1, 1));
        f.Incomes.Summaries[low] = new IncomeSummary(600_000, 650_000, HasGuaranteeGap: false, new DateOnly(2024, 1, 1));
        foreach (var household in new[] { gap, low })
        {
            var task = (await Confirm(County, household, 0, M("water.repair"))).Plan.Tasks.Single();
            var result = await f.Run<CompleteTask, CompleteTaskResult>(u => u.HandleAsync(Department("water"), new CompleteTaskRequest(task.Id, 0, 0, "repair-log")));
            Assert.False(result.EliminationProposed);
            Assert.Equal(0, await f.CountAsync("SELECT count(*) FROM outbox_message WHERE destination = 0 AND (payload::jsonb->>'householdId')::uuid = @h AND event_type = 'FanPin.IntegrationEvents.RiskEliminationProposed'", ("h", household)));
        }
    }

    [Fact]
    public async Task Coverage_counts_households_and_persons_per_measure_type()
    {
        f.Clock.SetToday(Monday);
        const string village = "620102003001";
        var a = await f.WarnAsync([RiskType.Schooling], persons: 3, village: village);
        var b = await f.WarnAsync([RiskType.Schooling], persons: 5, village: village);
        await Confirm(County, a, 0, M("education.study-loan"), M("education.fee-waiver"));
        var bPlan = (await Confirm(County, b, 0, M("education.study-loan"), M("education.fee-waiver"))).Plan;
        await f.Run<CancelTask, TaskView>(u => u.HandleAsync(County, new CancelTaskRequest(bPlan.Tasks.Single(t => t.MeasureCode == "education.fee-waiver").Id, "covered by the county scheme")));

        var rows = await f.Run<CountCoverage, IReadOnlyList<MeasureCoverage>>(u => u.HandleAsync(County, new CountCoverageRequest(RegionPrefix.Parse("620102003"))));
        Assert.Equal(new MeasureCoverage("education.fee-waiver", "学费减免 Fee waiver", 1, 3), rows.Single(r => r.MeasureCode == "education.fee-waiver"));
        Assert.Equal((2, 8), rows.Where(r => r.MeasureCode == "education.study-loan").Select(r => (r.Households, r.Persons)).Single());
        await Assert.ThrowsAsync<AccessDeniedException>(() => f.Run<CountCoverage, IReadOnlyList<MeasureCoverage>>(u => u.HandleAsync(ForeignCounty, new CountCoverageRequest(RegionPrefix.Parse("620102")))));
    }

    [Fact]
    public async Task The_catalogue_is_versioned_and_only_province_admins_edit_it()
    {
        var before = await f.Run<ListMeasureTypes, IReadOnlyList<MeasureType>>(u => u.HandleAsync(County, new ListMeasureTypesRequest(null)));
        Assert.Equal(DefaultCatalogue.Measures.Count, before.Count);
        Assert.Equal(Enum.GetValues<MeasureCategory>().Length, before.Select(m => m.Category).Distinct().Count());

        await Assert.ThrowsAsync<AccessDeniedException>(() => f.Run<UpsertMeasureType, MeasureType>(u => u.HandleAsync(County,
            new UpsertMeasureTypeRequest("water.tank", "水窖 Water tank", MeasureCategory.Water, "water", [RiskType.DrinkingWater], false, 20, true))));
        var added = await f.Run<UpsertMeasureType, MeasureType>(u => u.HandleAsync(Province,
            new UpsertMeasureTypeRequest("water.tank", "水窖 Water tank", MeasureCategory.Water, "water", [RiskType.DrinkingWater], false, 20, true)));
        Assert.Equal(1, added.Version);
        var changed = await f.Run<UpsertMeasureType, MeasureType>(u => u.HandleAsync(Province,
            new UpsertMeasureTypeRequest("water.tank", "水窖 Water tank", MeasureCategory.Water, "water", [RiskType.DrinkingWater, RiskType.Disaster], false, 25, true)));
        Assert.Equal(2, changed.Version);
        Assert.Equal(2, await f.CountAsync("SELECT count(*) FROM measure_types WHERE code = 'water.tank'"));
        Assert.Equal(2, await f.CountAsync("SELECT version FROM measure_types WHERE code = 'water.tank' AND is_current"));
        var invalid = await Assert.ThrowsAsync<ValidationFailedException>(() => f.Run<UpsertMeasureType, MeasureType>(u => u.HandleAsync(Province,
            new UpsertMeasureTypeRequest("Bad Code", "", null, "", [], false, 0, true))));
        Assert.Equal(6, invalid.Violations.Count);

        f.Clock.SetToday(Monday);
        var household = await f.WarnAsync([RiskType.DrinkingWater]);
        var task = (await Confirm(Township, household, 0, M("water.tank"))).Plan.Tasks.Single();
        Assert.Equal(2, task.MeasureVersion);
        Assert.Equal(DefaultPolicy.Policy.WorkingDays.AddWorkingDays(Monday, 25), task.DueOn);
    }

    [Fact]
    public async Task Insurance_payout_uses_the_policy_in_force_for_the_region()
    {
        var b = await f.Run<CalculateInsurancePayout, InsurancePayoutBreakdown>(u => u.HandleAsync(Township, new CalculateInsurancePayoutRequest(Village, 500_000, 4, null)));
        Assert.Equal(860_000, b.TotalFen);
        var bad = await Assert.ThrowsAsync<ValidationFailedException>(() => f.Run<CalculateInsurancePayout, InsurancePayoutBreakdown>(u =>
            u.HandleAsync(Township, new CalculateInsurancePayoutRequest(Village, -1, 0, null))));
        Assert.Equal(["per_capita_income_fen", "persons"], bad.Violations.Select(v => v.Field));
    }
}

/// <summary>Warnings as the grading events deliver them.</summary>
public sealed class WarningTests(AssistanceFixture f) : IClassFixture<AssistanceFixture>
{
    [Fact]
    public async Task A_clearing_that_overtakes_its_warnings_raising_stands_and_the_late_raising_changes_nothing()
    {
        // Grading: raise W0 (5), clear W0 (6), raise W (7), clear W (8). The queues deliver W's clearing first.
        var household = Guid.NewGuid();
        var region = RegionCode.Parse(AssistanceFixture.Village);
        var (w0, w) = (Guid.NewGuid(), Guid.NewGuid());
        WarningInput Input(Guid id) => new(id, household, region, WarningGrade.Two, [RiskType.Illness], [LabourAbility.Full], HouseholdCategory.Ordinary);
        await f.Run<RecordWarning, IReadOnlyList<Recommendation>>(u => u.StoreAsync(Input(w0), default, 5));

        Assert.True(await f.Run<ClearWarning, bool>(u => u.HandleAsync(household, AssistanceFixture.Village, w, 8, WarningGrade.One)));
        await f.Run<RecordWarning, IReadOnlyList<Recommendation>>(u => u.StoreAsync(Input(w), default, 7));
        Assert.False(await f.Run<ClearWarning, bool>(u => u.HandleAsync(household, AssistanceFixture.Village, w0, 6, WarningGrade.Two)));

        Assert.Equal(1, await f.CountAsync("SELECT count(*) FROM household_warnings WHERE household_id = @h AND warning_id = @w AND cleared_at IS NOT NULL AND sequence = 8 AND grade = 'One'",
            ("h", household), ("w", w)));
        // A household whose first event is a clearing: the cleared warning is stored, and its late raising changes nothing.
        var first = Guid.NewGuid();
        Assert.True(await f.Run<ClearWarning, bool>(u => u.HandleAsync(first, AssistanceFixture.Village, w, 4, WarningGrade.Three)));
        await f.Run<RecordWarning, IReadOnlyList<Recommendation>>(u => u.StoreAsync(Input(w) with { HouseholdId = first }, default, 3));
        Assert.Equal(1, await f.CountAsync("SELECT count(*) FROM household_warnings WHERE household_id = @h AND warning_id = @w AND cleared_at IS NOT NULL AND sequence = 4",
            ("h", first), ("w", w)));
        await Assert.ThrowsAsync<PreconditionFailedException>(() => f.Run<GetRecommendations, IReadOnlyList<Recommendation>>(u =>
            u.HandleAsync(Township, new GetRecommendationsRequest(first))));
    }

    [Fact]
    public async Task The_clearing_of_a_previous_warning_applied_at_the_same_time_as_the_next_warning_never_clears_the_next()
    {
        // Grading's events reach assistance on three queues consumed concurrently: the clearing of a household's
        // previous warning (sequence 8) and the raising of its next one (sequence 10) may be applied at once. In either
        // order the next warning must stay open; without serialising the two, the later commit kept the clearing's
        // columns over the new warning (found by the 1,000,000-row fault test).
        var region = RegionCode.Parse(AssistanceFixture.Village);
        var households = Enumerable.Range(0, 80).Select(_ => Guid.NewGuid()).ToList();
        var previous = households.ToDictionary(h => h, _ => Guid.NewGuid());
        var next = households.ToDictionary(h => h, _ => Guid.NewGuid());
        WarningInput Input(Guid household, Guid id) => new(id, household, region, WarningGrade.Two, [RiskType.Illness], [LabourAbility.Full], HouseholdCategory.Ordinary);
        foreach (var h in households)
        {
            await f.Run<RecordWarning, IReadOnlyList<Recommendation>>(u => u.StoreAsync(Input(h, previous[h]), default, 5));
        }

        await Task.WhenAll(households.SelectMany(h => new Task[]
        {
            Task.Run(() => f.Run<ClearWarning, bool>(u => u.HandleAsync(h, AssistanceFixture.Village, previous[h], 8, WarningGrade.Two))),
            Task.Run(() => f.Run<RecordWarning, IReadOnlyList<Recommendation>>(u => u.StoreAsync(Input(h, next[h]), default, 10))),
        }));

        foreach (var h in households)
        {
            Assert.Equal(1, await f.CountAsync("SELECT count(*) FROM household_warnings WHERE household_id = @h AND warning_id = @w AND cleared_at IS NULL AND sequence = 10",
                ("h", h), ("w", next[h])));
        }
    }

    [Fact]
    public async Task A_regrade_replaces_the_warning_a_redelivery_changes_nothing_and_villages_cannot_plan()
    {
        var household = Guid.NewGuid();
        var warningId = Guid.NewGuid();
        WarningInput Input(RiskType[] risks, WarningGrade grade) =>
            new(warningId, household, RegionCode.Parse(AssistanceFixture.Village), grade, risks, [LabourAbility.Full, LabourAbility.None], HouseholdCategory.Ordinary);

        f.Clock.SetToday(new DateOnly(2025, 4, 1));
        await f.Run<RecordWarning, IReadOnlyList<Recommendation>>(u => u.StoreAsync(Input([RiskType.Schooling], WarningGrade.Three)));
        f.Clock.SetToday(new DateOnly(2025, 4, 2));
        await f.Run<RecordWarning, IReadOnlyList<Recommendation>>(u => u.StoreAsync(Input([RiskType.Schooling], WarningGrade.Three)));
        Assert.Equal(1, await f.CountAsync("SELECT count(*) FROM household_warnings WHERE household_id = @h AND received_at < '2025-04-01T12:00:00Z'", ("h", household)));

        var regraded = await f.Run<RecordWarning, IReadOnlyList<Recommendation>>(u => u.StoreAsync(Input([RiskType.Illness], WarningGrade.One)));
        Assert.Contains(regraded, r => r.Measure.Code == "medical.assistance");
        Assert.DoesNotContain(regraded, r => r.Measure.Code == "education.student-aid");
        Assert.Equal(1, await f.CountAsync("SELECT count(*) FROM household_warnings WHERE household_id = @h AND grade = 'One' AND risk_types = '1'", ("h", household)));

        var village = new Caller("cadre", CallerRole.Village, RegionPrefix.Parse(AssistanceFixture.Village), null);
        await Assert.ThrowsAsync<AccessDeniedException>(() => f.Run<ConfirmPlan, PlanView>(u =>
            u.HandleAsync(village, new ConfirmPlanRequest(household, [new PlannedMeasureInput("medical.assistance", null, 0, null)], 0))));
        await Assert.ThrowsAsync<ValidationFailedException>(() => f.Run<RecordWarning, IReadOnlyList<Recommendation>>(u =>
            u.StoreAsync(Input([RiskType.Illness], WarningGrade.One) with { MemberLabour = [] })));
    }

    [Fact]
    public async Task Only_the_current_warning_is_cleared_and_a_stale_event_never_overwrites_a_newer_one()
    {
        f.Clock.SetToday(new DateOnly(2025, 3, 3));
        var household = Guid.NewGuid();
        var region = RegionCode.Parse(Village);
        WarningInput Warning(Guid id, RiskType risk) => new(id, household, region, WarningGrade.Two, [risk], [LabourAbility.Full], HouseholdCategory.Ordinary);
        var (older, current) = (Guid.NewGuid(), Guid.NewGuid());
        await f.Run<RecordWarning, IReadOnlyList<Recommendation>>(u => u.StoreAsync(Warning(older, RiskType.Illness), default, 5));
        await f.Run<RecordWarning, IReadOnlyList<Recommendation>>(u => u.StoreAsync(Warning(current, RiskType.Schooling), default, 7));
        // A late event of sequence 6 changes nothing.
        await f.Run<RecordWarning, IReadOnlyList<Recommendation>>(u => u.StoreAsync(Warning(older, RiskType.Disaster), default, 6));
        Assert.Equal(1, await f.CountAsync("SELECT count(*) FROM household_warnings WHERE household_id = @h AND warning_id = @w AND risk_types = '3' AND sequence = 7", ("h", household), ("w", current)));
        // Sequences are per province: after a move to another province a lower number is still the later event.
        var moved = Guid.NewGuid();
        await f.Run<RecordWarning, IReadOnlyList<Recommendation>>(u => u.StoreAsync(Warning(older, RiskType.Illness) with { HouseholdId = moved }, default, 900));
        await f.Run<RecordWarning, IReadOnlyList<Recommendation>>(u => u.StoreAsync(new WarningInput(current, moved, RegionCode.Parse("630102001001"), WarningGrade.One, [RiskType.Disaster], [LabourAbility.Full], HouseholdCategory.Ordinary), default, 3));
        Assert.Equal(1, await f.CountAsync("SELECT count(*) FROM household_warnings WHERE household_id = @h AND region_code = '630102001001' AND sequence = 3", ("h", moved)));

        Assert.False(await f.Run<ClearWarning, bool>(u => u.HandleAsync(household, Village, older, 6, WarningGrade.Two)));   // another warning, older than what is stored
        Assert.False(await f.Run<ClearWarning, bool>(u => u.HandleAsync(household, Village, current, 6, WarningGrade.Two))); // older than what is stored
        Assert.Contains(await f.Run<GetRecommendations, IReadOnlyList<Recommendation>>(u => u.HandleAsync(Township, new GetRecommendationsRequest(household))),
            r => r.Answers.Contains(RiskType.Schooling));

        Assert.True(await f.Run<ClearWarning, bool>(u => u.HandleAsync(household, Village, current, 8, WarningGrade.Two)));
        Assert.False(await f.Run<ClearWarning, bool>(u => u.HandleAsync(household, Village, current, 8, WarningGrade.Two))); // already cleared
        var before = await f.SnapshotAsync();
        var refused = await Assert.ThrowsAsync<PreconditionFailedException>(() => f.Run<GetRecommendations, IReadOnlyList<Recommendation>>(u => u.HandleAsync(Township, new GetRecommendationsRequest(household))));
        Assert.Equal("WarningCleared", refused.CurrentState);
        await Assert.ThrowsAsync<PreconditionFailedException>(() => f.Run<ConfirmPlan, PlanView>(u => u.HandleAsync(Township, new ConfirmPlanRequest(household, [new PlannedMeasureInput("education.student-aid", null, 0, null)], 0))));
        Assert.Equal(before, await f.SnapshotAsync());
    }
}
