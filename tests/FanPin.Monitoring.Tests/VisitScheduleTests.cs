using FanPin.Monitoring.Domain;

namespace FanPin.Monitoring.Tests;

/// <summary>Visits due so far in a month: the k-th of n is due by the end of the k-th part of the month.</summary>
public class VisitScheduleTests
{
    [Theory]
    [InlineData("2026-09", 2, "2026-09-01", 0)]
    [InlineData("2026-09", 2, "2026-09-15", 0)]  // 30 days: the first visit is due by the 15th, counted as passed on the 16th
    [InlineData("2026-09", 2, "2026-09-16", 1)]
    [InlineData("2026-09", 2, "2026-09-30", 1)]
    [InlineData("2026-09", 2, "2026-10-01", 2)]  // the month has ended: both are due
    [InlineData("2026-10", 2, "2026-10-16", 0)]  // 31 days: the first is due by the 16th
    [InlineData("2026-10", 2, "2026-10-17", 1)]
    [InlineData("2026-02", 2, "2026-02-15", 1)]  // 28 days: due by the 14th
    [InlineData("2026-09", 1, "2026-09-30", 0)]
    [InlineData("2026-09", 4, "2026-09-24", 3)]  // due by the 8th, 15th, 23rd, 30th
    [InlineData("2026-09", 2, "2026-08-31", 0)]  // before the month
    public void Visits_due_so_far(string month, int perMonth, string asOf, int due)
    {
        Assert.Equal(due, VisitSchedule.DueSoFar(YearMonth.Parse(month), perMonth, DateOnly.Parse(asOf)));
    }

    [Theory]
    [InlineData(0, "2026-09-16", true)]
    [InlineData(1, "2026-09-16", false)]
    [InlineData(1, "2026-10-01", true)]
    [InlineData(2, "2026-10-01", false)]
    [InlineData(3, "2026-10-01", false)]
    public void Overdue_when_fewer_visits_than_due(int made, string asOf, bool overdue)
    {
        Assert.Equal(overdue, VisitSchedule.IsOverdue(made, YearMonth.Parse("2026-09"), 2, DateOnly.Parse(asOf)));
    }
}
