using System.Globalization;
using FanPin.Contracts.Monitoring.V1;
using FanPin.EndToEnd.Tests.Harness;
using FanPin.ServiceDefaults.Authentication;
using Xunit.Abstractions;
using Grading = FanPin.Contracts.Grading.V1;
using Registry = FanPin.Contracts.Registry.V1;

namespace FanPin.EndToEnd.Tests;

/// <summary>
/// DOMAIN.md §4 and §7, policies as data: the province raises its monitoring line from 6,500 to 7,000 CNY (and the
/// poverty line it is 1.5× of, so grade I's "income below about 1.5× the poverty line" moves with it) by publishing a
/// policy version effective today. Grading re-grades the province in bulk at once, and announces exactly the
/// households whose grade changed — no more, no fewer — on the warning stream and the exchange.
/// </summary>
[Collection(StackCollection.Name)]
public class MonitoringLineRaiseScenario(Stack stack, ITestOutputHelper log)
{
    private const string Village = "620122105001";   // 水阜镇第1村

    [Fact]
    public async Task Raising_the_monitoring_line_regrades_in_bulk_and_announces_exactly_the_changed_households()
    {
        await using var villageQueue = await Subscriber.PublicAsync(stack.Messaging, "warning.*.62.01.22.105.001");
        await using var watch = new WarningWatch(stack.Province, Village);

        // Four farmers living alone, per-capita income over the last twelve months:
        //   just under the line (6,499.80), able to work      → no grade today (6,499.80 ≥ 1.5 × 4,333); I under 7,000
        //   just under the line (6,499.80), partly able       → III today (partial labour);              I under 7,000
        //   well under the line (6,000.00), able to work      → I today and after (no event)
        //   above both lines (9,000.00)                       → nothing to grade (no event)
        var justUnder = await RegisterAsync("杨得福", Registry.LabourAbility.Full, 649_980);
        var justUnderPartial = await RegisterAsync("杨得禄", Registry.LabourAbility.Partial, 649_980);
        var wellUnder = await RegisterAsync("杨得寿", Registry.LabourAbility.Full, 600_000);
        var above = await RegisterAsync("杨得喜", Registry.LabourAbility.Full, 900_000);
        var households = new[] { justUnder, justUnderPartial, wellUnder, above };

        await Steps.SignalAsync(stack, justUnder, "IncomeBelowLine");
        const string GradingWiring = "monitoring → grading: RiskSignalsDetected consumed by grading (branches `monitoring`, `grading`)";
        await Steps.GradeAsync(stack, justUnderPartial, Grading.WarningGrade.Three, GradingWiring);
        await Steps.GradeAsync(stack, wellUnder, Grading.WarningGrade.One, GradingWiring);
        await Eventually.That("WatchWarnings shows the village's two warnings raised before the change", "grading's warning log",
            () => Task.FromResult((watch.Entries.Count(e => e.EventType == Grading.WarningEventType.Raised) >= 2, watch.Error ?? $"{watch.Entries.Count} entries")));

        // The province's new version, effective today.
        var today = Households.ChinaToday.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var document = $"""
            base: default
            province: "62"
            version: 1
            effective_from: {today}
            title: "Gansu raises its monitoring line to 7,000 CNY (e2e)"
            monitoring:
              monitoring_line_fen: 700_000
              poverty_line_fen: 466_700
            """;

        // First what the new version would do (what-if). Grading's facts are complete once the what-if sees both of
        // the village's households that change (the first one has no grade to wait for).
        var whatIf = await Eventually.Until("grading's what-if sees the two households the raise changes",
            "monitoring → grading: the signals of every household reached grading (branches `monitoring`, `grading`)",
            async () =>
            {
                var reply = await stack.Province.Policies.EvaluateDraftPolicyAsync(new Grading.EvaluateDraftPolicyRequest { Document = document });
                var county = reply.Counties.SingleOrDefault(c => c.CountyCode == Stack.County);
                return (county?.Changed >= 2 ? reply : null, $"{county?.Changed ?? 0} changes predicted in {Stack.County}");
            });

        // Before: grades of the village's households and of the whole county (the query the counts are checked with).
        var before = await GradesAsync(households);
        Assert.Equal(["none", "III", "I", "none"], households.Select(h => Steps.Name(before[h])));
        var countyBefore = await CountyGradesAsync();
        var countsBefore = await stack.Province.Warnings.GetGradeCountsAsync(new Grading.GetGradeCountsRequest { RegionPrefix = Village });
        Assert.Equal((1L, 0L, 1L), (countsBefore.GradeOne, countsBefore.GradeTwo, countsBefore.GradeThree));
        var lastSequenceBefore = watch.Entries.Max(e => e.Sequence);
        var eventsBefore = villageQueue.Messages.Select(m => m.MessageId).ToHashSet();

        var published = await Eventually.Step("grading PublishPolicy", async () => await stack.Province.Policies.PublishPolicyAsync(new Grading.PublishPolicyRequest { Document = document }));
        Assert.Equal(("62", 1, today), (published.Province, published.Version, published.RegradeOn));

        // The bulk re-grade runs at once for a version effective today.
        var regraded = await Steps.GradeAsync(stack, justUnder, Grading.WarningGrade.One, "grading's re-grade service (woken by the publication)");
        Assert.Equal(Grading.GradeCause.PolicyChange, regraded.Changes.First().Cause);
        Assert.Equal("grade-one.income-below-poverty-line-factor", regraded.Changes.First().Reason.RuleId);
        Assert.Equal(1, regraded.Changes.First().Reason.PolicyVersion);
        await Steps.GradeAsync(stack, justUnderPartial, Grading.WarningGrade.One, "grading's re-grade service");

        // After: exactly the first two changed in the village; the county's changes are what the what-if predicted.
        var after = await GradesAsync(households);
        var changed = households.Where(h => before[h] != after[h]).ToHashSet();
        Assert.Equal(new HashSet<string> { justUnder, justUnderPartial }, changed);
        var countyAfter = await CountyGradesAsync();
        await Eventually.That("the dashboard counts (GetGradeCounts) follow the re-grade", "grading's Redis projection after commit",
            async () =>
            {
                var counts = await stack.Province.Warnings.GetGradeCountsAsync(new Grading.GetGradeCountsRequest { RegionPrefix = Village });
                return ((counts.GradeOne, counts.GradeTwo, counts.GradeThree) == (3L, 0L, 0L), $"I {counts.GradeOne}, II {counts.GradeTwo}, III {counts.GradeThree} ({counts.Source})");
            });
        var countyChanged = countyBefore.Keys.Union(countyAfter.Keys).Count(h => countyBefore.GetValueOrDefault(h) != countyAfter.GetValueOrDefault(h));
        var predicted = whatIf.Counties.SingleOrDefault(c => c.CountyCode == Stack.County)?.Changed ?? 0;
        Assert.True(predicted == countyChanged, $"what-if predicted {predicted} changes in {Stack.County}, the query before/after counts {countyChanged}");

        // Events: one per changed household, none for the others, on the watch and on the exchange alike.
        await Eventually.That("WatchWarnings delivers the re-grade's events", "grading's warning log",
            () => Task.FromResult((watch.Entries.Count(e => e.Sequence > lastSequenceBefore) >= changed.Count, $"{watch.Entries.Count(e => e.Sequence > lastSequenceBefore)} new entries")));
        await Task.Delay(TimeSpan.FromSeconds(3)); // anything extra would arrive now
        var newEntries = watch.Entries.Where(e => e.Sequence > lastSequenceBefore).ToList();
        Assert.Equal(changed.Order(), newEntries.Select(e => e.HouseholdId).Order());
        var raised = newEntries.Single(e => e.HouseholdId == justUnder);
        Assert.Equal((Grading.WarningEventType.Raised, Grading.WarningGrade.One), (raised.EventType, raised.Grade));
        var upgraded = newEntries.Single(e => e.HouseholdId == justUnderPartial);
        Assert.Equal((Grading.WarningEventType.GradeChanged, Grading.WarningGrade.Three, Grading.WarningGrade.One), (upgraded.EventType, upgraded.PreviousGrade, upgraded.Grade));

        await Eventually.That("the re-grade's events arrive on the exchange fanpin.events",
            "grading publishes warning events through its outbox, COPY-staged on the bulk path (branch `grading`)",
            () => Task.FromResult((villageQueue.Messages.Count(m => !eventsBefore.Contains(m.MessageId)) >= changed.Count, $"{villageQueue.Messages.Count} messages")));
        await Task.Delay(TimeSpan.FromSeconds(2));
        var published2 = villageQueue.Messages.Where(m => !eventsBefore.Contains(m.MessageId)).ToList();
        Assert.Equal(newEntries.Select(e => e.EventId).Order(), published2.Select(m => m.MessageId!).Order());
        Assert.Equal("cn.fanpin.warning.grade-changed.v1", published2.Single(m => m.Body.GetProperty("subject").GetString() == justUnderPartial).Type);
        Assert.Equal("cn.fanpin.warning.raised.v1", published2.Single(m => m.Body.GetProperty("subject").GetString() == justUnder).Type);
        log.WriteLine($"what-if: {whatIf.Changed} of {whatIf.Households} households change in the province; county {Stack.County}: {countyChanged}");
    }

    private async Task<string> RegisterAsync(string name, Registry.LabourAbility labour, long yearlyIncomeFen)
    {
        var household = await Steps.RegisterAsync(stack, Households.In(Village, Registry.HouseholdCategory.Ordinary, Households.Member(name, Registry.Relation.Head, labour)));
        await Steps.KnownToMonitoringAsync(stack, household);
        var cadre = stack.As(stack.Token(CallerRole.Village, Village));
        await Eventually.Step("monitoring RecordIncome", async () => await cadre.Records.RecordIncomeAsync(new RecordIncomeRequest
        {
            HouseholdId = household, Category = RecordCategory.Wage, Month = Households.Month(-1), AmountFen = yearlyIncomeFen, Source = RecordSource.Cadre, Reference = "务工收入(全年)",
        }));
        return household;
    }

    private async Task<Dictionary<string, Grading.WarningGrade>> GradesAsync(IEnumerable<string> households)
    {
        var grades = new Dictionary<string, Grading.WarningGrade>();
        foreach (var household in households)
        {
            grades[household] = await Steps.CurrentGradeAsync(stack, household);
        }
        return grades;
    }

    private async Task<Dictionary<string, Grading.WarningGrade>> CountyGradesAsync()
    {
        var grades = new Dictionary<string, Grading.WarningGrade>();
        var token = "";
        do
        {
            var page = await stack.Province.Warnings.ListWarningsAsync(new Grading.ListWarningsRequest { RegionPrefix = Stack.County, PageSize = 500, PageToken = token });
            foreach (var warning in page.Warnings)
            {
                grades[warning.HouseholdId] = warning.Grade;
            }
            token = page.NextPageToken;
        }
        while (token.Length > 0);
        return grades;
    }
}
