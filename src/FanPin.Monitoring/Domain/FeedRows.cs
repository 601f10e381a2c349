namespace FanPin.Monitoring.Domain;

/// <summary>
/// One row of a department feed as received (CSV line or gRPC message): values as written, checked by
/// <see cref="FeedRowCheck"/> so that every problem becomes a reported row, never an exception.
/// </summary>
/// <param name="RowNumber">The department's row number (1-based data row of the file); unique within the feed.</param>
/// <param name="IdNumber">The person's 18-character ID number.</param>
/// <param name="Item">The item code (<see cref="FeedItems"/>).</param>
/// <param name="Month">"yyyy-MM" the row is about; empty: the month before the feed's reporting month.</param>
/// <param name="AmountFen">Amount in fen, for amount items (and optionally exclusion items).</param>
/// <param name="Value">Value, for indicator items (yes/no, A–D, a number).</param>
/// <param name="Reference">The department's reference (bill, plate, deed); "" when none.</param>
/// <param name="ParseError">Set by a reader that could not read the row (e.g. "amount_fen 'abc' is not a whole number").</param>
public sealed record FeedRow(
    int RowNumber,
    string? IdNumber,
    string? Item,
    string? Month,
    long? AmountFen,
    string? Value,
    string? Reference,
    string? ParseError = null);

/// <summary>A checked row, ready for staging: either valid values or the reason it is invalid.</summary>
/// <param name="Id">The ID number, when valid.</param>
/// <param name="Item">The item, when known.</param>
/// <param name="Month">The month.</param>
/// <param name="AmountFen">The amount.</param>
/// <param name="Value">The parsed indicator value.</param>
/// <param name="Reference">The reference.</param>
/// <param name="Error">Why the row is invalid; null when valid.</param>
public sealed record CheckedFeedRow(IdNumber? Id, FeedItem? Item, YearMonth Month, long? AmountFen, decimal? Value, string Reference, string? Error);

/// <summary>Checks a feed row (pure): reasons name the column and never echo an ID number in full.</summary>
public static class FeedRowCheck
{
    /// <summary>Longest reference.</summary>
    public const int MaxReferenceLength = 200;

    /// <summary>Largest amount: 100 million CNY.</summary>
    public const long MaxAmountFen = 100_000_000_00;

    /// <summary>Checks <paramref name="row"/> of <paramref name="department"/>'s feed for <paramref name="period"/> on <paramref name="today"/>.</summary>
    public static CheckedFeedRow Check(FeedRow row, string department, YearMonth period, DateOnly today)
    {
        var month = period.AddMonths(-1);
        var reference = row.Reference?.Trim() ?? "";
        CheckedFeedRow Invalid(string error) => new(null, null, month, null, null, reference, error);
        if (row.ParseError is { Length: > 0 } parseError)
        {
            return Invalid(parseError);
        }
        if (!IdNumber.TryParse(row.IdNumber, today, out var id, out var idError))
        {
            return Invalid($"id_number {idError}");
        }
        var item = FeedItems.Find(row.Item);
        if (item is null)
        {
            return Invalid($"item '{Shorten(row.Item)}' is not a known item");
        }
        if (!item.Departments.Contains(department))
        {
            return Invalid($"item '{item.Code}' is not reported by {department} (reported by {string.Join(", ", item.Departments)})");
        }
        if (!string.IsNullOrWhiteSpace(row.Month))
        {
            if (!YearMonth.TryParse(row.Month.Trim(), out month))
            {
                return Invalid($"month '{Shorten(row.Month)}' is not a month (yyyy-MM)");
            }
        }
        if (month > YearMonth.Of(today))
        {
            return Invalid($"month {month} is in the future");
        }
        if (row.AmountFen is < 0)
        {
            return Invalid($"amount_fen {row.AmountFen} is negative");
        }
        if (row.AmountFen is > MaxAmountFen)
        {
            return Invalid($"amount_fen {row.AmountFen} is above {MaxAmountFen}; amounts are in fen");
        }
        if (item.NeedsAmount && row.AmountFen is null)
        {
            return Invalid($"amount_fen is required for item '{item.Code}'");
        }
        decimal? value = null;
        if (item.NeedsValue)
        {
            if (!item.TryParseValue(row.Value, out var parsed, out var valueError))
            {
                return Invalid(valueError);
            }
            value = parsed;
        }
        if (reference.Length > MaxReferenceLength)
        {
            return Invalid($"reference is longer than {MaxReferenceLength} characters");
        }
        return new CheckedFeedRow(id, item, month, item.Effect == FeedItemEffect.Guarantee ? null : row.AmountFen, value, reference, null);
    }

    private static string Shorten(string? text) => text is null ? "" : text.Length <= 40 ? text : text[..40] + "…";
}
