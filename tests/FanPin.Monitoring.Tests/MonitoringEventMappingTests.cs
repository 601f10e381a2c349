using FanPin.Monitoring.Domain;
using FanPin.Monitoring.Infrastructure;
using FanPin.Policies;
using D = FanPin.Monitoring.Domain.Events;
using I = FanPin.IntegrationEvents;

namespace FanPin.Monitoring.Tests;

/// <summary>Domain events as the integration events others read: every field carried, grading's measurements added.</summary>
public class MonitoringEventMappingTests
{
    private static readonly YearMonth Reference = YearMonth.Parse("2026-10");

    private static HouseholdEvaluation Evaluate(long medicalFen)
    {
        var ledger = MonthlyLedger.Empty;
        foreach (var month in MonthWindows.Income(DefaultPolicy.Policy.Monitoring, Reference).Months())
        {
            ledger.Add(RecordCategory.Wage, month, 75_000);        // 9,000 CNY a year
            ledger.Add(RecordCategory.TransferNet, month, 25_000); // and 3,000 of transfers: 6,000 each for two, under the 6,500 line
        }
        ledger.Add(RecordCategory.MedicalSelfPaid, Reference, medicalFen);
        var facts = new HouseholdFacts(Guid.NewGuid(), "620102001001", HouseholdCategory.PovertyAlleviated,
            [new MemberSpan(null, null, LabourAbility.Partial), new MemberSpan(null, null, LabourAbility.None)], ledger, GuaranteeIndicators.None, []);
        return HouseholdEvaluator.Evaluate(facts, DefaultPolicy.Policy, Reference);
    }

    private static D.RiskSignalsDetected Event(HouseholdEvaluation e, IReadOnlyList<string> previous) =>
        new(e.Category, e.PolicyProvince, e.PolicyVersion, e.Summary, e.Signals, e.GuaranteeGaps, e.Exclusions, e.LabourAbilities, previous, 42)
        {
            OccurredAt = new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.FromHours(8)), RegionCode = e.RegionCode, HouseholdId = e.HouseholdId,
        };

    [Fact]
    public void RiskSignalsDetected_carries_every_signal_with_its_explanation_and_grading_measurements_in_cny()
    {
        var evaluation = Evaluate(600_000);
        var domain = Event(evaluation, []);
        var e = Assert.IsType<I.RiskSignalsDetected>(MonitoringEventMapping.ToIntegrationEvent(domain));
        Assert.Equal((domain.EventId, TimeSpan.Zero, "620102001001", evaluation.HouseholdId), (e.EventId, e.OccurredAt.Offset, e.RegionCode, e.HouseholdId));
        Assert.Equal(("00 v1", "00", "PovertyAlleviated", 42L), (e.PolicyVersion, e.PolicyProvince, e.Category, e.Sequence));
        Assert.Equal(["Partial", "None"], e.LabourAbilities!);
        Assert.Equal([SignalCodes.IncomeBelowLine, SignalCodes.MedicalCostAboveWarningLine], e.Signals.Select(s => s.Code));
        foreach (var signal in e.Signals)
        {
            Assert.Equal(6_000m, signal.Inputs["perCapitaIncome"]);          // CNY, as grading reads it
            Assert.Equal(12_000m, signal.Inputs["lastYearIncome"]);
            Assert.Equal(6_000m, signal.Inputs["rigidExpenditure"]);
            Assert.Equal(0.25m, signal.Inputs["transferIncomeShare"]);
            Assert.False(string.IsNullOrEmpty(signal.PolicyKey));
            Assert.False(string.IsNullOrEmpty(signal.Explanation));
        }
        var medical = e.Signals.Single(s => s.Code == SignalCodes.MedicalCostAboveWarningLine);
        Assert.Equal((600_000m, 500_000m, "greater_than"), (medical.Inputs["amountFen"], medical.Thresholds["amountFen"], medical.Comparison));
    }

    [Fact]
    public void Signals_that_cleared_go_out_as_an_empty_set_with_the_previous_codes()
    {
        var domain = Event(Evaluate(0) with { Signals = [] }, [SignalCodes.MedicalCostAboveWarningLine]);
        var e = Assert.IsType<I.RiskSignalsDetected>(MonitoringEventMapping.ToIntegrationEvent(domain));
        Assert.Empty(e.Signals);
        Assert.Equal([SignalCodes.MedicalCostAboveWarningLine], e.PreviousSignalCodes!);
    }

    [Fact]
    public void Feed_events_name_no_household_and_keep_their_figures()
    {
        var arrived = new DateTimeOffset(2026, 11, 7, 9, 0, 0, TimeSpan.FromHours(8));
        var overdue = Assert.IsType<I.FeedOverdue>(MonitoringEventMapping.ToIntegrationEvent(
            new D.FeedOverdue("medical-insurance", "2026-11", new DateOnly(2026, 11, 5), arrived) { OccurredAt = arrived, RegionCode = "620102000000", HouseholdId = null }));
        Assert.Equal(("medical-insurance", "2026-11", new DateOnly(2026, 11, 5), (Guid?)null), (overdue.Department, overdue.Period, overdue.DueDate, overdue.HouseholdId));
        Assert.Equal((arrived, TimeSpan.Zero), (overdue.ArrivedAt!.Value, overdue.ArrivedAt.Value.Offset));
        var anomaly = Assert.IsType<I.FeedAnomaly>(MonitoringEventMapping.ToIntegrationEvent(
            new D.FeedAnomaly("housing", "2026-11", "h-1", "LowMatchRate", "match rate 0.2", 100, 0.2m, 0.01m) { OccurredAt = arrived, RegionCode = "620102000000", HouseholdId = null }));
        Assert.Equal(("h-1", 100, 0.2m, 0.01m, "LowMatchRate"), (anomaly.FeedId, anomaly.RowCount!.Value, anomaly.MatchRate!.Value, anomaly.ErrorRate!.Value, anomaly.Kind));
    }
}
