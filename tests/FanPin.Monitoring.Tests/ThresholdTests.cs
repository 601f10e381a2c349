using FanPin.Monitoring.Domain;
using FanPin.Policies;

namespace FanPin.Monitoring.Tests;

/// <summary>Every warning line and ratio just below and just above its policy value, through the whole evaluation.</summary>
public class ThresholdTests
{
    private static readonly YearMonth Reference = YearMonth.Parse("2026-10");
    private static readonly ProvincePolicy Default = DefaultPolicy.Policy;
    private static readonly ProvincePolicy Sample45 = PolicyDocument.Load(Path.Combine(AppContext.BaseDirectory, "policies", "sample-45-v1-category-thresholds.yaml"));

    /// <summary>A household of two registered members with a comfortable income (well above every line) and one cost.</summary>
    private static HouseholdFacts Household(HouseholdCategory category, RecordCategory? cost = null, long costFen = 0, long yearIncomeFen = 4_800_000)
    {
        var ledger = MonthlyLedger.Empty;
        foreach (var month in MonthWindows.Income(Default.Monitoring, Reference).Months())
        {
            ledger.Add(RecordCategory.Wage, month, yearIncomeFen / 12);
            ledger.Add(RecordCategory.Wage, month.AddMonths(-12), yearIncomeFen / 12); // same income a year earlier: no drop
        }
        if (cost is { } c)
        {
            ledger.Add(c, Reference, costFen); // the current month counts for warning lines
        }
        return new HouseholdFacts(Guid.NewGuid(), "620102001001", category, [new MemberSpan(null, null), new MemberSpan(null, null)], ledger,
            GuaranteeIndicators.None, []);
    }

    private static IReadOnlyList<string> Codes(HouseholdFacts facts, ProvincePolicy policy) =>
        HouseholdEvaluator.Evaluate(facts, policy, Reference).Signals.Select(s => s.Code).ToList();

    [Theory]
    [InlineData(RecordCategory.MedicalSelfPaid, 500_000, false, SignalCodes.MedicalCostAboveWarningLine)]   // > 5,000: at the line is not over it
    [InlineData(RecordCategory.MedicalSelfPaid, 500_001, true, SignalCodes.MedicalCostAboveWarningLine)]
    [InlineData(RecordCategory.DisasterLoss, 1_000_000, false, SignalCodes.DisasterLossAboveWarningLine)]    // > 10,000
    [InlineData(RecordCategory.DisasterLoss, 1_000_001, true, SignalCodes.DisasterLossAboveWarningLine)]
    [InlineData(RecordCategory.Schooling, 800_000, false, SignalCodes.SchoolingCostAboveWarningLine)]        // > 8,000 a year
    [InlineData(RecordCategory.Schooling, 800_001, true, SignalCodes.SchoolingCostAboveWarningLine)]
    public void Default_warning_lines_cross_only_above_the_line(RecordCategory category, long amount, bool crossed, string code)
    {
        var codes = Codes(Household(HouseholdCategory.Ordinary, category, amount), Default);
        Assert.Equal(crossed, codes.Contains(code));
    }

    [Theory]
    // sample 45: medical "at_least" 5,000 for formerly poor households, 20,000 for others; schooling over 10,000
    [InlineData(HouseholdCategory.PovertyAlleviated, RecordCategory.MedicalSelfPaid, 499_999, false, SignalCodes.MedicalCostAboveWarningLine)]
    [InlineData(HouseholdCategory.PovertyAlleviated, RecordCategory.MedicalSelfPaid, 500_000, true, SignalCodes.MedicalCostAboveWarningLine)]
    [InlineData(HouseholdCategory.Ordinary, RecordCategory.MedicalSelfPaid, 1_999_999, false, SignalCodes.MedicalCostAboveWarningLine)]
    [InlineData(HouseholdCategory.Ordinary, RecordCategory.MedicalSelfPaid, 2_000_000, true, SignalCodes.MedicalCostAboveWarningLine)]
    [InlineData(HouseholdCategory.Ordinary, RecordCategory.Schooling, 1_000_000, false, SignalCodes.SchoolingCostAboveWarningLine)]
    [InlineData(HouseholdCategory.Ordinary, RecordCategory.Schooling, 1_000_001, true, SignalCodes.SchoolingCostAboveWarningLine)]
    public void Warning_lines_follow_the_province_and_the_household_category(HouseholdCategory householdCategory, RecordCategory category, long amount,
        bool crossed, string code)
    {
        var codes = Codes(Household(householdCategory, category, amount), Sample45);
        Assert.Equal(crossed, codes.Contains(code));
    }

    [Fact]
    public void A_warning_signal_carries_its_input_threshold_comparison_and_policy_key()
    {
        var signal = HouseholdEvaluator.Evaluate(Household(HouseholdCategory.PovertyAlleviated, RecordCategory.MedicalSelfPaid, 600_000), Sample45, Reference)
            .Signals.Single(s => s.Code == SignalCodes.MedicalCostAboveWarningLine);
        Assert.Equal(600_000m, signal.Inputs["amountFen"]);
        Assert.Equal(500_000m, signal.Thresholds["amountFen"]);
        Assert.Equal("at_least", signal.Comparison);
        Assert.Equal("monitoring.warning_lines.medical_self_paid", signal.PolicyKey);
        Assert.Contains("6,000.00 CNY", signal.Explanation, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(649_999, true)]
    [InlineData(650_000, false)]     // exactly at the line is not under it
    [InlineData(650_001, false)]
    public void Income_below_the_line_is_strictly_under_it(long perCapita, bool below)
    {
        // one member all year, the whole year's income in one month: per-capita income = that amount
        var ledger = MonthlyLedger.Empty.Add(RecordCategory.Wage, YearMonth.Parse("2026-03"), perCapita);
        var facts = new HouseholdFacts(Guid.NewGuid(), "620102001001", HouseholdCategory.Ordinary, [new MemberSpan(null, null)], ledger,
            GuaranteeIndicators.None, []);
        var evaluation = HouseholdEvaluator.Evaluate(facts, Default, Reference);
        Assert.Equal(perCapita, evaluation.Summary.PerCapitaIncomeFen);
        var signal = evaluation.Signals.SingleOrDefault(s => s.Code == SignalCodes.IncomeBelowLine);
        Assert.Equal(below, signal is not null);
        if (signal is not null)
        {
            Assert.Equal(650_000m, signal.Thresholds["monitoringLineFen"]);
            Assert.Equal(12m, signal.Inputs["memberMonths"]);
        }
    }

    [Theory]
    [InlineData(0, false)]           // rigid costs equal to income: not "clearly exceeds" (greater_than 1.0)
    [InlineData(1, true)]            // one fen more than income (decided exactly, not on the rounded ratio)
    public void Rigid_costs_cross_when_they_exceed_income_by_the_policy_ratio(long moreThanIncome, bool crossed)
    {
        var yearIncome = 4_800_000L - (4_800_000L % 12);
        var facts = Household(HouseholdCategory.Ordinary, RecordCategory.Accident, yearIncome + moreThanIncome, yearIncome);
        Assert.Equal(crossed, Codes(facts, Default).Contains(SignalCodes.RigidExpenditureAboveIncome));
    }

    [Fact]
    public void Any_rigid_cost_exceeds_an_income_that_is_not_positive()
    {
        var facts = Household(HouseholdCategory.Ordinary, RecordCategory.Accident, 1, yearIncomeFen: 0); // 0 recorded every month
        var signal = HouseholdEvaluator.Evaluate(facts, Default, Reference).Signals.Single(s => s.Code == SignalCodes.RigidExpenditureAboveIncome);
        Assert.False(signal.Inputs.ContainsKey("ratio"));
    }

    [Fact]
    public void Without_any_income_record_income_rules_stay_silent_but_warning_lines_do_not()
    {
        var ledger = MonthlyLedger.Empty.Add(RecordCategory.MedicalSelfPaid, Reference, 600_000);
        var facts = new HouseholdFacts(Guid.NewGuid(), "620102001001", HouseholdCategory.Ordinary, [new MemberSpan(null, null)], ledger, GuaranteeIndicators.None, []);
        var evaluation = HouseholdEvaluator.Evaluate(facts, Default, Reference);
        Assert.Equal(0, evaluation.Summary.IncomeMonthsRecorded);
        Assert.Equal([SignalCodes.MedicalCostAboveWarningLine], evaluation.Signals.Select(s => s.Code).ToArray());
    }

    [Theory]
    [InlineData(0.5, true)]     // at_least 0.5: exactly half lost crosses
    [InlineData(0.4999, false)]
    [InlineData(-0.2, false)]   // income rose
    public void Income_drop_crosses_at_the_policy_ratio(double dropShare, bool crossed)
    {
        var ledger = MonthlyLedger.Empty;
        var (recent, earlier) = MonthWindows.Drop(Reference, Default.Monitoring.IncomeDropMonths);
        foreach (var m in earlier.Months())
        {
            ledger.Add(RecordCategory.BusinessNet, m, 1_000_000);
        }
        foreach (var m in recent.Months())
        {
            ledger.Add(RecordCategory.BusinessNet, m, (long)(1_000_000 * (1 - (decimal)dropShare)));
        }
        var facts = new HouseholdFacts(Guid.NewGuid(), "620102001001", HouseholdCategory.Ordinary, [new MemberSpan(null, null)], ledger,
            GuaranteeIndicators.None, []);
        var evaluation = HouseholdEvaluator.Evaluate(facts, Default, Reference);
        Assert.Equal((decimal)dropShare, evaluation.Summary.IncomeDropRatio);
        Assert.Equal(crossed, evaluation.Signals.Any(s => s.Code == SignalCodes.IncomeDrop));
    }

    [Fact]
    public void A_member_leaving_is_not_an_income_drop()
    {
        var ledger = MonthlyLedger.Empty;
        var (recent, earlier) = MonthWindows.Drop(Reference, 3);
        foreach (var m in earlier.Months())
        {
            ledger.Add(RecordCategory.Wage, m, 2_000_000); // two earners
        }
        foreach (var m in recent.Months())
        {
            ledger.Add(RecordCategory.Wage, m, 1_000_000); // one left the household before the recent months
        }
        var facts = new HouseholdFacts(Guid.NewGuid(), "620102001001", HouseholdCategory.Ordinary,
            [new MemberSpan(null, null), new MemberSpan(null, recent.First.FirstDay)], ledger, GuaranteeIndicators.None, []);
        Assert.Equal(0m, HouseholdEvaluator.Evaluate(facts, Default, Reference).Summary.IncomeDropRatio);
    }

    [Fact]
    public void Transfer_share_is_transfers_over_gross_income()
    {
        var ledger = MonthlyLedger.Empty
            .Add(RecordCategory.TransferNet, YearMonth.Parse("2026-01"), 300)
            .Add(RecordCategory.Wage, YearMonth.Parse("2026-02"), 100)
            .Add(RecordCategory.ProductiveCost, YearMonth.Parse("2026-02"), 50);
        var facts = new HouseholdFacts(Guid.NewGuid(), "620102001001", HouseholdCategory.Ordinary, [new MemberSpan(null, null)], ledger, GuaranteeIndicators.None, []);
        Assert.Equal(0.75m, HouseholdEvaluator.Evaluate(facts, Default, Reference).Summary.TransferIncomeShare);
    }

    [Fact]
    public void The_fingerprint_changes_with_the_findings_and_only_with_them()
    {
        var a = HouseholdEvaluator.Evaluate(Household(HouseholdCategory.Ordinary, RecordCategory.MedicalSelfPaid, 600_000), Default, Reference);
        var same = HouseholdEvaluator.Evaluate(Household(HouseholdCategory.Ordinary, RecordCategory.MedicalSelfPaid, 600_000), Default, Reference);
        var more = HouseholdEvaluator.Evaluate(Household(HouseholdCategory.Ordinary, RecordCategory.MedicalSelfPaid, 600_001), Default, Reference);
        var quiet = HouseholdEvaluator.Evaluate(Household(HouseholdCategory.Ordinary, RecordCategory.MedicalSelfPaid, 1), Default, Reference);
        var quieter = HouseholdEvaluator.Evaluate(Household(HouseholdCategory.Ordinary, RecordCategory.MedicalSelfPaid, 2), Default, Reference);
        Assert.Equal(a.Fingerprint, same.Fingerprint);
        Assert.NotEqual(a.Fingerprint, more.Fingerprint);
        Assert.Equal(quiet.Fingerprint, quieter.Fingerprint); // no signal either way: nothing grading acts on changed
        Assert.Empty(quiet.Signals);
    }
}
