using System.Diagnostics.CodeAnalysis;

namespace FanPin;

/// <summary>
/// A region and everything below it, written as a significant prefix of the 12-digit code:
/// "62" (a province), "6201" (a city), "620102" (a county), "620102001" (a township) or a whole village code.
/// Caller scopes, list filters and event subscriptions are all prefixes.
/// </summary>
public readonly record struct RegionPrefix
{
    private RegionPrefix(string value) => Value = value;

    /// <summary>The prefix digits.</summary>
    public string Value { get; }

    /// <summary>The level this prefix stands for.</summary>
    public RegionLevel Level => (RegionLevel)(RegionCode.PrefixLengths.IndexOf(Value.Length) + 1);

    /// <summary>
    /// Parses a prefix of 2, 4, 6, 9 or 12 digits, or a full 12-digit region code with trailing zeros
    /// (which is reduced to its significant prefix).
    /// </summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out RegionPrefix prefix, out string error)
    {
        prefix = default;
        if (string.IsNullOrEmpty(text))
        {
            error = "is empty; expected a region code prefix of 2, 4, 6, 9 or 12 digits";
            return false;
        }
        if (!text.All(char.IsAsciiDigit))
        {
            error = $"'{text}' is not digits";
            return false;
        }
        if (text.Length == 12)
        {
            if (!RegionCode.TryParse(text, out var code, out error))
            {
                return false;
            }
            prefix = new RegionPrefix(code.Prefix);
            return true;
        }
        if (!RegionCode.PrefixLengths.Contains(text.Length))
        {
            error = $"'{text}' has {text.Length} digits; a prefix has 2, 4, 6, 9 or 12";
            return false;
        }
        if (text.StartsWith("00", StringComparison.Ordinal))
        {
            error = $"'{text}' has no province part";
            return false;
        }
        prefix = new RegionPrefix(text);
        error = "";
        return true;
    }

    /// <summary>Parses or throws <see cref="FormatException"/>.</summary>
    public static RegionPrefix Parse(string text) =>
        TryParse(text, out var prefix, out var error) ? prefix : throw new FormatException($"Region prefix {error}.");

    /// <summary>True when the region lies inside this prefix (is it or is below it).</summary>
    public bool Contains(RegionCode region) => region.Value.StartsWith(Value, StringComparison.Ordinal);

    /// <summary>True when every region of <paramref name="other"/> lies inside this prefix.</summary>
    public bool Contains(RegionPrefix other) => other.Value.StartsWith(Value, StringComparison.Ordinal);

    /// <inheritdoc />
    public override string ToString() => Value ?? "";
}

internal static class ListExtensions
{
    public static int IndexOf(this IReadOnlyList<int> list, int value)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] == value)
            {
                return i;
            }
        }
        return -1;
    }
}
