using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace FanPin;

/// <summary>Sex as encoded in the ID number's sequence code (odd: male, even: female).</summary>
public enum Sex
{
    Female = 0,
    Male = 1,
}

/// <summary>
/// A resident ID number (居民身份证号码) under GB 11643-1999: 6-digit address code, 8-digit birth date,
/// 3-digit sequence code (its parity gives the sex) and an ISO 7064 MOD 11-2 check character.
/// </summary>
public readonly record struct IdNumber
{
    private static readonly int[] Weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    private const string CheckCharacters = "10X98765432";

    private IdNumber(string value, DateOnly birthDate) => (Value, BirthDate) = (value, birthDate);

    /// <summary>The 18 characters, the check character upper-case.</summary>
    public string Value { get; }

    /// <summary>Birth date derived from positions 7–14.</summary>
    public DateOnly BirthDate { get; }

    /// <summary>Sex derived from the parity of position 17.</summary>
    public Sex Sex => (Value[16] - '0') % 2 == 1 ? Sex.Male : Sex.Female;

    /// <summary>The address code (registration region at issue, 6 digits).</summary>
    public string AddressCode => Value[..6];

    /// <summary>Masked for display: the first six and last four characters, the rest as eight '*'.</summary>
    public string Masked => Mask(Value);

    /// <summary>Masks any 18-character ID number the way answers show it ("620102********1234").</summary>
    public static string Mask(string value) =>
        value.Length == 18 ? string.Concat(value.AsSpan(0, 6), "********", value.AsSpan(14, 4)) : new string('*', value.Length);

    /// <summary>The check character for the first 17 digits.</summary>
    public static char ComputeCheckCharacter(ReadOnlySpan<char> first17)
    {
        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            sum += (first17[i] - '0') * Weights[i];
        }
        return CheckCharacters[sum % 11];
    }

    /// <summary>
    /// Validates format, birth date (a real date, not before 1900, not after <paramref name="today"/>)
    /// and the check character. <paramref name="error"/> says which part is wrong.
    /// </summary>
    public static bool TryParse([NotNullWhen(true)] string? text, DateOnly today, out IdNumber id, out string error)
    {
        id = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "is empty";
            return false;
        }
        var value = text.Trim().ToUpperInvariant();
        if (value.Length != 18)
        {
            error = $"has {value.Length} characters; expected 18";
            return false;
        }
        for (var i = 0; i < 17; i++)
        {
            if (!char.IsAsciiDigit(value[i]))
            {
                error = $"has a non-digit at position {i + 1}";
                return false;
            }
        }
        if (!char.IsAsciiDigit(value[17]) && value[17] != 'X')
        {
            error = "has a check character that is neither a digit nor X";
            return false;
        }
        if (!DateOnly.TryParseExact(value.AsSpan(6, 8), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var birth))
        {
            error = $"has no valid birth date ('{value.Substring(6, 8)}')";
            return false;
        }
        if (birth.Year < 1900)
        {
            error = $"has a birth date before 1900 ({birth:yyyy-MM-dd})";
            return false;
        }
        if (birth > today)
        {
            error = $"has a birth date in the future ({birth:yyyy-MM-dd})";
            return false;
        }
        var expected = ComputeCheckCharacter(value.AsSpan(0, 17));
        if (value[17] != expected)
        {
            error = "fails the GB 11643 check digit";
            return false;
        }
        id = new IdNumber(value, birth);
        error = "";
        return true;
    }

    /// <summary>Builds a valid ID number from its parts (for synthetic data and tests).</summary>
    public static IdNumber Create(string addressCode, DateOnly birthDate, int sequence)
    {
        if (addressCode.Length != 6 || !addressCode.All(char.IsAsciiDigit))
        {
            throw new ArgumentException("Address code must be 6 digits.", nameof(addressCode));
        }
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sequence, 999);
        var first17 = $"{addressCode}{birthDate:yyyyMMdd}{sequence:D3}";
        return new IdNumber(first17 + ComputeCheckCharacter(first17), birthDate);
    }

    /// <summary>Age in whole years on <paramref name="onDate"/>.</summary>
    public int AgeOn(DateOnly onDate)
    {
        var age = onDate.Year - BirthDate.Year;
        return BirthDate.AddYears(age) > onDate ? age - 1 : age;
    }

    /// <summary>Masked, so that a log line never shows the full number by accident.</summary>
    public override string ToString() => Masked;
}
