using FanPin.Grading.Application.Grading;
using FanPin.Grading.Domain;
using FanPin.Grading.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Grading.Tests;

/// <summary>
/// Monitoring's evaluations applied as a batch (what the RiskSignalsDetected consumer does): the same grades as one
/// by one, only the newest evaluation of a household, nothing older than what was applied, and nothing written
/// when one input of the batch is unreadable.
/// </summary>
public class SignalBatchTests(GradingHost host) : IClassFixture<GradingHost>
{
    private Task<int> ApplyBatch(params RiskSignalsReceived[] inputs) => host.Run<ApplyRiskSignals, int>(u => u.HandleBatchAsync(inputs));

    private RiskSignalsReceived At(RiskSignalsReceived signals, int minutes) => signals with { OccurredAt = host.Clock.GetUtcNow().AddMinutes(minutes) };

    [Fact]
    public async Task Only_the_newest_evaluation_of_a_household_in_a_batch_is_applied_without_intermediate_grades()
    {
        const string village = "620102003001";
        var staysThree = Guid.CreateVersion7();
        var becomesOne = Guid.CreateVersion7();
        foreach (var household in new[] { staysThree, becomesOne })
        {
            Assert.Equal(WarningGrade.Three, (await host.ApplyFacts(host.Facts(household, village, new LabourProfile(0, 1, 0, 2)))).Grade);
        }
        host.Clock.Advance(TimeSpan.FromMinutes(1));

        // Delivered out of order. One by one, staysThree would go III → I → III and becomesOne III → I (twice logged).
        var applied = await ApplyBatch(
            At(host.Signals(staysThree, village), 2),
            At(host.Signals(becomesOne, village, Signal.LowIncome(5800m)), 2),
            At(host.Signals(staysThree, village, Signal.LowIncome(5800m)), 1),
            At(host.Signals(becomesOne, village, Signal.Unstable), 1));

        Assert.Equal(2, applied);
        var facts = await host.Db(db => db.HouseholdFacts.AsNoTracking().Where(f => f.RegionCode == village).ToDictionaryAsync(f => f.HouseholdId));
        Assert.Equal((WarningGrade?)WarningGrade.Three, facts[staysThree].Grade);
        Assert.Empty(facts[staysThree].SignalCodes);
        Assert.Equal((WarningGrade?)WarningGrade.One, facts[becomesOne].Grade);
        Assert.Equal(["IncomeBelowLine"], facts[becomesOne].SignalCodes);
        var logged = await host.Db(db => db.WarningLog.AsNoTracking().Where(e => e.RegionCode == village).OrderBy(e => e.Sequence)
            .Select(e => new { e.HouseholdId, e.EventType }).ToListAsync());
        Assert.Equal([WarningLogEventType.Raised], logged.Where(e => e.HouseholdId == staysThree).Select(e => e.EventType));
        Assert.Equal([WarningLogEventType.Raised, WarningLogEventType.GradeChanged], logged.Where(e => e.HouseholdId == becomesOne).Select(e => e.EventType));
    }

    [Fact]
    public async Task A_batch_grades_as_applying_its_evaluations_one_by_one_does()
    {
        // The same 24 households twice, in two villages: one village's evaluations one by one, the other's as one batch.
        const string oneByOne = "620102004001", batched = "620102004002";
        ReceivedRiskSignal[][] variants =
        [
            [], [Signal.Unstable], [Signal.LowIncome(5800m)], [Signal.LowIncome(9000m)], [Signal.TransfersOnly], [Signal.LowIncome(5800m), Signal.Unstable],
        ];
        LabourProfile[] labours = [new(0, 1, 0, 2), new(0, 0, 0, 2), new(1, 0, 0, 1), new(0, 0, 1, 1)];
        var cases = variants.SelectMany(v => labours.Select(l => (Signals: v, Labour: l))).ToList();
        var batch = new List<RiskSignalsReceived>();
        var expected = new List<(WarningGrade? Grade, string? Rule)>();
        foreach (var (signals, labour) in cases)
        {
            var single = Guid.CreateVersion7();
            await host.ApplyFacts(host.Facts(single, oneByOne, labour, MonitoringStatus.NotMonitored, []));
            var result = await host.ApplySignals(host.Signals(single, oneByOne, signals));
            expected.Add((result.Grade, result.RuleId));
            var twin = Guid.CreateVersion7();
            await host.ApplyFacts(host.Facts(twin, batched, labour, MonitoringStatus.NotMonitored, []));
            batch.Add(host.Signals(twin, batched, signals));
        }

        Assert.Equal(cases.Count, await ApplyBatch([.. batch]));

        var graded = await host.Db(db => db.HouseholdFacts.AsNoTracking().Where(f => f.RegionCode == batched).ToDictionaryAsync(f => f.HouseholdId));
        Assert.Equal(expected, batch.Select(b => (graded[b.HouseholdId].Grade, graded[b.HouseholdId].GradeRuleId)));
        Assert.Contains(expected, e => e.Grade is not null);
        Assert.Contains(expected, e => e.Grade is null);
        var warnings = await host.Scalar<long>($"SELECT count(*) FROM warnings WHERE region_code = '{batched}' AND status <> {(int)WarningStatus.Cleared}");
        Assert.Equal(expected.Count(e => e.Grade is not null), warnings);
    }

    [Fact]
    public async Task An_evaluation_older_than_the_applied_one_changes_nothing()
    {
        const string village = "620102005001";
        var household = Guid.CreateVersion7();
        await host.ApplyFacts(host.Facts(household, village, new LabourProfile(0, 1, 0, 2)));
        await host.ApplySignals(At(host.Signals(household, village, Signal.LowIncome(5800m)), 10));

        Assert.Equal(0, await ApplyBatch(At(host.Signals(household, village), 5)));

        var facts = await host.Db(db => db.HouseholdFacts.AsNoTracking().SingleAsync(f => f.HouseholdId == household));
        Assert.Equal(WarningGrade.One, facts.Grade);
        Assert.Equal(["IncomeBelowLine"], facts.SignalCodes);
    }

    [Fact]
    public async Task One_unreadable_evaluation_refuses_the_batch_and_nothing_is_written()
    {
        const string village = "620102006001";
        var households = Enumerable.Range(0, 3).Select(_ => Guid.CreateVersion7()).ToList();
        var bad = new ReceivedRiskSignal("TransferIncomeOnly", new Dictionary<string, decimal> { ["transferIncomeShare"] = 1.5m }, new Dictionary<string, decimal>());

        var error = await Assert.ThrowsAsync<ValidationFailedException>(() => ApplyBatch(
            host.Signals(households[0], village, Signal.LowIncome(5800m)),
            host.Signals(households[1], village, bad),
            host.Signals(households[2], village, Signal.Unstable)));

        Assert.Contains("signals[0].inputs.transferIncomeShare", error.Message, StringComparison.Ordinal);
        Assert.Equal(0L, await host.Scalar<long>($"SELECT count(*) FROM household_facts WHERE region_code = '{village}'"));
        Assert.Equal(0L, await host.Scalar<long>($"SELECT count(*) FROM warning_log WHERE region_code = '{village}'"));
    }
}
