using FanPin.Monitoring.Domain;
using FanPin.Monitoring.Tests.Support;
using FanPin.Policies;

namespace FanPin.Monitoring.Tests;

/// <summary>Row checks: every problem becomes a reason naming the column; the full ID number is never echoed.</summary>
public class FeedRowCheckTests
{
    private static readonly DateOnly Today = new(2026, 11, 3);
    private static readonly YearMonth Period = YearMonth.Parse("2026-11");
    private static readonly IdNumber Person = TestData.NewId();

    private static CheckedFeedRow Check(FeedRow row, string department = Departments.MedicalInsurance) => FeedRowCheck.Check(row, department, Period, Today);

    [Fact]
    public void A_valid_amount_row_defaults_to_the_month_before_the_reporting_month()
    {
        var row = Check(new FeedRow(1, Person.Value, "medical_self_paid", null, 12_345, null, "bill-1"));
        Assert.Null(row.Error);
        Assert.Equal(YearMonth.Parse("2026-10"), row.Month);
        Assert.Equal(RecordCategory.MedicalSelfPaid, row.Item!.Category);
        Assert.Equal(12_345, row.AmountFen);
    }

    [Theory]
    [InlineData("620102198001010000", "medical_self_paid", "2026-10", 100L, null, "id_number fails the GB 11643 check digit")]
    [InlineData("62010219800101", "medical_self_paid", "2026-10", 100L, null, "id_number has 14 characters")]
    [InlineData(null, "medical_self_paid", "2026-10", 100L, null, "id_number is empty")]
    [InlineData("@", "no_such_item", "2026-10", 100L, null, "not a known item")]
    [InlineData("@", "disaster_loss", "2026-10", 100L, null, "not reported by medical-insurance")]
    [InlineData("@", "medical_self_paid", "2026-12", 100L, null, "month 2026-12 is in the future")]
    [InlineData("@", "medical_self_paid", "Oct 2026", 100L, null, "is not a month")]
    [InlineData("@", "medical_self_paid", "2026-10", -5L, null, "amount_fen -5 is negative")]
    [InlineData("@", "medical_self_paid", "2026-10", null, null, "amount_fen is required")]
    [InlineData("@", "medical_self_paid", "2026-10", 10_000_000_001L, null, "amounts are in fen")]
    [InlineData("@", "medical_insured", "2026-10", null, "maybe", "is not yes or no")]
    public void Invalid_rows_say_why(string? id, string item, string month, long? amount, string? value, string reason)
    {
        var row = Check(new FeedRow(7, id == "@" ? Person.Value : id, item, month, amount, value, null));
        Assert.NotNull(row.Error);
        Assert.Contains(reason, row.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(Person.Value, row.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reader_error_is_the_row_error()
    {
        var row = Check(new FeedRow(3, Person.Value, "medical_self_paid", null, null, null, null, "amount_fen 'abc' is not a whole number"));
        Assert.Equal("amount_fen 'abc' is not a whole number", row.Error);
    }

    [Theory]
    [InlineData(Departments.Housing, "housing_safety_grade", "c", 3)]
    [InlineData(Departments.Education, "out_of_school", "是", 1)]
    [InlineData(Departments.MedicalInsurance, "medical_insured", "no", 0)]
    [InlineData(Departments.Water, "water_supply_rate", "0.85", 0.85)]
    [InlineData(Departments.Water, "water_quantity", "35", 35)]
    public void Indicator_values_parse(string department, string item, string text, double expected)
    {
        var row = Check(new FeedRow(1, Person.Value, item, "2026-10", null, text, null), department);
        Assert.Null(row.Error);
        Assert.Equal((decimal)expected, row.Value);
    }

    [Fact]
    public void Every_item_belongs_to_known_departments_and_has_a_unique_code_and_id()
    {
        Assert.Equal(FeedItems.All.Count, FeedItems.All.Select(i => i.Code).Distinct().Count());
        Assert.Equal(FeedItems.All.Count, FeedItems.All.Select(i => i.Id).Distinct().Count());
        Assert.All(FeedItems.All, i => Assert.All(i.Departments, d => Assert.Contains(d, Departments.All)));
        // every department the policy expects has something to report
        Assert.All(DefaultPolicy.Policy.DepartmentFeeds.Expected, d => Assert.NotEmpty(FeedItems.Of(d)));
    }
}
