using System.Text.Json;
using System.Text.Json.Serialization;
using FanPin.Monitoring.Domain;

namespace FanPin.Monitoring.Infrastructure;

/// <summary>How monitoring writes JSON (event payloads, stored evaluations): camelCase, enums as names, months as "yyyy-MM".</summary>
public static class MonitoringJson
{
    /// <summary>The options.</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(), new YearMonthConverter() },
    };

    private sealed class YearMonthConverter : JsonConverter<YearMonth>
    {
        public override YearMonth Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            YearMonth.TryParse(reader.GetString(), out var month) ? month : throw new JsonException("expected a month (yyyy-MM)");

        public override void Write(Utf8JsonWriter writer, YearMonth value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
    }
}
