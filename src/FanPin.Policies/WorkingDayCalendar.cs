namespace FanPin.Policies;

/// <summary>
/// Working days of a province: Monday to Friday, minus public holidays, plus the weekend days declared
/// working days to make up for a holiday (调休上班). Deadlines such as "home verification within 5 working
/// days" are counted with it.
/// </summary>
public sealed class WorkingDayCalendar
{
    private readonly HashSet<DateOnly> _holidays = [];
    private readonly HashSet<DateOnly> _workingWeekendDays;

    /// <summary>Builds the calendar from a policy's holiday calendar.</summary>
    public WorkingDayCalendar(HolidayCalendar calendar)
    {
        foreach (var holiday in calendar.Holidays)
        {
            for (var day = holiday.From; day <= holiday.To; day = day.AddDays(1))
            {
                _holidays.Add(day);
            }
        }
        _workingWeekendDays = [.. calendar.WorkingWeekendDays];
    }

    /// <summary>A calendar that skips weekends only.</summary>
    public static WorkingDayCalendar WeekendsOnly { get; } = new(HolidayCalendar.WeekendsOnly);

    /// <summary>
    /// True for a working day: a declared working weekend day (调休), or a weekday that is not a holiday.
    /// A declared working day wins over a holiday range that happens to cover it.
    /// </summary>
    public bool IsWorkingDay(DateOnly day) =>
        _workingWeekendDays.Contains(day)
        || (day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && !_holidays.Contains(day));

    /// <summary>True when <paramref name="day"/> is a declared public holiday.</summary>
    public bool IsHoliday(DateOnly day) => _holidays.Contains(day);

    /// <summary>
    /// The day on which <paramref name="workingDays"/> working days after <paramref name="start"/> have passed:
    /// the start day itself does not count (something received on Friday and due "in 1 working day" is due on
    /// Monday). Zero returns the start; a negative count returns the n-th working day before the start.
    /// </summary>
    public DateOnly AddWorkingDays(DateOnly start, int workingDays)
    {
        var step = Math.Sign(workingDays);
        var remaining = Math.Abs(workingDays);
        var day = start;
        while (remaining > 0)
        {
            day = day.AddDays(step);
            if (IsWorkingDay(day))
            {
                remaining--;
            }
        }
        return day;
    }

    /// <summary>
    /// Working days in (<paramref name="start"/>, <paramref name="end"/>]: the inverse of
    /// <see cref="AddWorkingDays"/>, so <c>WorkingDaysBetween(s, AddWorkingDays(s, n)) == n</c> for n ≥ 0. Negative when
    /// <paramref name="end"/> is before <paramref name="start"/>.
    /// </summary>
    public int WorkingDaysBetween(DateOnly start, DateOnly end)
    {
        if (end < start)
        {
            return -WorkingDaysBetween(end, start);
        }
        var count = 0;
        for (var day = start.AddDays(1); day <= end; day = day.AddDays(1))
        {
            if (IsWorkingDay(day))
            {
                count++;
            }
        }
        return count;
    }

    /// <summary>The first working day on or after <paramref name="day"/>.</summary>
    public DateOnly NextWorkingDayOnOrAfter(DateOnly day)
    {
        while (!IsWorkingDay(day))
        {
            day = day.AddDays(1);
        }
        return day;
    }
}
