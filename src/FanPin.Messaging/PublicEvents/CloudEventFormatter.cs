using System.Globalization;
using System.Text.Json;
using FanPin.IntegrationEvents;
using FanPin.Messaging.Serialization;

namespace FanPin.Messaging.PublicEvents;

/// <summary>
/// Writes an event as a CloudEvents 1.0 JSON document in structured mode (the whole envelope in the body,
/// content type <c>application/cloudevents+json</c>), so a subscriber needs nothing but a JSON parser.
/// </summary>
public static class CloudEventFormatter
{
    /// <summary>The AMQP content type of a structured-mode CloudEvent.</summary>
    public const string ContentType = "application/cloudevents+json";

    /// <summary>CloudEvents extension attribute carrying the 12-digit region code (extension names are lower-case alphanumerics).</summary>
    public const string RegionExtension = "regioncode";

    /// <summary>
    /// The document: <c>specversion</c> "1.0", <c>id</c> the event id, <c>source</c> (e.g. "/fanpin/grading"),
    /// <c>type</c> (e.g. "cn.fanpin.warning.raised.v1"), <c>subject</c> the household id (the region code for
    /// events without a household), <c>time</c> the occurred-at in UTC, <c>datacontenttype</c> "application/json",
    /// <c>regioncode</c>, and <c>data</c>: the event in <see cref="EventJson"/> form.
    /// </summary>
    public static byte[] Serialize(IntegrationEvent integrationEvent, PublicEventAttribute info, string source)
    {
        using var buffer = new MemoryStream(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("specversion", "1.0");
            writer.WriteString("id", integrationEvent.EventId.ToString("D"));
            writer.WriteString("source", source);
            writer.WriteString("type", info.CloudEventType);
            writer.WriteString("subject", SubjectOf(integrationEvent));
            writer.WriteString("time", FormatTime(integrationEvent.OccurredAt));
            writer.WriteString("datacontenttype", "application/json");
            writer.WriteString(RegionExtension, integrationEvent.RegionCode);
            writer.WritePropertyName("data");
            JsonSerializer.Serialize(writer, integrationEvent, integrationEvent.GetType(), EventJson.Options);
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>The CloudEvents subject: the household id, else the region code.</summary>
    public static string SubjectOf(IntegrationEvent integrationEvent) =>
        integrationEvent.HouseholdId?.ToString("D") ?? integrationEvent.RegionCode;

    /// <summary>RFC 3339 in UTC with a 'Z' (what most CloudEvents SDKs write and every parser reads).</summary>
    public static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
}
