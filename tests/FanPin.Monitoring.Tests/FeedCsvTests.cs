using System.Text;
using FanPin.Monitoring.Domain;
using FanPin.Monitoring.Infrastructure;

namespace FanPin.Monitoring.Tests;

/// <summary>The CSV feed format: columns in any order, cells that cannot be read become the row's reason.</summary>
public class FeedCsvTests
{
    private static async Task<List<FeedRow>> Read(string csv)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(csv));
        var rows = new List<FeedRow>();
        await foreach (var row in FeedCsv.ReadAsync(stream))
        {
            rows.Add(row);
        }
        return rows;
    }

    [Fact]
    public async Task Rows_are_numbered_from_the_line_after_the_header()
    {
        var rows = await Read("""
            item,id_number,amount_fen,month,reference,value
            medical_self_paid,620102198001010019,12345,2026-10,"bill, 1",
            medical_insured, 620102198001010019 ,,,,no
            """);
        Assert.Equal(2, rows.Count);
        Assert.Equal(new FeedRow(1, "620102198001010019", "medical_self_paid", "2026-10", 12_345, null, "bill, 1"), rows[0]);
        Assert.Equal(new FeedRow(2, "620102198001010019", "medical_insured", null, null, "no", null), rows[1]);
    }

    [Fact]
    public async Task A_row_column_gives_the_departments_own_numbers()
    {
        var rows = await Read("row,id_number,item,amount_fen\n17,x,wage,1\n18,y,wage,2\n");
        Assert.Equal([17, 18], rows.Select(r => r.RowNumber).ToArray());
    }

    [Fact]
    public async Task Unreadable_cells_become_the_reason_and_the_row_is_kept()
    {
        var rows = await Read("id_number,item,amount_fen\na,wage,12.5\nb,wage,abc\nc,wage,-3\n");
        Assert.Equal(3, rows.Count);
        Assert.Contains("is not a whole number", rows[0].ParseError, StringComparison.Ordinal);
        Assert.Contains("'abc'", rows[1].ParseError, StringComparison.Ordinal);
        Assert.Equal(-3, rows[2].AmountFen); // negative amounts are read; the check reports them
        Assert.Null(rows[2].ParseError);
    }

    [Fact]
    public async Task A_malformed_line_is_reported_not_dropped()
    {
        var rows = await Read("id_number,item,amount_fen\na,wage,1\nb,wa\"ge,2\nc,wage,3\n");
        Assert.Equal(3, rows.Count);
        Assert.Contains("not valid CSV", rows[1].ParseError, StringComparison.Ordinal);
        Assert.Null(rows[2].ParseError);
    }

    [Theory]
    [InlineData("id_number,item,colour\n", "column 'colour' is not a feed column")]
    [InlineData("id_number,amount_fen\n", "column 'item' is missing")]
    public async Task A_wrong_header_is_refused(string csv, string message)
    {
        var ex = await Assert.ThrowsAsync<FormatException>(() => Read(csv));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }
}
