using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace FanPin.Messaging.Tests.Support;

/// <summary>
/// A small JSON Schema (2020-12) validator for the keywords docs/schemas uses: type, const, enum, pattern, format
/// (uuid, date-time, date), minimum, maximum, minLength, properties, required, additionalProperties (boolean),
/// items. No package for this restores here; unknown keywords fail loudly so the schemas cannot outgrow it silently.
/// </summary>
internal static class JsonSchemaValidator
{
    private static readonly HashSet<string> Known =
    [
        "$schema", "$id", "title", "description", "type", "const", "enum", "pattern", "format", "minimum", "maximum",
        "minLength", "properties", "required", "additionalProperties", "items",
    ];

    public static IReadOnlyList<string> Validate(JsonElement schema, JsonElement value)
    {
        var errors = new List<string>();
        Check(schema, value, "$", errors);
        return errors;
    }

    private static void Check(JsonElement schema, JsonElement value, string path, List<string> errors)
    {
        foreach (var keyword in schema.EnumerateObject())
        {
            if (!Known.Contains(keyword.Name))
            {
                throw new NotSupportedException($"schema keyword '{keyword.Name}' at {path} is not supported by the test validator");
            }
        }
        if (schema.TryGetProperty("type", out var type) && !TypeMatches(type, value))
        {
            errors.Add($"{path}: expected {type}, got {value.ValueKind}");
            return;
        }
        if (schema.TryGetProperty("const", out var constant) && !JsonElement.DeepEquals(constant, value))
        {
            errors.Add($"{path}: expected {constant}, got {value}");
        }
        if (schema.TryGetProperty("enum", out var values) && !values.EnumerateArray().Any(v => JsonElement.DeepEquals(v, value)))
        {
            errors.Add($"{path}: {value} is not one of {values}");
        }
        if (value.ValueKind == JsonValueKind.String)
        {
            var text = value.GetString()!;
            if (schema.TryGetProperty("pattern", out var pattern) && !Regex.IsMatch(text, pattern.GetString()!, RegexOptions.None, TimeSpan.FromSeconds(1)))
            {
                errors.Add($"{path}: '{text}' does not match {pattern}");
            }
            if (schema.TryGetProperty("minLength", out var minLength) && text.Length < minLength.GetInt32())
            {
                errors.Add($"{path}: '{text}' is shorter than {minLength}");
            }
            if (schema.TryGetProperty("format", out var format) && !FormatMatches(format.GetString()!, text))
            {
                errors.Add($"{path}: '{text}' is not a valid {format}");
            }
        }
        if (value.ValueKind == JsonValueKind.Number)
        {
            if (schema.TryGetProperty("minimum", out var minimum) && value.GetDecimal() < minimum.GetDecimal())
            {
                errors.Add($"{path}: {value} is below {minimum}");
            }
            if (schema.TryGetProperty("maximum", out var maximum) && value.GetDecimal() > maximum.GetDecimal())
            {
                errors.Add($"{path}: {value} is above {maximum}");
            }
        }
        if (value.ValueKind == JsonValueKind.Object)
        {
            var properties = schema.TryGetProperty("properties", out var p) ? p : default;
            if (schema.TryGetProperty("required", out var required))
            {
                foreach (var name in required.EnumerateArray().Select(r => r.GetString()!))
                {
                    if (!value.TryGetProperty(name, out _))
                    {
                        errors.Add($"{path}: required property '{name}' is missing");
                    }
                }
            }
            foreach (var property in value.EnumerateObject())
            {
                if (properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(property.Name, out var propertySchema))
                {
                    Check(propertySchema, property.Value, $"{path}.{property.Name}", errors);
                }
                else if (schema.TryGetProperty("additionalProperties", out var additional) && additional.ValueKind == JsonValueKind.False)
                {
                    errors.Add($"{path}: property '{property.Name}' is not in the schema");
                }
            }
        }
        if (value.ValueKind == JsonValueKind.Array && schema.TryGetProperty("items", out var items))
        {
            var i = 0;
            foreach (var item in value.EnumerateArray())
            {
                Check(items, item, $"{path}[{i++}]", errors);
            }
        }
    }

    private static bool TypeMatches(JsonElement type, JsonElement value) =>
        type.ValueKind == JsonValueKind.Array
            ? type.EnumerateArray().Any(t => KindMatches(t.GetString()!, value))
            : KindMatches(type.GetString()!, value);

    private static bool KindMatches(string type, JsonElement value) => type switch
    {
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        "string" => value.ValueKind == JsonValueKind.String,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
        "number" => value.ValueKind == JsonValueKind.Number,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => value.ValueKind == JsonValueKind.Null,
        _ => throw new NotSupportedException($"type '{type}'"),
    };

    private static bool FormatMatches(string format, string text) => format switch
    {
        "uuid" => Guid.TryParseExact(text, "D", out _),
        "date-time" => Regex.IsMatch(text, @"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$", RegexOptions.None, TimeSpan.FromSeconds(1))
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
        "date" => DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
        _ => throw new NotSupportedException($"format '{format}'"),
    };
}
