namespace FanPin.Policies.Tests;

public class WorkingDayCalendarTests
{
    private static readonly WorkingDayCalendar Calendar = DefaultPolicy.Policy.WorkingDays;

    [Theory]
    [InlineData("2025-03-03", true)]  // Monday
    [InlineData("2025-03-08", false)] // Saturday
    [InlineData("2025-03-09", false)] // Sunday
    [InlineData("2025-10-01", false)] // National Day, a Wednesday
    [InlineData("2025-10-08", false)] // last day of the 2025 National Day holiday
    [InlineData("2025-10-11", true)]  // Saturday made a working day (调休)
    [InlineData("2025-09-28", true)]  // Sunday made a working day (调休)
    [InlineData("2026-02-14", true)]  // Saturday before Spring Festival 2026 (调休)
    [InlineData("2026-02-16", false)] // Spring Festival 2026, a Monday
    [InlineData("2027-10-01", true)]  // beyond the calendar: only weekends are skipped
    public void Working_days_are_weekdays_minus_holidays_plus_adjusted_weekend_days(string day, bool working) =>
        Assert.Equal(working, Calendar.IsWorkingDay(DateOnly.Parse(day)));

    [Theory]
    [InlineData("2025-03-03", 5, "2025-03-10")]  // Monday + 5 → next Monday (weekend skipped)
    [InlineData("2025-03-07", 1, "2025-03-10")]  // Friday + 1 → Monday
    [InlineData("2025-03-08", 1, "2025-03-10")]  // Saturday + 1 → Monday
    [InlineData("2025-03-05", 0, "2025-03-05")]
    [InlineData("2025-09-26", 5, "2025-10-10")]  // Fri; Sun 28th (调休) + Mon–Tue 29–30 = 3, holiday to 8th, Thu 9, Fri 10
    [InlineData("2025-09-30", 1, "2025-10-09")]  // the whole National Day week is skipped
    [InlineData("2025-10-09", 2, "2025-10-11")]  // Thu + 2 → the 调休 Saturday
    [InlineData("2026-02-12", 5, "2026-02-26")]  // Thu; Fri 13, Sat 14 (调休), holiday 15–23, Tue 24, Wed 25, Thu 26
    [InlineData("2025-03-10", -5, "2025-03-03")] // backwards
    [InlineData("2025-10-09", -1, "2025-09-30")]
    public void Adding_working_days_skips_weekends_and_holidays_and_counts_adjusted_days(string start, int days, string expected)
        => Assert.Equal(DateOnly.Parse(expected), Calendar.AddWorkingDays(DateOnly.Parse(start), days));

    [Theory]
    [InlineData("2025-03-03", "2025-03-10", 5)]
    [InlineData("2025-03-10", "2025-03-03", -5)]
    [InlineData("2025-03-08", "2025-03-09", 0)]
    [InlineData("2025-09-26", "2025-10-12", 6)] // 28, 29, 30, 9, 10, 11
    [InlineData("2025-01-24", "2025-02-09", 6)] // Sun 26 (调休), Mon 27, [28 Jan–4 Feb], Wed 5, Thu 6, Fri 7, Sat 8 (调休)
    public void Working_days_between_counts_the_end_but_not_the_start(string start, string end, int expected)
        => Assert.Equal(expected, Calendar.WorkingDaysBetween(DateOnly.Parse(start), DateOnly.Parse(end)));

    [Theory]
    [InlineData("2025-01-01")]
    [InlineData("2025-09-27")]
    [InlineData("2026-02-13")]
    [InlineData("2026-12-31")]
    public void Between_is_the_inverse_of_add(string start)
    {
        var s = DateOnly.Parse(start);
        for (var n = 0; n <= 25; n++)
        {
            Assert.Equal(n, Calendar.WorkingDaysBetween(s, Calendar.AddWorkingDays(s, n)));
        }
    }

    [Fact]
    public void A_calendar_without_holidays_skips_only_weekends()
    {
        Assert.True(WorkingDayCalendar.WeekendsOnly.IsWorkingDay(new DateOnly(2025, 10, 1)));
        Assert.Equal(new DateOnly(2025, 10, 8), WorkingDayCalendar.WeekendsOnly.AddWorkingDays(new DateOnly(2025, 10, 1), 5));
    }

    [Fact]
    public void A_policy_copied_with_another_calendar_counts_with_that_calendar()
    {
        var nationalDay = new DateOnly(2025, 10, 1);
        Assert.False(DefaultPolicy.Policy.WorkingDays.IsWorkingDay(nationalDay));
        var withoutHolidays = DefaultPolicy.Policy with { Calendar = HolidayCalendar.WeekendsOnly };
        Assert.True(withoutHolidays.WorkingDays.IsWorkingDay(nationalDay));
        Assert.False(DefaultPolicy.Policy.WorkingDays.IsWorkingDay(nationalDay));
    }

    [Fact]
    public void Policy_due_dates_count_calendar_or_working_days()
    {
        var policy = DefaultPolicy.Policy;
        var friday = new DateOnly(2025, 9, 26);
        Assert.Equal(new DateOnly(2025, 10, 1), policy.DueDate(friday, 5, DayCounting.Calendar));
        Assert.Equal(new DateOnly(2025, 10, 10), policy.DueDate(friday, 5, DayCounting.Working));
    }
}
