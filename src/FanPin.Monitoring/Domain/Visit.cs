namespace FanPin.Monitoring.Domain;

/// <summary>A helper's visit to a household (走访记录): when, what was found, what comes next.</summary>
public sealed class Visit
{
    private Visit()
    {
    }

    /// <summary>Identifier.</summary>
    public Guid Id { get; private set; }

    /// <summary>The household.</summary>
    public Guid HouseholdId { get; private set; }

    /// <summary>The day of the visit.</summary>
    public DateOnly VisitedOn { get; private set; }

    /// <summary>The helper who visited.</summary>
    public string HelperName { get; private set; } = "";

    /// <summary>What the helper found.</summary>
    public string Findings { get; private set; } = "";

    /// <summary>What happens next.</summary>
    public string NextActions { get; private set; } = "";

    /// <summary>When it was recorded.</summary>
    public DateTimeOffset RecordedAt { get; private set; }

    /// <summary>Who recorded it.</summary>
    public string RecordedBy { get; private set; } = "";

    /// <summary>A visit.</summary>
    public static Visit Create(Guid householdId, DateOnly visitedOn, string helperName, string findings, string nextActions,
        DateTimeOffset now, string recordedBy) => new()
    {
        Id = Guid.CreateVersion7(now),
        HouseholdId = householdId,
        VisitedOn = visitedOn,
        HelperName = helperName,
        Findings = findings,
        NextActions = nextActions,
        RecordedAt = now,
        RecordedBy = recordedBy,
    };
}

/// <summary>
/// Visit frequency against the policy (走访 twice a month by default). The month is cut into
/// <c>per_month</c> equal parts; the k-th visit is due by the end of the k-th part.
/// </summary>
public static class VisitSchedule
{
    /// <summary>The day of the month by which visit <paramref name="k"/> (1-based) of <paramref name="perMonth"/> is due.</summary>
    public static int DueDay(YearMonth month, int k, int perMonth) => (int)Math.Ceiling(k * (decimal)month.Days / perMonth);

    /// <summary>
    /// Visits of <paramref name="month"/> whose due day has passed on <paramref name="asOf"/> (a due day counts as
    /// passed the day after it). For a month that has ended, every visit is due.
    /// </summary>
    public static int DueSoFar(YearMonth month, int perMonth, DateOnly asOf)
    {
        if (asOf > month.LastDay)
        {
            return perMonth;
        }
        if (asOf < month.FirstDay)
        {
            return 0;
        }
        var due = 0;
        for (var k = 1; k <= perMonth; k++)
        {
            if (DueDay(month, k, perMonth) < asOf.Day)
            {
                due++;
            }
        }
        return due;
    }

    /// <summary>Overdue when fewer visits were made in the month than are due so far.</summary>
    public static bool IsOverdue(int visitsMade, YearMonth month, int perMonth, DateOnly asOf) => visitsMade < DueSoFar(month, perMonth, asOf);
}
