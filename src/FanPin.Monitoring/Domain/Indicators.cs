using FanPin.Policies;

namespace FanPin.Monitoring.Domain;

/// <summary>
/// A household's current monthly amounts (the latest version of every record, superseded ones left out),
/// summed by category and month, in fen.
/// </summary>
public sealed class MonthlyLedger
{
    private readonly Dictionary<(RecordCategory Category, YearMonth Month), long> _amounts = [];

    /// <summary>An empty ledger.</summary>
    public static MonthlyLedger Empty => new();

    /// <summary>Adds an amount.</summary>
    public MonthlyLedger Add(RecordCategory category, YearMonth month, long amountFen)
    {
        _amounts[(category, month)] = _amounts.GetValueOrDefault((category, month)) + amountFen;
        return this;
    }

    /// <summary>The amount of one category in one month.</summary>
    public long Of(RecordCategory category, YearMonth month) => _amounts.GetValueOrDefault((category, month));

    /// <summary>The sum of one category over a range.</summary>
    public long Sum(RecordCategory category, MonthRange range)
    {
        long total = 0;
        foreach (var ((c, m), amount) in _amounts)
        {
            if (c == category && range.Contains(m))
            {
                total += amount;
            }
        }
        return total;
    }

    /// <summary>The sum of several categories over a range.</summary>
    public long Sum(IEnumerable<RecordCategory> categories, MonthRange range) => categories.Sum(c => Sum(c, range));

    /// <summary>Months of the range with at least one record of the categories (a record of 0 counts: "no income" was recorded).</summary>
    public int MonthsRecorded(IEnumerable<RecordCategory> categories, MonthRange range)
    {
        var wanted = categories.ToHashSet();
        return _amounts.Keys.Where(k => wanted.Contains(k.Category) && range.Contains(k.Month)).Select(k => k.Month).Distinct().Count();
    }

    /// <summary>Months of the range whose disposable income was positive (a month without any record brought no income).</summary>
    public int MonthsWithIncome(MonthRange range) => range.Months().Count(m => DisposableIncome(new MonthRange(m, m)) > 0);

    /// <summary>Disposable income over a range: the four income categories minus productive costs.</summary>
    public long DisposableIncome(MonthRange range) =>
        Sum(RecordCategories.Income, range) - Sum(RecordCategory.ProductiveCost, range);
}

/// <summary>The indicators of DOMAIN.md §4 as small pure functions (table-tested).</summary>
public static class Indicators
{
    /// <summary>
    /// Per-capita annual disposable income: income × 12 / member-months, rounded to the fen (half away from
    /// zero). With members joining or leaving mid-window this is income per person-year. Null without any
    /// member-month (no member known in the window).
    /// </summary>
    public static long? PerCapitaIncome(long disposableIncomeFen, int memberMonths) =>
        memberMonths <= 0 ? null : (long)decimal.Round(disposableIncomeFen * 12m / memberMonths, MidpointRounding.AwayFromZero);

    /// <summary>Income below the monitoring line (under the line, strictly).</summary>
    public static bool IsBelowLine(long perCapitaIncomeFen, long monitoringLineFen) => perCapitaIncomeFen < monitoringLineFen;

    /// <summary>Income is stable when at least the policy's number of months of the window brought income.</summary>
    public static bool IsStable(int monthsWithIncome, int minMonths) => monthsWithIncome >= minMonths;

    /// <summary>Rigid costs / income, 4 decimals; null when income is not positive (the ratio is then unbounded).</summary>
    public static decimal? RigidToIncome(long rigidCostsFen, long incomeFen) =>
        incomeFen <= 0 ? null : decimal.Round((decimal)rigidCostsFen / incomeFen, 4, MidpointRounding.AwayFromZero);

    /// <summary>
    /// Whether rigid costs clearly exceed income under the policy's ratio, compared exactly (a shown ratio is
    /// rounded; the decision is not). Without positive income any rigid cost exceeds it.
    /// </summary>
    public static bool RigidExceedsIncome(long rigidCostsFen, long incomeFen, RatioThreshold threshold) =>
        incomeFen > 0 ? threshold.IsCrossed((decimal)rigidCostsFen / incomeFen) : rigidCostsFen > 0;

    /// <summary>
    /// Share of per-capita income lost: 1 − recent / earlier, on per-member-month income of each period (a member
    /// leaving is not a drop), unrounded (<see cref="Round4"/> for showing it). Null when the earlier period had no
    /// positive income or no members. Negative when income rose.
    /// </summary>
    public static decimal? IncomeDrop(long recentIncomeFen, int recentMemberMonths, long earlierIncomeFen, int earlierMemberMonths)
    {
        if (earlierIncomeFen <= 0 || earlierMemberMonths <= 0 || recentMemberMonths <= 0)
        {
            return null;
        }
        // recent/earlier = (recentIncome × earlierMonths) / (earlierIncome × recentMonths): one division, exact for whole shares.
        return 1m - ((decimal)recentIncomeFen * earlierMemberMonths / ((decimal)earlierIncomeFen * recentMemberMonths));
    }

    /// <summary>A ratio as shown and carried in signals: 4 decimals.</summary>
    public static decimal? Round4(decimal? value) => value is { } v ? decimal.Round(v, 4, MidpointRounding.AwayFromZero) : null;

    /// <summary>
    /// Share of gross income (the four categories, before productive costs) that is transfer income
    /// (allowances, pensions, subsidies, dividends), 4 decimals; null without positive gross income.
    /// </summary>
    public static decimal? TransferShare(long transferFen, long grossIncomeFen) =>
        grossIncomeFen <= 0 ? null : decimal.Round((decimal)transferFen / grossIncomeFen, 4, MidpointRounding.AwayFromZero);
}
