using System.Text.Json;
using MassTransit;

namespace FanPin.Messaging.Transport;

/// <summary>
/// MassTransit's JSON message envelope (<c>application/vnd.masstransit+json</c>), the documented format for
/// producing messages MassTransit consumers read, written for the relay's own publisher. The message itself is
/// serialized with MassTransit's own serializer options, so consumers see exactly what <c>IBus.Publish</c> would send.
/// </summary>
public static class MassTransitEnvelope
{
    public const string ContentType = "application/vnd.masstransit+json";

    /// <summary>The fanout exchange MassTransit publishes a message type to: "Namespace:TypeName".</summary>
    public static string ExchangeOf(Type messageType) => $"{messageType.Namespace}:{messageType.Name}";

    /// <summary>The message type URN consumers match on, e.g. <c>urn:message:FanPin.IntegrationEvents:WarningRaised</c>.</summary>
    public static string UrnOf(Type messageType) => MessageUrn.ForTypeString(messageType);

    /// <summary>
    /// The envelope of one event, embedding its outbox payload (<see cref="Serialization.EventJson"/>) as the message:
    /// no deserialization in the relay. MassTransit reads it because <c>AddFanPinMessaging</c> gives its serializer the
    /// same enum-by-name converter.
    /// </summary>
    public static byte[] Serialize(string payload, Type messageType, Guid eventId, Guid correlationId, Uri sourceAddress, Uri destinationAddress, DateTimeOffset sentTime)
    {
        using var buffer = new MemoryStream(payload.Length + 768);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("messageId", eventId);
            if (correlationId != Guid.Empty)
            {
                writer.WriteString("correlationId", correlationId);
            }
            writer.WriteString("conversationId", correlationId != Guid.Empty ? correlationId : eventId);
            writer.WriteString("sourceAddress", sourceAddress.ToString());
            writer.WriteString("destinationAddress", destinationAddress.ToString());
            writer.WriteStartArray("messageType");
            writer.WriteStringValue(UrnOf(messageType));
            writer.WriteEndArray();
            writer.WritePropertyName("message");
            writer.WriteRawValue(payload, skipInputValidation: true);
            writer.WriteString("sentTime", sentTime.UtcDateTime);
            writer.WriteStartObject("host");
            writer.WriteString("machineName", Environment.MachineName);
            writer.WriteString("processName", ProcessName);
            writer.WriteNumber("processId", Environment.ProcessId);
            writer.WriteString("frameworkVersion", Environment.Version.ToString());
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static readonly string ProcessName = Environment.ProcessPath is { } path ? Path.GetFileNameWithoutExtension(path) : "dotnet";
}
