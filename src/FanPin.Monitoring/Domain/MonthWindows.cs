using FanPin.Policies;

namespace FanPin.Monitoring.Domain;

/// <summary>
/// The month windows every indicator is computed on, for an evaluation in a reference month (the month the
/// household is discovered or re-evaluated). Pure functions; docs/monitoring.md has the definitions.
/// </summary>
public static class MonthWindows
{
    /// <summary>
    /// The income window of the policy (上年度本月到本年度上月 by default: the same month last year to last month,
    /// 12 months that end before the reference month, so a month still in progress never counts as income).
    /// </summary>
    public static MonthRange Income(MonitoringPolicy policy, YearMonth reference)
    {
        var (from, to) = policy.IncomeWindowFor(reference.FirstDay);
        return new MonthRange(YearMonth.Of(from), YearMonth.Of(to));
    }

    /// <summary>
    /// The window of rigid costs and warning lines: the 12 months up to and including the reference month.
    /// It includes the current month because crossing a warning line must put the household under watch at
    /// once (DOMAIN.md §4), not a month later.
    /// </summary>
    public static MonthRange Costs(YearMonth reference) => new(reference.AddMonths(-11), reference);

    /// <summary>
    /// The two periods an income drop compares: the last <paramref name="months"/> complete months and the same
    /// months a year earlier (same season, so a harvest month is compared with a harvest month).
    /// </summary>
    public static (MonthRange Recent, MonthRange YearEarlier) Drop(YearMonth reference, int months)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(months, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(months, 12);
        var recent = new MonthRange(reference.AddMonths(-months), reference.AddMonths(-1));
        return (recent, new MonthRange(recent.First.AddMonths(-12), recent.Last.AddMonths(-12)));
    }

    /// <summary>Every month any window of an evaluation in <paramref name="reference"/> can read (what to load).</summary>
    public static MonthRange Span(MonitoringPolicy policy, YearMonth reference)
    {
        var income = Income(policy, reference);
        var (_, earlier) = Drop(reference, policy.IncomeDropMonths);
        var first = income.First < earlier.First ? income.First : earlier.First;
        return new MonthRange(first, reference);
    }

    /// <summary>The widest span any policy can ask for: 24 months before the reference month to the reference month.</summary>
    public static MonthRange WidestSpan(YearMonth reference) => new(reference.AddMonths(-24), reference);
}

/// <summary>A member's membership of the household, from the registry (read model).</summary>
/// <param name="JoinedOn">Since when; null when the member was registered with the household (a member since before any record).</param>
/// <param name="LeftOn">The day the member left (death, marriage out, split): no longer a member from that day; null while a member.</param>
/// <param name="LabourAbility">The member's labour ability, when the registry sent it.</param>
public sealed record MemberSpan(DateOnly? JoinedOn, DateOnly? LeftOn, LabourAbility? LabourAbility = null)
{
    /// <summary>A member on <paramref name="day"/>: joined on or before it and not yet left.</summary>
    public bool IsMemberOn(DateOnly day) => (JoinedOn is null || JoinedOn <= day) && (LeftOn is null || day < LeftOn);

    /// <summary>
    /// Counted in <paramref name="month"/> when a member on at least one of its days. Joining or leaving in the
    /// middle of a month counts the whole month: the per-capita income errs towards the lower figure, so a
    /// household is not missed because of a birth or a death (不漏一户).
    /// </summary>
    public bool CountsIn(YearMonth month) =>
        (JoinedOn is null || JoinedOn <= month.LastDay) && (LeftOn is null || LeftOn > month.FirstDay);
}

/// <summary>Member-months: the denominator of per-capita income.</summary>
public static class MemberMonths
{
    /// <summary>Σ over the months of the range of the members counted in that month (<see cref="MemberSpan.CountsIn"/>).</summary>
    public static int Count(IEnumerable<MemberSpan> members, MonthRange range)
    {
        var list = members as IReadOnlyCollection<MemberSpan> ?? members.ToList();
        var total = 0;
        foreach (var month in range.Months())
        {
            foreach (var member in list)
            {
                if (member.CountsIn(month))
                {
                    total++;
                }
            }
        }
        return total;
    }
}
