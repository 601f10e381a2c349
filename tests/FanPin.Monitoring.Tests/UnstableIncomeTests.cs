using FanPin.Monitoring.Domain;
using FanPin.Policies;

namespace FanPin.Monitoring.Tests;

/// <summary>
/// DOMAIN.md §4 "above the line but without stable income and spending clearly above income": the UnstableIncome
/// signal, its policy keys (<c>monitoring.stable_income_min_months</c>, <c>admit_above_line_without_stable_income</c>,
/// <c>rigid_expenditure_to_income</c>) just below and just above.
/// </summary>
public class UnstableIncomeTests
{
    private static readonly YearMonth Reference = YearMonth.Parse("2026-10");
    private static readonly ProvincePolicy Default = DefaultPolicy.Policy;

    /// <summary>Two members; <paramref name="yearIncomeFen"/> spread over the last <paramref name="monthsWithIncome"/> months of the window; one accident cost.</summary>
    private static HouseholdFacts Household(int monthsWithIncome, long yearIncomeFen, long accidentFen)
    {
        var ledger = MonthlyLedger.Empty;
        var months = MonthWindows.Income(Default.Monitoring, Reference).Months().Reverse().Take(monthsWithIncome).ToList();
        foreach (var month in months)
        {
            ledger.Add(RecordCategory.Wage, month, yearIncomeFen / monthsWithIncome);
        }
        ledger.Add(RecordCategory.Accident, Reference.AddMonths(-1), accidentFen);
        return new HouseholdFacts(Guid.NewGuid(), "620102001001", HouseholdCategory.Ordinary, [new MemberSpan(null, null), new MemberSpan(null, null)], ledger,
            GuaranteeIndicators.None, []);
    }

    private static ProvincePolicy With(int? minMonths, bool admit = true) =>
        Default with { Monitoring = Default.Monitoring with { AdmitAboveLineWithoutStableIncome = admit, StableIncomeMinMonths = minMonths } };

    [Theory]
    // months with income, income of the year (2 members; the line is 6,500 CNY each = 1,300,000 fen), accident cost, min months, admit, fires
    [InlineData(8, 1_600_000, 1_600_001, 9, true, true)]     // 8 of 12 months: not stable; costs clearly above income; above the line
    [InlineData(9, 1_800_000, 1_800_001, 9, true, false)]    // 9 months: stable
    [InlineData(8, 1_600_000, 1_600_000, 9, true, false)]    // costs equal to income: not "clearly above" (greater_than 1.0)
    [InlineData(8, 1_300_000, 1_300_001, 9, true, true)]     // exactly at the line is not below it
    [InlineData(8, 1_299_992, 1_300_000, 9, true, false)]    // below the line: IncomeBelowLine's case, not this one
    [InlineData(8, 1_600_000, 1_600_001, 8, true, false)]    // a province content with 8 months
    [InlineData(8, 1_600_000, 1_600_001, null, true, false)] // stability not defined: not judged
    [InlineData(8, 1_600_000, 1_600_001, 9, false, false)]   // the province does not admit such households
    public void Above_the_line_without_stable_income_and_with_costs_clearly_above_income(int monthsWithIncome, long yearIncomeFen, long accidentFen,
        int? minMonths, bool admit, bool fires)
    {
        var evaluation = HouseholdEvaluator.Evaluate(Household(monthsWithIncome, yearIncomeFen, accidentFen), With(minMonths, admit), Reference);
        var signal = evaluation.Signals.SingleOrDefault(s => s.Code == SignalCodes.UnstableIncome);
        Assert.Equal(fires, signal is not null);
        if (signal is not null)
        {
            Assert.Equal(monthsWithIncome, signal.Inputs["monthsWithIncome"]);
            Assert.Equal(minMonths!.Value, signal.Thresholds["stableIncomeMinMonths"]);
            Assert.Equal("monitoring.stable_income_min_months", signal.PolicyKey);
            Assert.Equal(ComparisonNames.LessThan, signal.Comparison);
            Assert.Contains(SignalCodes.RigidExpenditureAboveIncome, evaluation.Signals.Select(s => s.Code));
        }
    }

    [Fact]
    public void The_default_policy_defines_stable_income_and_admits_such_households()
    {
        Assert.True(Default.Monitoring.AdmitAboveLineWithoutStableIncome);
        Assert.Equal(9, Default.Monitoring.StableIncomeMinMonths);
        var evaluation = HouseholdEvaluator.Evaluate(Household(8, 1_600_000, 1_600_001), Default, Reference);
        Assert.Contains(SignalCodes.UnstableIncome, evaluation.Signals.Select(s => s.Code));
    }

    [Theory]
    [InlineData(new long[] { 0, 0, 0 }, 0)]
    [InlineData(new long[] { 1, 0, 5 }, 2)]
    [InlineData(new long[] { -3, 7, 1 }, 2)]
    public void Months_with_income_count_months_of_positive_disposable_income(long[] wages, int expected)
    {
        var ledger = MonthlyLedger.Empty;
        var first = YearMonth.Parse("2026-01");
        for (var i = 0; i < wages.Length; i++)
        {
            ledger.Add(RecordCategory.Wage, first.AddMonths(i), wages[i]);
        }
        Assert.Equal(expected, ledger.MonthsWithIncome(new MonthRange(first, first.AddMonths(wages.Length))));
    }
}
