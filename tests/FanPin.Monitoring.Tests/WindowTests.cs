using FanPin.Monitoring.Domain;
using FanPin.Policies;

namespace FanPin.Monitoring.Tests;

/// <summary>Window arithmetic: month and year boundaries, members joining and leaving, per-capita income.</summary>
public class WindowTests
{
    private static readonly MonitoringPolicy Default = DefaultPolicy.Policy.Monitoring;

    [Theory]
    [InlineData("2026-10", "2025-10", "2026-09")]
    [InlineData("2026-01", "2025-01", "2025-12")] // January: the whole previous calendar year
    [InlineData("2026-12", "2025-12", "2026-11")]
    [InlineData("2026-03", "2025-03", "2026-02")] // February of a common year ends the window
    [InlineData("2024-03", "2023-03", "2024-02")] // ... and of a leap year
    public void Income_window_runs_from_the_same_month_last_year_to_last_month(string reference, string first, string last)
    {
        var window = MonthWindows.Income(Default, YearMonth.Parse(reference));
        Assert.Equal((YearMonth.Parse(first), YearMonth.Parse(last)), (window.First, window.Last));
        Assert.Equal(12, window.Count);
        Assert.False(window.Contains(YearMonth.Parse(reference)));
    }

    [Theory]
    [InlineData("2026-10", "2025-01", "2025-12")]
    [InlineData("2026-01", "2025-01", "2025-12")]
    public void A_province_may_count_the_previous_calendar_year(string reference, string first, string last)
    {
        var policy = Default with { IncomeWindow = IncomeWindowRule.PreviousCalendarYear };
        var window = MonthWindows.Income(policy, YearMonth.Parse(reference));
        Assert.Equal((YearMonth.Parse(first), YearMonth.Parse(last)), (window.First, window.Last));
    }

    [Theory]
    [InlineData("2026-10", "2025-11", "2026-10")]
    [InlineData("2026-01", "2025-02", "2026-01")]
    public void Cost_window_is_the_twelve_months_up_to_and_including_the_reference_month(string reference, string first, string last)
    {
        var window = MonthWindows.Costs(YearMonth.Parse(reference));
        Assert.Equal((YearMonth.Parse(first), YearMonth.Parse(last)), (window.First, window.Last));
    }

    [Theory]
    [InlineData("2026-10", 3, "2026-07", "2026-09", "2025-07", "2025-09")]
    [InlineData("2026-02", 3, "2025-11", "2026-01", "2024-11", "2025-01")] // across a year end
    [InlineData("2026-01", 1, "2025-12", "2025-12", "2024-12", "2024-12")]
    [InlineData("2026-10", 12, "2025-10", "2026-09", "2024-10", "2025-09")]
    public void Drop_compares_recent_months_with_the_same_months_a_year_earlier(string reference, int months, string r1, string r2, string e1, string e2)
    {
        var (recent, earlier) = MonthWindows.Drop(YearMonth.Parse(reference), months);
        Assert.Equal((YearMonth.Parse(r1), YearMonth.Parse(r2)), (recent.First, recent.Last));
        Assert.Equal((YearMonth.Parse(e1), YearMonth.Parse(e2)), (earlier.First, earlier.Last));
    }

    [Fact]
    public void The_span_loaded_covers_every_window()
    {
        var reference = YearMonth.Parse("2026-10");
        var span = MonthWindows.Span(Default, reference);
        Assert.Equal(YearMonth.Parse("2025-07"), span.First); // the drop's earlier months start before the income window
        Assert.Equal(reference, span.Last);
        Assert.True(MonthWindows.WidestSpan(reference).First <= span.First);
    }

    public static TheoryData<string, string?, string?, int> MemberMonthCases => new()
    {
        // window 2025-10..2026-09
        { "registered with the household", null, null, 12 },
        { "joined mid-month: that month counts", "2026-04-15", null, 6 },
        { "joined on the last day of the window", "2026-09-30", null, 1 },
        { "joined the day after the window", "2026-10-01", null, 0 },
        { "joined before the window", "2025-09-30", null, 12 },
        { "left on the first of a month: that month does not count", null, "2026-01-01", 3 },
        { "left on the second of a month: that month counts", null, "2026-01-02", 4 },
        { "left on the first day of the window", null, "2025-10-01", 0 },
        { "left the day after the window started", null, "2025-10-02", 1 },
        { "joined and left inside the window", "2026-02-10", "2026-05-20", 4 },
        { "left after the window", null, "2026-12-01", 12 },
    };

    [Theory]
    [MemberData(nameof(MemberMonthCases))]
    public void Member_months_count_every_month_a_member_belonged_for_at_least_a_day(string _, string? joined, string? left, int expected)
    {
        var member = new MemberSpan(joined is null ? null : DateOnly.Parse(joined), left is null ? null : DateOnly.Parse(left));
        var window = new MonthRange(YearMonth.Parse("2025-10"), YearMonth.Parse("2026-09"));
        Assert.Equal(expected, MemberMonths.Count([member], window));
    }

    [Fact]
    public void Member_months_add_up_over_members()
    {
        var window = new MonthRange(YearMonth.Parse("2025-10"), YearMonth.Parse("2026-09"));
        MemberSpan[] members =
        [
            new(null, null),
            new(null, null),
            new(DateOnly.Parse("2026-04-15"), null),    // born in April
            new(null, DateOnly.Parse("2026-01-01")),    // died at the turn of the year
        ];
        Assert.Equal(12 + 12 + 6 + 3, MemberMonths.Count(members, window));
    }

    [Theory]
    [InlineData(1_800_000, 36, 600_000L)]   // 3 persons all year: 18,000 / 3 = 6,000 CNY
    [InlineData(1_800_000, 30, 720_000L)]   // a member for half the year counts as half a person
    [InlineData(1_800_000, 12, 1_800_000L)]
    [InlineData(100, 7, 171L)]               // 1,200 / 7 = 171.43 → 171
    [InlineData(100, 8, 150L)]
    [InlineData(1, 24, 1L)]                  // 0.5 → 1 (half away from zero)
    [InlineData(-1_200, 12, -1_200L)]        // losses above income: negative income
    [InlineData(1_800_000, 0, null)]         // nobody in the window: no per-capita income
    public void Per_capita_income_is_income_times_twelve_over_member_months(long income, int memberMonths, long? expected)
    {
        Assert.Equal(expected, Indicators.PerCapitaIncome(income, memberMonths));
    }

    [Fact]
    public void The_ledger_sums_only_the_months_of_a_window()
    {
        var ledger = MonthlyLedger.Empty
            .Add(RecordCategory.Wage, YearMonth.Parse("2025-09"), 1_000)   // just before the window
            .Add(RecordCategory.Wage, YearMonth.Parse("2025-10"), 2_000)   // first month
            .Add(RecordCategory.Wage, YearMonth.Parse("2026-09"), 4_000)   // last month
            .Add(RecordCategory.Wage, YearMonth.Parse("2026-10"), 8_000)   // the reference month itself
            .Add(RecordCategory.ProductiveCost, YearMonth.Parse("2026-01"), 500);
        var window = MonthWindows.Income(Default, YearMonth.Parse("2026-10"));
        Assert.Equal(6_000, ledger.Sum(RecordCategory.Wage, window));
        Assert.Equal(5_500, ledger.DisposableIncome(window));
    }

    [Theory]
    [InlineData("2026-10", true)]
    [InlineData("2026-13", false)]
    [InlineData("2026-1", false)]
    [InlineData("26-10", false)]
    [InlineData("1899-12", false)]
    [InlineData("", false)]
    public void Months_parse_as_yyyy_mm(string text, bool ok) => Assert.Equal(ok, YearMonth.TryParse(text, out _));

    [Fact]
    public void Month_arithmetic_crosses_years()
    {
        var m = YearMonth.Parse("2026-01");
        Assert.Equal("2025-12", m.AddMonths(-1).ToString());
        Assert.Equal("2027-01", m.AddMonths(12).ToString());
        Assert.Equal(13, YearMonth.Parse("2027-02").MonthsSince(m));
        Assert.Equal(new DateOnly(2024, 2, 29), YearMonth.Parse("2024-02").LastDay);
    }
}
