namespace FanPin.Grading.Application.Common;

/// <summary>Field checks several use cases share.</summary>
public static class InputChecks
{
    /// <summary>A 12-digit region code, or a violation on <paramref name="field"/>.</summary>
    public static RegionCode? Region(string? text, Validator validator, string field = "region_code")
    {
        ArgumentNullException.ThrowIfNull(validator);
        if (RegionCode.TryParse(text, out var code, out var error))
        {
            return code;
        }
        validator.Add(field, error);
        return null;
    }

    /// <summary>An optional region prefix (null for none), or a violation on <paramref name="field"/>.</summary>
    public static RegionPrefix? Prefix(string? text, Validator validator, string field = "region_prefix")
    {
        ArgumentNullException.ThrowIfNull(validator);
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        if (RegionPrefix.TryParse(text, out var prefix, out var error))
        {
            return prefix;
        }
        validator.Add(field, error);
        return null;
    }

    /// <summary>A 2-digit province code, or a violation.</summary>
    public static string? Province(string? text, Validator validator, string field = "province")
    {
        ArgumentNullException.ThrowIfNull(validator);
        if (text is { Length: 2 } && RegionPrefix.TryParse(text, out _, out _))
        {
            return text;
        }
        validator.Add(field, $"'{text}' is not a 2-digit province code");
        return null;
    }
}
