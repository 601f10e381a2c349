using FanPin.Contracts.Monitoring.V1;
using FanPin.EndToEnd.Tests.Harness;
using FanPin.ServiceDefaults.Authentication;
using Xunit.Abstractions;
using Assistance = FanPin.Contracts.Assistance.V1;
using Grading = FanPin.Contracts.Grading.V1;
using Notification = FanPin.Contracts.Notification.V1;
using Registry = FanPin.Contracts.Registry.V1;

namespace FanPin.EndToEnd.Tests;

/// <summary>
/// The whole life of a monitored household (DOMAIN.md §5–§9): the farmer applies; the township verifies and
/// appraises; the county compares and enters it; the cadre records its income; grading raises a grade I warning;
/// the county acknowledges and dispatches; assistance recommends measures and the township confirms a plan whose
/// tasks go to departments and the township (who are notified); the tasks are done, income rises above the line;
/// assistance proposes closing; the registry runs the exit; the risk is eliminated and the warning cleared.
/// </summary>
[Collection(StackCollection.Name)]
public class FullFlowScenario(Stack stack, ITestOutputHelper log)
{
    private const string Village = "620122106001";   // 黑石镇第1村
    private static readonly string Township = Village[..9];

    [Fact]
    public async Task A_farmer_applies_is_entered_graded_helped_and_the_risk_is_eliminated()
    {
        await using var householdEvents = await Subscriber.PublicAsync(stack.Messaging, "household.*.62.01.22.106.001");
        var village = stack.As(stack.Token(CallerRole.Village, Village));
        var township = stack.As(stack.Token(CallerRole.Township, Township));
        var county = stack.CountyOffice;
        var today = Households.Date(Households.ChinaToday);

        // 1. Registered: a migrant worker, his chronically ill wife and their schoolboy.
        var household = await Steps.RegisterAsync(stack, Households.In(Village, Registry.HouseholdCategory.Ordinary,
            Households.Member("陈永福", Registry.Relation.Head, Registry.LabourAbility.Full, birthYear: 1978),
            Households.Member("刘玉梅", Registry.Relation.Spouse, Registry.LabourAbility.Partial, Registry.HealthCondition.Chronic, 1980),
            Households.Member("陈浩", Registry.Relation.Child, Registry.LabourAbility.None, birthYear: 2013, schooling: Registry.SchoolingStage.Compulsory)));
        await Steps.KnownToMonitoringAsync(stack, household);

        // 2. The farmer applies (through the village cadre): 核实—评议—比对—(公示)—录入.
        var caseId = (await Eventually.Step("registry OpenIdentificationCase (self application)", async () => await village.Identification.OpenIdentificationCaseAsync(new Registry.OpenIdentificationCaseRequest
        {
            HouseholdId = household, Source = Registry.CaseSource.SelfApplication, Summary = "农户自主申请: 务工不稳定, 妻子慢性病医疗支出大",
        }))).IdentificationCase.Id;
        await Eventually.Step("registry RecordHomeVerification", async () => await township.Identification.RecordHomeVerificationAsync(new Registry.RecordHomeVerificationRequest
        {
            CaseId = caseId, VerifiedOn = today, MeetsStandard = true, PerCapitaIncomeFen = 300_000, Notes = "入户核实: 人均纯收入约 3,000 元",
        }));
        await Eventually.Step("registry RecordDemocraticAppraisal", async () => await township.Identification.RecordDemocraticAppraisalAsync(new Registry.RecordDemocraticAppraisalRequest
        {
            CaseId = caseId, MeetingOn = today, Result = Registry.AppraisalResult.Approved, MinutesReference = "黑石镇第1村 村民代表会议记录", AssetCheckAuthorised = true,
        }));
        var facts = (await county.Signals.ListExclusionFactsAsync(new ListExclusionFactsRequest { HouseholdId = household })).Facts;
        Assert.Empty(facts);
        var compared = (await Eventually.Step("registry RecordDataComparison (nothing found)", async () => await county.Identification.RecordDataComparisonAsync(new Registry.RecordDataComparisonRequest
        {
            CaseId = caseId, ComparedOn = today,
        }))).IdentificationCase;
        // This deployment's province runs identification without a village notice (Policies/registry); with one,
        // entry would wait five days.
        Assert.Equal(Registry.IdentificationState.AwaitingEntry, compared.State);
        var entry = new Registry.EnterMonitoredHouseholdRequest
        {
            CaseId = caseId, MonitoringType = Registry.MonitoringType.MarginalAtRisk,
            RiskTypes = { Registry.RiskType.Illness, Registry.RiskType.UnstableEmployment },
            Helper = new Registry.ResponsibleHelperInput { Name = "周志强", Phone = "13909310001", Organisation = "皋兰县农业农村局" },
        };
        var entered = (await Eventually.Step("registry EnterMonitoredHousehold", async () => await county.Identification.EnterMonitoredHouseholdAsync(entry))).IdentificationCase;
        Assert.Equal(Registry.IdentificationState.Entered, entered.State);
        var monitored = (await county.Households.GetHouseholdAsync(new Registry.GetHouseholdRequest { HouseholdId = household })).Household;
        Assert.Equal((Registry.MonitoringStatus.Monitored, "周志强"), (monitored.Status, monitored.Helper.Name));
        await Eventually.That("household.identified reaches the public exchange", "registry outbox → fanpin.events (main)",
            () => Task.FromResult((householdEvents.Messages.Any(m => m.Type == "cn.fanpin.household.identified.v1" && m.Body.GetProperty("subject").GetString() == household), $"{householdEvents.Messages.Count} messages")));

        // 3. The cadre records the last year's income: 9,000 CNY for three persons, far under the line.
        await Eventually.Step("monitoring RecordIncome", async () => await village.Records.RecordIncomeAsync(new RecordIncomeRequest
        {
            HouseholdId = household, Category = RecordCategory.Wage, Month = Households.Month(-1), AmountFen = 900_000, Source = RecordSource.Cadre, Reference = "务工收入(全年)",
        }));
        await Steps.SignalAsync(stack, household, "IncomeBelowLine");

        // 4. Grade I, and the county's dispatch centre takes it.
        var graded = await Steps.GradeAsync(stack, household, Grading.WarningGrade.One,
            "monitoring → grading and registry → grading consumers (branches `monitoring`, `grading`)");
        var warningId = graded.OpenWarningId;
        await Eventually.That("the township office is told of the grade I warning (its own inbox)",
            "grading → notification: WarningRaised consumed by notification (branch `notification`)",
            async () =>
            {
                var inbox = await township.Notifications.ListNotificationsAsync(new Notification.ListNotificationsRequest { Limit = 500 });
                return (inbox.Notifications.Any(n => n.EventType == "WarningRaised" && n.HouseholdId == household && n.Grade == "I"), $"{inbox.Notifications.Count} notifications");
            });
        await Eventually.Step("grading AcknowledgeWarning", async () => await county.Warnings.AcknowledgeWarningAsync(new Grading.AcknowledgeWarningRequest { WarningId = warningId, Note = "调度中心已接收" }));

        // 5. Assistance recommends measures for illness and unstable employment; the township confirms a plan.
        var recommendations = await Eventually.Until("assistance recommends measures from the warning",
            "grading → assistance: assistance consumes WarningRaised (branches `grading`, `assistance`)",
            async () =>
            {
                var reply = await township.Assistance.GetRecommendationsAsync(new Assistance.GetRecommendationsRequest { HouseholdId = household });
                return (reply.Recommendations.Count > 0 ? reply : null, "no recommendation");
            });
        // 缺什么补什么: one measure for the illness, one for the unstable employment.
        var forIllness = recommendations.Recommendations.FirstOrDefault(r => r.MeasureType.Category == Assistance.MeasureCategory.Medical && r.Answers.Contains(Assistance.RiskType.Illness));
        var forEmployment = recommendations.Recommendations.FirstOrDefault(r => r.MeasureType.Category == Assistance.MeasureCategory.Employment && r.Answers.Contains(Assistance.RiskType.UnstableEmployment));
        Assert.True(forIllness is not null && forEmployment is not null,
            "recommendations do not answer both risk types: " + string.Join(", ", recommendations.Recommendations.Select(r => $"{r.MeasureType.Code} ({string.Join("/", r.Answers)})")));
        var chosen = new[] { forIllness, forEmployment };
        var confirm = new Assistance.ConfirmPlanRequest { HouseholdId = household, ExpectedVersion = 0 };
        confirm.Measures.Add(chosen.Select(r => new Assistance.PlannedMeasure { MeasureCode = r.MeasureType.Code, AmountFen = 200_000, Note = "一户一策" }));
        var plan = (await Eventually.Step("assistance ConfirmPlan", async () => await township.Assistance.ConfirmPlanAsync(confirm))).Plan;
        Assert.Equal(chosen.Length, plan.Tasks.Count);
        log.WriteLine("plan: " + string.Join("; ", plan.Tasks.Select(t => $"{t.MeasureCode} → {t.AssigneeKind} {t.Assignee} by {t.DueOn}")));

        // 6. The county hands the warning to the township and the tasks' departments; the township starts.
        var dispatch = new Grading.DispatchWarningRequest { WarningId = warningId, Note = "清单交办" };
        dispatch.Departments.Add(plan.Tasks.Where(t => t.AssigneeKind == Assistance.AssigneeKind.Department).Select(t => t.Assignee).Distinct());
        await Eventually.Step("grading DispatchWarning", async () => await county.Warnings.DispatchWarningAsync(dispatch));
        var started = (await Eventually.Step("grading StartAssistance", async () => await township.Warnings.StartAssistanceAsync(new Grading.StartAssistanceRequest { WarningId = warningId, Note = "帮扶措施已落实" }))).Warning;
        Assert.Equal(Grading.WarningStatus.InAssistance, started.Status);

        // 7. The assignees are told (notification service, TaskAssigned).
        await Eventually.That("the assignees are notified of their tasks",
            "assistance → notification: TaskAssigned through assistance's outbox, consumed by notification (branches `assistance`, `notification`)",
            async () =>
            {
                var inbox = await county.Notifications.ListNotificationsAsync(new Notification.ListNotificationsRequest { RegionPrefix = Village, Limit = 500 });
                var told = inbox.Notifications.Where(n => n.EventType == "TaskAssigned" && n.HouseholdId == household).ToList();
                return (told.Count >= plan.Tasks.Count, $"{told.Count} TaskAssigned notifications of {inbox.Notifications.Count}");
            });

        // 8. The tasks are carried out; a public-welfare job lifts the income above the line before the last one.
        for (var i = 0; i < plan.Tasks.Count; i++)
        {
            var task = plan.Tasks[i];
            var assignee = task.AssigneeKind == Assistance.AssigneeKind.Department
                ? stack.As(stack.Token(CallerRole.Department, Stack.County, task.Assignee))
                : stack.As(stack.Token(CallerRole.Township, task.Assignee));
            await Eventually.Step($"assistance StartTask {task.MeasureCode}", async () => await assignee.Assistance.StartTaskAsync(new Assistance.StartTaskRequest { TaskId = task.TaskId }));
            if (i == plan.Tasks.Count - 1)
            {
                await Eventually.Step("monitoring RecordIncome (the new job)", async () => await village.Records.RecordIncomeAsync(new RecordIncomeRequest
                {
                    HouseholdId = household, Category = RecordCategory.Wage, Month = Households.Month(-1), AmountFen = 2_100_000, Source = RecordSource.Cadre, Reference = "公益性岗位工资",
                }));
                var summary = (await county.Records.GetIncomeSummaryAsync(new GetIncomeSummaryRequest { HouseholdId = household })).Summary;
                Assert.True(summary.PerCapitaIncomeFen > summary.MonitoringLineFen, $"per-capita income {summary.PerCapitaIncomeFen} fen is not above the line {summary.MonitoringLineFen}");
            }
            var done = await Eventually.Step($"assistance CompleteTask {task.MeasureCode}", async () => await assignee.Assistance.CompleteTaskAsync(new Assistance.CompleteTaskRequest
            {
                TaskId = task.TaskId, AmountFen = 200_000, YearlyIncomeEffectFen = 1_000_000, EvidenceReference = $"E2E-{i + 1}",
            }));
            Assert.Equal(Assistance.TaskStatus.Done, done.Task.Status);
            if (i == plan.Tasks.Count - 1)
            {
                Assert.True(done.EliminationProposed, $"STEP FAILED: assistance proposes eliminating the risk after the last task: {done.EffectExplanation}");
            }
        }

        // 9. The registry opens the exit by itself; appraisal, township review, (no notice here), the county marks it.
        var closingId = await Eventually.Until("the registry opens a closing case from the proposal (GetHousehold names it)",
            "assistance → registry: RiskEliminationProposed through assistance's outbox, consumed by the registry",
            async () =>
            {
                var h = await county.Households.GetHouseholdAsync(new Registry.GetHouseholdRequest { HouseholdId = household });
                return (h.OpenClosingCaseId.Length > 0 ? h.OpenClosingCaseId : null, $"status {h.Household.Status}, open closing case '{h.OpenClosingCaseId}'");
            });
        var closing = (await county.Closing.GetClosingCaseAsync(new Registry.GetClosingCaseRequest { CaseId = closingId })).ClosingCase;
        Assert.Equal(Registry.ClosingSource.SystemProposal, closing.Source);
        await Eventually.Step("registry RecordClosingAppraisal", async () => await township.Closing.RecordClosingAppraisalAsync(new Registry.RecordClosingAppraisalRequest
        {
            CaseId = closingId, MeetingOn = today, Result = Registry.AppraisalResult.Approved, MinutesReference = "黑石镇第1村 退出评议",
        }));
        var reviewed = (await Eventually.Step("registry RecordTownshipReview", async () => await township.Closing.RecordTownshipReviewAsync(new Registry.RecordTownshipReviewRequest
        {
            CaseId = closingId, ReviewedOn = today, Result = Registry.AppraisalResult.Approved,
        }))).ClosingCase;
        Assert.Equal(Registry.ClosingState.AwaitingElimination, reviewed.State);
        var eliminated = (await Eventually.Step("registry EliminateRisk", async () => await county.Closing.EliminateRiskAsync(new Registry.EliminateRiskRequest { CaseId = closingId }))).ClosingCase;
        Assert.Equal(Registry.ClosingState.RiskEliminated, eliminated.State);
        var watched = (await county.Households.GetHouseholdAsync(new Registry.GetHouseholdRequest { HouseholdId = household })).Household;
        Assert.Equal(Registry.MonitoringStatus.RiskEliminated, watched.Status);

        // 10. Risk eliminated: public event; the warning is cleared, the household stays under watch.
        await Eventually.That("household.risk-eliminated reaches the public exchange", "registry outbox → fanpin.events (main)",
            () => Task.FromResult((householdEvents.Messages.Any(m => m.Type == "cn.fanpin.household.risk-eliminated.v1" && m.Body.GetProperty("subject").GetString() == household), $"{householdEvents.Messages.Count} messages")));
        var cleared = await Eventually.Until("grading clears the warning", "registry → grading: RiskEliminated/HouseholdChanged consumed by grading (branch `grading`)",
            async () =>
            {
                var w = (await county.Warnings.GetWarningAsync(new Grading.GetWarningRequest { WarningId = warningId })).Warning;
                return (w.Status == Grading.WarningStatus.Cleared ? w : null, $"warning {w.Status}, grade {Steps.Name(w.Grade)}");
            });
        Assert.Equal(Grading.WarningGrade.Unspecified, await Steps.CurrentGradeAsync(stack, household));
        log.WriteLine($"warning {warningId} cleared ({cleared.Reason.RuleId}); closing case {closingId}");
    }
}
