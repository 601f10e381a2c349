using System.Globalization;
using System.Runtime.CompilerServices;
using CsvHelper;
using FanPin.Monitoring.Domain;

namespace FanPin.Monitoring.Infrastructure;

/// <summary>
/// Reads a department feed from CSV (UTF-8, header row, comma-separated, RFC 4180 quoting; CsvHelper 34): columns
/// <c>id_number,item,month,amount_fen,value,reference</c> in any order, plus an optional <c>row</c> column with
/// the department's own row numbers (otherwise the data row number: 1 = the line after the header). A cell that
/// cannot be read becomes the row's reason; the row is still returned, never dropped.
/// </summary>
public static class FeedCsv
{
    /// <summary>The columns, as written in the header.</summary>
    public static readonly IReadOnlyList<string> Columns = ["row", "id_number", "item", "month", "amount_fen", "value", "reference"];

    /// <summary>Required columns.</summary>
    public static readonly IReadOnlyList<string> RequiredColumns = ["id_number", "item"];

    /// <summary>Reads rows lazily from UTF-8 CSV (a million-row file is never held in memory).</summary>
    /// <exception cref="FormatException">The header lacks a required column or names an unknown one.</exception>
    public static async IAsyncEnumerable<FeedRow> ReadAsync(Stream stream, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var malformed = new Dictionary<long, string>();
        var options = CsvReaderOptions.Default with
        {
            TrimWhitespace = true,
            // Recover and report: the row is returned with the reason instead of being dropped or failing the file.
            OnMalformedRecord = record => malformed[record.RecordNumber] = $"the line is not valid CSV ({record.Reason})",
        };
        await using var csv = CsvReader.Create(stream, options, leaveOpen: true);
        await csv.ReadHeaderAsync(ct).ConfigureAwait(false);
        var header = csv.Headers.Select(h => h.Trim().ToLowerInvariant()).ToArray();
        if (header.Length == 0)
        {
            yield break;
        }
        if (header.FirstOrDefault(h => !Columns.Contains(h)) is { } unknown)
        {
            throw new FormatException($"column '{unknown}' is not a feed column; expected: {string.Join(", ", Columns)}");
        }
        if (RequiredColumns.FirstOrDefault(c => !header.Contains(c)) is { } missing)
        {
            throw new FormatException($"column '{missing}' is missing; required: {string.Join(", ", RequiredColumns)}");
        }
        int Index(string column) => Array.IndexOf(header, column);
        var (rowAt, idAt, itemAt, monthAt, amountAt, valueAt, referenceAt) =
            (Index("row"), Index("id_number"), Index("item"), Index("month"), Index("amount_fen"), Index("value"), Index("reference"));
        while (await csv.ReadAsync(ct).ConfigureAwait(false))
        {
            var dataRow = (int)csv.RowNumber;
            string? Cell(int at) => at < 0 || at >= csv.FieldCount ? null : NullIfEmpty(csv.GetStringOrNull(at));
            // The malformed-record callback numbers records counting the header.
            var error = malformed.Remove(dataRow + 1, out var reason) ? reason : null;
            var rowNumber = dataRow;
            if (Cell(rowAt) is { } rowText && !int.TryParse(rowText, NumberStyles.None, CultureInfo.InvariantCulture, out rowNumber))
            {
                rowNumber = dataRow;
                error ??= $"row '{Shorten(rowText)}' is not a row number";
            }
            long? amount = null;
            if (Cell(amountAt) is { } amountText)
            {
                if (long.TryParse(amountText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed))
                {
                    amount = parsed;
                }
                else
                {
                    error ??= $"amount_fen '{Shorten(amountText)}' is not a whole number of fen";
                }
            }
            yield return new FeedRow(rowNumber, Cell(idAt), Cell(itemAt), Cell(monthAt), amount, Cell(valueAt), Cell(referenceAt), error);
        }
    }

    /// <summary>Counts the data rows of a CSV file quickly (for a progress bar's total): lines after the header that are not empty.</summary>
    public static async Task<int> CountRowsAsync(Stream stream, CancellationToken ct = default)
    {
        var options = CsvReaderOptions.Default;
        await using var csv = CsvReader.Create(stream, options, leaveOpen: true);
        var rows = 0;
        while (await csv.ReadAsync(ct).ConfigureAwait(false))
        {
            rows++;
        }
        return rows;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static string Shorten(string text) => text.Length <= 20 ? text : text[..20] + "…";
}
