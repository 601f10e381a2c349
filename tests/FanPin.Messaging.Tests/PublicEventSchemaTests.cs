using System.Text.Json;
using FanPin.IntegrationEvents;
using FanPin.Messaging.PublicEvents;
using FanPin.Messaging.Serialization;
using FanPin.Messaging.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace FanPin.Messaging.Tests;

/// <summary>The published catalogue (docs/schemas, docs/asyncapi.yaml) matches what the code actually serializes.</summary>
public class PublicEventSchemaTests
{
    public static TheoryData<string> PublicTypes()
    {
        var data = new TheoryData<string>();
        foreach (var type in IntegrationEventTypes.Default.All.Where(t => IntegrationEventTypes.PublicEventOf(t) is not null).OrderBy(t => t.Name))
        {
            data.Add(type.FullName!);
        }
        return data;
    }

    [Fact]
    public void The_public_events_are_the_warning_and_household_milestones()
    {
        var types = IntegrationEventTypes.Default.All.Select(t => IntegrationEventTypes.PublicEventOf(t)?.CloudEventType).OfType<string>().Order().ToList();
        Assert.Equal(
        [
            "cn.fanpin.household.identified.v1", "cn.fanpin.household.risk-eliminated.v1",
            "cn.fanpin.warning.cleared.v1", "cn.fanpin.warning.escalated.v1", "cn.fanpin.warning.grade-changed.v1", "cn.fanpin.warning.raised.v1",
        ], types);
    }

    [Theory]
    [MemberData(nameof(PublicTypes))]
    public void The_serialized_CloudEvent_and_its_data_match_the_published_schemas(string typeName)
    {
        var type = IntegrationEventTypes.Default.Resolve(typeName);
        var info = IntegrationEventTypes.PublicEventOf(type)!;
        var sample = PublicEventSamples.For(type);
        using var document = JsonDocument.Parse(CloudEventFormatter.Serialize(sample, info, "/fanpin/grading"));

        Assert.Empty(JsonSchemaValidator.Validate(Schema("cloudevent.json"), document.RootElement));
        var dataSchema = Schema(info.CloudEventType + ".json");
        var data = document.RootElement.GetProperty("data");
        Assert.Empty(JsonSchemaValidator.Validate(dataSchema, data));
        // Both ways: every serialized property is documented (additionalProperties: false) and every documented one is sent.
        Assert.Equal(
            dataSchema.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order(),
            data.EnumerateObject().Select(p => p.Name).Order());
    }

    [Fact]
    public void The_schema_check_rejects_data_that_drifted()
    {
        var schema = Schema("cn.fanpin.warning.raised.v1.json");
        var good = JsonSerializer.SerializeToElement(PublicEventSamples.For(typeof(WarningRaised)), typeof(WarningRaised), EventJson.Options);
        Assert.Empty(JsonSchemaValidator.Validate(schema, good));

        var node = System.Text.Json.Nodes.JsonNode.Parse(good.GetRawText())!.AsObject();
        node["grade"] = 2;                 // a number instead of the grade's name
        node["surprise"] = "new field";    // an undocumented property
        node.Remove("sequence");           // a documented one missing
        node["regionCode"] = "6201";       // not 12 digits
        var errors = JsonSchemaValidator.Validate(schema, JsonDocument.Parse(node.ToJsonString()).RootElement);
        Assert.Contains(errors, e => e.Contains("$.grade", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'surprise'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'sequence'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("$.regionCode", StringComparison.Ordinal));
    }

    [Fact]
    public void The_AsyncAPI_document_lists_every_public_event_with_its_schema_and_routing_key()
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(Paths.Docs, "asyncapi.yaml")))
        {
            yaml.Load(reader);
        }
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        Assert.StartsWith("2.6", ((YamlScalarNode)root["asyncapi"]).Value, StringComparison.Ordinal);
        var messages = (YamlMappingNode)((YamlMappingNode)root["components"])["messages"];
        var documented = new Dictionary<string, YamlMappingNode>();
        foreach (var (_, value) in messages.Children)
        {
            var message = (YamlMappingNode)value;
            documented[((YamlScalarNode)message["name"]).Value!] = message;
        }
        foreach (var type in IntegrationEventTypes.Default.All)
        {
            if (IntegrationEventTypes.PublicEventOf(type) is not { } info)
            {
                continue;
            }
            Assert.True(documented.TryGetValue(info.CloudEventType, out var message), $"{info.CloudEventType} is missing from docs/asyncapi.yaml");
            var payload = (YamlMappingNode)message["payload"];
            var dataRef = ((YamlScalarNode)((YamlMappingNode)((YamlMappingNode)payload["properties"])["data"])["$ref"]).Value!;
            Assert.Equal($"schemas/{info.CloudEventType}.json", dataRef);
            Assert.True(File.Exists(Path.Combine(Paths.Docs, dataRef)), dataRef);
            var bindings = (YamlMappingNode)((YamlMappingNode)message["bindings"])["amqp"];
            Assert.Equal($"{info.Area}.{info.Name}.{{pp}}.{{cc}}.{{dd}}.{{ttt}}.{{vvv}}", ((YamlScalarNode)bindings["x-routingKeyPattern"]).Value);
        }
        Assert.Equal(documented.Count, IntegrationEventTypes.Default.All.Count(t => IntegrationEventTypes.PublicEventOf(t) is not null));
    }

    private static JsonElement Schema(string file) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Paths.Docs, "schemas", file))).RootElement;
}
