using System.Diagnostics.CodeAnalysis;

namespace FanPin;

/// <summary>Administrative level of a statistical division code (DOMAIN.md §2).</summary>
public enum RegionLevel
{
    Province = 1,
    City = 2,
    County = 3,
    Township = 4,
    Village = 5,
}

/// <summary>
/// A 12-digit statistical division code <c>PP CC DD TTT VVV</c>. The level is read from the code itself:
/// the trailing all-zero parts are the levels below it.
/// </summary>
public readonly record struct RegionCode
{
    /// <summary>Length of each level's significant prefix: province 2, city 4, county 6, township 9, village 12.</summary>
    public static readonly IReadOnlyList<int> PrefixLengths = [2, 4, 6, 9, 12];

    private RegionCode(string value) => Value = value;

    /// <summary>The 12 digits.</summary>
    public string Value { get; }

    /// <summary>The level, from the code's non-zero parts.</summary>
    public RegionLevel Level
    {
        get
        {
            for (var level = PrefixLengths.Count - 1; level > 0; level--)
            {
                var start = PrefixLengths[level - 1];
                if (Value.AsSpan(start, PrefixLengths[level] - start).IndexOfAnyExcept('0') >= 0)
                {
                    return (RegionLevel)(level + 1);
                }
            }
            return RegionLevel.Province;
        }
    }

    /// <summary>The significant prefix: "62" for a province, "620102" for a county, all 12 digits for a village.</summary>
    public string Prefix => Value[..PrefixLengths[(int)Level - 1]];

    /// <summary>The parent region's code, or null for a province.</summary>
    public RegionCode? Parent => Level == RegionLevel.Province
        ? null
        : new RegionCode(Value[..PrefixLengths[(int)Level - 2]].PadRight(12, '0'));

    /// <summary>Parses 12 digits whose province part is not zero.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out RegionCode code, out string error)
    {
        code = default;
        if (string.IsNullOrEmpty(text))
        {
            error = "is empty; expected 12 digits";
            return false;
        }
        if (text.Length != 12 || !text.All(char.IsAsciiDigit))
        {
            error = $"'{text}' is not 12 digits";
            return false;
        }
        if (text.StartsWith("00", StringComparison.Ordinal))
        {
            error = $"'{text}' has no province part";
            return false;
        }
        code = new RegionCode(text);
        error = "";
        return true;
    }

    /// <summary>Parses or throws <see cref="FormatException"/>.</summary>
    public static RegionCode Parse(string text) =>
        TryParse(text, out var code, out var error) ? code : throw new FormatException($"Region code {error}.");

    /// <summary>Expands a significant prefix ("620102") to the full 12-digit code of that region.</summary>
    public static RegionCode FromPrefix(string prefix) => Parse(prefix.PadRight(12, '0'));

    /// <summary>The region and every ancestor, from the province down to this region.</summary>
    public IEnumerable<RegionCode> Lineage()
    {
        var chain = new List<RegionCode>();
        for (RegionCode? c = this; c is { } current; c = current.Parent)
        {
            chain.Add(current);
        }
        chain.Reverse();
        return chain;
    }

    /// <summary>
    /// The routing-key form used by topic subscriptions: the significant prefix split into its levels,
    /// always five parts ("62.01.02.001.001"; missing levels are zeros).
    /// </summary>
    public string ToDottedLevels() =>
        $"{Value[..2]}.{Value[2..4]}.{Value[4..6]}.{Value[6..9]}.{Value[9..12]}";

    /// <inheritdoc />
    public override string ToString() => Value ?? "";
}
