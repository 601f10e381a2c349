using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace FanPin.Policies;

/// <summary>
/// Reads one YAML mapping of a policy document, collecting every error with the path of the offending
/// value instead of stopping at the first. A reader for a missing mapping reads nothing and reports nothing
/// more (the missing mapping itself was reported once).
/// </summary>
internal sealed class YamlMapReader
{
    private readonly YamlMappingNode? _node;
    private readonly List<PolicyError> _errors;
    private readonly HashSet<string> _known = [];

    public YamlMapReader(YamlMappingNode? node, string path, List<PolicyError> errors)
    {
        _node = node;
        Path = path;
        _errors = errors;
    }

    public string Path { get; }

    /// <summary>The shared error list (nested readers add to the same one).</summary>
    public List<PolicyError> Errors => _errors;

    public bool IsPresent => _node is not null;

    public string PathOf(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    public void Error(string key, string reason) => _errors.Add(new PolicyError(PathOf(key), reason));

    public void ErrorAt(string path, string reason) => _errors.Add(new PolicyError(path, reason));

    private YamlNode? Get(string key, bool required)
    {
        _known.Add(key);
        if (_node is null)
        {
            return null;
        }
        if (!_node.Children.TryGetValue(new YamlScalarNode(key), out var value) || IsNull(value))
        {
            if (required)
            {
                Error(key, "is required");
            }
            return null;
        }
        return value;
    }

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode scalar && scalar.Style == YamlDotNet.Core.ScalarStyle.Plain
        && (scalar.Value is null or "" or "~" or "null" or "Null" or "NULL");

    public bool Has(string key) => _node is not null && _node.Children.TryGetValue(new YamlScalarNode(key), out var v) && !IsNull(v);

    public YamlMapReader Map(string key, bool required = true)
    {
        var node = Get(key, required);
        if (node is not null and not YamlMappingNode)
        {
            Error(key, "must be a mapping of keys to values");
        }
        return new YamlMapReader(node as YamlMappingNode, PathOf(key), _errors);
    }

    /// <summary>The node under <paramref name="key"/> (mapping or scalar), for values with two forms.</summary>
    public YamlNode? Node(string key, bool required = true) => Get(key, required);

    public string? String(string key, bool required = true)
    {
        var node = Get(key, required);
        if (node is null)
        {
            return null;
        }
        if (node is not YamlScalarNode scalar)
        {
            Error(key, "must be a single value");
            return null;
        }
        return scalar.Value;
    }

    public long? Long(string key, long min, long max, bool required = true) =>
        ParseLong(String(key, required), PathOf(key), min, max, _errors);

    public int? Int(string key, int min, int max, bool required = true) => (int?)Long(key, min, max, required);

    public decimal? Decimal(string key, decimal min, decimal max, bool required = true)
    {
        var text = String(key, required);
        if (text is null)
        {
            return null;
        }
        if (!decimal.TryParse(text.Replace("_", "", StringComparison.Ordinal), NumberStyles.Number, CultureInfo.InvariantCulture, out var value))
        {
            Error(key, $"'{text}' is not a number");
            return null;
        }
        if (value < min || value > max)
        {
            Error(key, $"{text} is out of range; expected {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}");
            return null;
        }
        return value;
    }

    public bool? Bool(string key, bool required = true)
    {
        var text = String(key, required);
        if (text is null)
        {
            return null;
        }
        switch (text.ToLowerInvariant())
        {
            case "true" or "yes" or "on":
                return true;
            case "false" or "no" or "off":
                return false;
            default:
                Error(key, $"'{text}' is not true or false");
                return null;
        }
    }

    public DateOnly? Date(string key, bool required = true) => ParseDate(String(key, required), PathOf(key), _errors);

    public T? Enum<T>(string key, bool required = true)
        where T : struct, Enum => ParseEnum<T>(String(key, required), PathOf(key), _errors);

    /// <summary>The items of a sequence with their paths (<c>key[0]</c>, ...).</summary>
    public List<(YamlNode Node, string Path)>? Sequence(string key, bool required = true, bool allowEmpty = false)
    {
        var node = Get(key, required);
        if (node is null)
        {
            return null;
        }
        if (node is not YamlSequenceNode sequence)
        {
            Error(key, "must be a list");
            return null;
        }
        if (!allowEmpty && sequence.Children.Count == 0)
        {
            Error(key, "must not be empty");
            return null;
        }
        return sequence.Children.Select((child, i) => (child, $"{PathOf(key)}[{i}]")).ToList();
    }

    /// <summary>A list of enum values; reports duplicates.</summary>
    public List<T>? EnumList<T>(string key, bool allowEmpty = false)
        where T : struct, Enum
    {
        var items = Sequence(key, allowEmpty: allowEmpty);
        if (items is null)
        {
            return null;
        }
        var values = new List<T>();
        var ok = true;
        foreach (var (node, path) in items)
        {
            var value = ParseEnum<T>(Scalar(node, path, _errors), path, _errors);
            if (value is null)
            {
                ok = false;
            }
            else if (values.Contains(value.Value))
            {
                ErrorAt(path, $"'{YamlNames.Of(value.Value)}' is listed twice");
                ok = false;
            }
            else
            {
                values.Add(value.Value);
            }
        }
        return ok ? values : null;
    }

    /// <summary>Reports keys nobody asked for: a misspelt key must not silently fall back to nothing.</summary>
    public void RejectUnknownKeys()
    {
        if (_node is null)
        {
            return;
        }
        foreach (var key in _node.Children.Keys)
        {
            var name = (key as YamlScalarNode)?.Value ?? key.ToString();
            if (!_known.Contains(name))
            {
                ErrorAt(PathOf(name), $"is not a known key here; expected one of: {string.Join(", ", _known.Order(StringComparer.Ordinal))}");
            }
        }
    }

    public static string? Scalar(YamlNode node, string path, List<PolicyError> errors)
    {
        if (node is YamlScalarNode scalar)
        {
            return scalar.Value;
        }
        errors.Add(new PolicyError(path, "must be a single value"));
        return null;
    }

    public static long? ParseLong(string? text, string path, long min, long max, List<PolicyError> errors)
    {
        if (text is null)
        {
            return null;
        }
        if (!long.TryParse(text.Replace("_", "", StringComparison.Ordinal), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            errors.Add(new PolicyError(path, $"'{text}' is not a whole number"));
            return null;
        }
        if (value < min || value > max)
        {
            errors.Add(new PolicyError(path, $"{value} is out of range; expected {min} to {max}"));
            return null;
        }
        return value;
    }

    public static DateOnly? ParseDate(string? text, string path, List<PolicyError> errors)
    {
        if (text is null)
        {
            return null;
        }
        if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            errors.Add(new PolicyError(path, $"'{text}' is not a date (yyyy-MM-dd)"));
            return null;
        }
        return date;
    }

    public static T? ParseEnum<T>(string? text, string path, List<PolicyError> errors)
        where T : struct, Enum
    {
        if (text is null)
        {
            return null;
        }
        if (YamlNames.TryParse<T>(text, out var value))
        {
            return value;
        }
        errors.Add(new PolicyError(path, $"'{text}' is not one of: {string.Join(", ", System.Enum.GetValues<T>().Select(v => YamlNames.Of(v)))}"));
        return null;
    }
}

/// <summary>Enum values as documents write them: snake_case (<c>poverty_alleviated</c>, <c>greater_than</c>).</summary>
internal static class YamlNames
{
    public static string Of<T>(T value)
        where T : struct, Enum
    {
        var name = value.ToString();
        if (name.Length == 1)
        {
            return name; // letter grades (C, D) are written as letters
        }
        var builder = new System.Text.StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                builder.Append('_');
            }
            builder.Append(char.ToLowerInvariant(name[i]));
        }
        return builder.ToString();
    }

    public static bool TryParse<T>(string text, out T value)
        where T : struct, Enum
    {
        foreach (var candidate in System.Enum.GetValues<T>())
        {
            if (string.Equals(Of(candidate), text, StringComparison.Ordinal))
            {
                value = candidate;
                return true;
            }
        }
        value = default;
        return false;
    }
}
