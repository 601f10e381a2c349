using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace FanPin.Monitoring.Domain;

/// <summary>
/// A calendar month ("2026-10"). Income and costs are recorded per month, and every window is a run of whole
/// months, so month arithmetic is done on this type rather than on dates (no "31st of February").
/// </summary>
public readonly record struct YearMonth : IComparable<YearMonth>
{
    /// <summary>Months since January of year 0: makes differences and ordering plain integer arithmetic.</summary>
    private readonly int _index;

    private YearMonth(int index) => _index = index;

    /// <summary>A month; throws for a year outside 1900–9999 or a month outside 1–12.</summary>
    public YearMonth(int year, int month)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(year, 1900);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(year, 9999);
        ArgumentOutOfRangeException.ThrowIfLessThan(month, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(month, 12);
        _index = (year * 12) + month - 1;
    }

    /// <summary>The year.</summary>
    public int Year => _index / 12;

    /// <summary>The month, 1–12.</summary>
    public int Month => (_index % 12) + 1;

    /// <summary>First day of the month (how months are stored: a <c>date</c> column).</summary>
    public DateOnly FirstDay => new(Year, Month, 1);

    /// <summary>Last day of the month.</summary>
    public DateOnly LastDay => new(Year, Month, DateTime.DaysInMonth(Year, Month));

    /// <summary>Number of days in the month.</summary>
    public int Days => DateTime.DaysInMonth(Year, Month);

    /// <summary>The month containing <paramref name="date"/>.</summary>
    public static YearMonth Of(DateOnly date) => new(date.Year, date.Month);

    /// <summary>This month moved by <paramref name="months"/> (negative: earlier).</summary>
    public YearMonth AddMonths(int months) => new(_index + months);

    /// <summary>Months from <paramref name="other"/> to this one (this − other).</summary>
    public int MonthsSince(YearMonth other) => _index - other._index;

    /// <summary>Parses "yyyy-MM".</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out YearMonth month)
    {
        month = default;
        if (text is null || text.Length != 7 || text[4] != '-'
            || !int.TryParse(text.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var year)
            || !int.TryParse(text.AsSpan(5, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var m)
            || year < 1900 || m is < 1 or > 12)
        {
            return false;
        }
        month = new YearMonth(year, m);
        return true;
    }

    /// <summary>Parses "yyyy-MM" or throws <see cref="FormatException"/>.</summary>
    public static YearMonth Parse(string text) =>
        TryParse(text, out var month) ? month : throw new FormatException($"'{text}' is not a month (yyyy-MM).");

    /// <inheritdoc />
    public int CompareTo(YearMonth other) => _index.CompareTo(other._index);

    /// <summary>Earlier than.</summary>
    public static bool operator <(YearMonth a, YearMonth b) => a._index < b._index;

    /// <summary>Later than.</summary>
    public static bool operator >(YearMonth a, YearMonth b) => a._index > b._index;

    /// <summary>Not later than.</summary>
    public static bool operator <=(YearMonth a, YearMonth b) => a._index <= b._index;

    /// <summary>Not earlier than.</summary>
    public static bool operator >=(YearMonth a, YearMonth b) => a._index >= b._index;

    /// <summary>"yyyy-MM".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Year:D4}-{Month:D2}");
}

/// <summary>A run of whole months, both ends inclusive.</summary>
/// <param name="First">The first month.</param>
/// <param name="Last">The last month (not before <paramref name="First"/>).</param>
public readonly record struct MonthRange(YearMonth First, YearMonth Last)
{
    /// <summary>Number of months in the range.</summary>
    public int Count => Last.MonthsSince(First) + 1;

    /// <summary>True when <paramref name="month"/> lies in the range.</summary>
    public bool Contains(YearMonth month) => First <= month && month <= Last;

    /// <summary>The months, oldest first.</summary>
    public IEnumerable<YearMonth> Months()
    {
        for (var m = First; m <= Last; m = m.AddMonths(1))
        {
            yield return m;
        }
    }

    /// <summary>"yyyy-MM..yyyy-MM".</summary>
    public override string ToString() => $"{First}..{Last}";
}
