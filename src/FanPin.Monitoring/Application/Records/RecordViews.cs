using FanPin.Monitoring.Domain;

namespace FanPin.Monitoring.Application.Records;

/// <summary>A record version as answers show it (the member's ID hash is never shown).</summary>
/// <param name="Id">Record id.</param>
/// <param name="HouseholdId">Household.</param>
/// <param name="Category">Category.</param>
/// <param name="Kind">Income, productive cost or rigid cost.</param>
/// <param name="Month">"yyyy-MM".</param>
/// <param name="AmountFen">Amount in fen.</param>
/// <param name="Source">Who provided it.</param>
/// <param name="Reference">Reference.</param>
/// <param name="Department">Department, for feed records.</param>
/// <param name="FeedKey">Feed, for feed records.</param>
/// <param name="FeedRow">Feed row, for feed records.</param>
/// <param name="Version">1 for the first version.</param>
/// <param name="SupersedesId">The version it corrects.</param>
/// <param name="SupersededById">The version that corrected it; null while current.</param>
/// <param name="SupersededAt">When it was corrected.</param>
/// <param name="CorrectionReason">Why this version corrects the previous one.</param>
/// <param name="RecordedAt">When recorded.</param>
/// <param name="RecordedBy">Who recorded it.</param>
public sealed record RecordView(
    Guid Id,
    Guid HouseholdId,
    RecordCategory Category,
    RecordKind Kind,
    string Month,
    long AmountFen,
    RecordSource Source,
    string Reference,
    string? Department,
    long? FeedKey,
    int? FeedRow,
    int Version,
    Guid? SupersedesId,
    Guid? SupersededById,
    DateTimeOffset? SupersededAt,
    string? CorrectionReason,
    DateTimeOffset RecordedAt,
    string RecordedBy)
{
    /// <summary>True while not superseded.</summary>
    public bool IsCurrent => SupersededById is null;

    /// <summary>The view of a record.</summary>
    public static RecordView Of(MonthlyRecord r) => new(r.Id, r.HouseholdId, r.Category, r.Kind, YearMonth.Of(r.Month).ToString(), r.AmountFen,
        r.Source, r.Reference, r.Department, r.FeedKey, r.FeedRow, r.Version, r.SupersedesId, r.SupersededById, r.SupersededAt,
        r.CorrectionReason, r.RecordedAt, r.RecordedBy);
}

/// <summary>Checks shared by recording and correcting.</summary>
internal static class RecordRules
{
    /// <summary>Largest amount accepted: 100 million CNY; anything above is a typo.</summary>
    public const long MaxAmountFen = 100_000_000_00;

    /// <summary>Longest reference.</summary>
    public const int MaxReferenceLength = 200;

    /// <summary>Checks the month: "yyyy-MM", not after the current month.</summary>
    public static YearMonth Month(string? text, YearMonth current, Validator validator, string field = "month")
    {
        if (!YearMonth.TryParse(text, out var month))
        {
            validator.Add(field, $"'{text}' is not a month (yyyy-MM)");
            return current;
        }
        validator.Require(month <= current, field, $"{month} is in the future (current month {current})");
        return month;
    }

    /// <summary>Checks the amount: 0 to <see cref="MaxAmountFen"/>.</summary>
    public static void Amount(long amountFen, Validator validator, string field = "amount_fen")
    {
        validator.Require(amountFen >= 0, field, "must not be negative (record a loss as a cost)");
        validator.Require(amountFen <= MaxAmountFen, field, $"{amountFen} is above {MaxAmountFen} fen; check the unit (fen)");
    }

    /// <summary>Checks a manual source: cadre or farmer (feed records come only through feeds).</summary>
    public static void ManualSource(RecordSource source, Validator validator, string field = "source") =>
        validator.Require(source is RecordSource.Cadre or RecordSource.Farmer, field, "must be cadre or farmer; department data comes through feeds");

    /// <summary>Checks and normalises a reference.</summary>
    public static string Reference(string? reference, Validator validator, string field = "reference")
    {
        var value = reference?.Trim() ?? "";
        validator.Require(value.Length <= MaxReferenceLength, field, $"is longer than {MaxReferenceLength} characters");
        return value;
    }
}
