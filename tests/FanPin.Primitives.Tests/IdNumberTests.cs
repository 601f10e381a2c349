namespace FanPin.Primitives.Tests;

public class IdNumberTests
{
    private static readonly DateOnly Today = new(2026, 11, 23);

    [Theory]
    [InlineData("11010519491231002X", "1949-12-31", Sex.Female)] // the standard's own example
    [InlineData("11010519491231002x", "1949-12-31", Sex.Female)] // lower-case x accepted, stored upper-case
    [InlineData("440524198001010013", "1980-01-01", Sex.Male)]
    [InlineData("620102198005170018", "1980-05-17", Sex.Male)]
    public void Valid_numbers_give_birth_date_and_sex(string text, string birth, Sex sex)
    {
        Assert.True(IdNumber.TryParse(text, Today, out var id, out var error), error);
        Assert.Equal(DateOnly.Parse(birth, System.Globalization.CultureInfo.InvariantCulture), id.BirthDate);
        Assert.Equal(sex, id.Sex);
        Assert.Equal(text.ToUpperInvariant(), id.Value);
    }

    [Theory]
    [InlineData("110105194912310021", "check digit")]
    [InlineData("11010519491231002", "17 characters")]
    [InlineData("1101051949123100211", "19 characters")]
    [InlineData("11010519491331002X", "no valid birth date")]
    [InlineData("11010520270101002X", "future")]
    [InlineData("11010518991231002X", "before 1900")]
    [InlineData("1101051949123100AX", "non-digit at position 17")]
    [InlineData("11010519491231002Y", "neither a digit nor X")]
    [InlineData("", "empty")]
    public void Invalid_numbers_say_what_is_wrong(string text, string reason)
    {
        Assert.False(IdNumber.TryParse(text, Today, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Created_numbers_validate_and_round_trip()
    {
        for (var sequence = 0; sequence < 1000; sequence += 37)
        {
            var id = IdNumber.Create("620102", new DateOnly(1980, 2, 29), sequence);
            Assert.True(IdNumber.TryParse(id.Value, Today, out var parsed, out var error), error);
            Assert.Equal(sequence % 2 == 1 ? Sex.Male : Sex.Female, parsed.Sex);
        }
    }

    [Fact]
    public void Masking_keeps_six_and_four()
    {
        var id = IdNumber.Create("620102", new DateOnly(1990, 5, 17), 123);
        Assert.Equal($"620102********{id.Value[14..]}", id.Masked);
        Assert.Equal(id.Masked, id.ToString());
        Assert.DoesNotContain("19900517", id.Masked, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2026-11-22", 35)]
    [InlineData("2026-11-23", 36)]
    public void Age_turns_on_the_birthday(string on, int age)
    {
        var id = IdNumber.Create("620102", new DateOnly(1990, 11, 23), 1);
        Assert.Equal(age, id.AgeOn(DateOnly.Parse(on, System.Globalization.CultureInfo.InvariantCulture)));
    }
}
