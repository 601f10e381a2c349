using System.Text.Json;
using System.Text.Json.Serialization;

namespace FanPin.Messaging.Serialization;

/// <summary>
/// The one JSON shape of an event: outbox payloads and the public CloudEvents <c>data</c> use it, and the
/// JSON Schemas in docs/schemas describe it. camelCase properties, enums by name, nulls written out.
/// </summary>
public static class EventJson
{
    /// <summary>Read-only serializer options (safe to share).</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
            WriteIndented = false,
        };
        // Enum names ("II", "Grade"), never numbers: downstream systems read them and numbers would drift silently.
        options.Converters.Add(new JsonStringEnumConverter(allowIntegerValues: false));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
