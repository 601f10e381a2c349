using System.Text.Json;
using FanPin.IntegrationEvents;
using MassTransit;
using MassTransit.Serialization;

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

    /// <summary>The envelope of one event.</summary>
    public static byte[] Serialize(IntegrationEvent message, Type messageType, Uri sourceAddress, Uri destinationAddress, DateTimeOffset sentTime)
    {
        using var buffer = new MemoryStream(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("messageId", message.EventId);
            if (message.CorrelationId != Guid.Empty)
            {
                writer.WriteString("correlationId", message.CorrelationId);
                writer.WriteString("conversationId", message.CorrelationId);
            }
            else
            {
                writer.WriteString("conversationId", message.EventId);
            }
            writer.WriteString("sourceAddress", sourceAddress.ToString());
            writer.WriteString("destinationAddress", destinationAddress.ToString());
            writer.WriteStartArray("messageType");
            writer.WriteStringValue(UrnOf(messageType));
            writer.WriteEndArray();
            writer.WritePropertyName("message");
            JsonSerializer.Serialize(writer, message, messageType, SystemTextJsonMessageSerializer.Options);
            writer.WriteString("sentTime", sentTime.UtcDateTime);
            writer.WriteStartObject("headers");
            writer.WriteString(RegionHeader, message.RegionCode);
            writer.WriteEndObject();
            writer.WriteStartObject("host");
            writer.WriteString("machineName", Environment.MachineName);
            writer.WriteString("processName", Environment.ProcessPath is { } path ? Path.GetFileNameWithoutExtension(path) : "dotnet");
            writer.WriteNumber("processId", Environment.ProcessId);
            writer.WriteString("frameworkVersion", Environment.Version.ToString());
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>Header naming the event's region (for tracing and ad-hoc inspection of queues).</summary>
    public const string RegionHeader = "FanPin-RegionCode";
}
