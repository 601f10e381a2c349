using System.Text.Json;
using FanPin.IntegrationEvents;
using FanPin.Messaging.PublicEvents;
using FanPin.Messaging.Serialization;
using FanPin.Messaging.Tests.Support;
using FanPin.Messaging.TestHost;
using FanPin.Testing;
using Microsoft.Extensions.Hosting;

namespace FanPin.Messaging.Tests;

/// <summary>
/// A downstream system with no MassTransit and no .NET (Python and Debian's python3-pika) binds one county's prefix
/// on the public exchange and receives exactly that county's public events, each a valid CloudEvent.
/// </summary>
public class DownstreamSubscriberTests(ScenarioInfrastructure infrastructure) : IClassFixture<ScenarioInfrastructure>
{
    private const string Python = "/usr/bin/python3";

    [Fact]
    public async Task A_plain_AMQP_subscriber_bound_to_one_county_receives_exactly_that_countys_public_events()
    {
        Assert.True(File.Exists(Python), "Debian's python3 (with python3-pika) is required: apt-get install -y python3-pika");
        var database = infrastructure.PostgresConnectionString;
        var broker = infrastructure.RabbitMqConnectionString;
        var service = "grading";
        var binding = PublicRouting.BindingKey(RegionPrefix.Parse("620102"));
        Assert.Equal("*.*.62.01.02.#", binding);

        var events = new List<IntegrationEvent>();
        foreach (var region in new[] { "620102001001", "620102002003", "620102000000", "620103001001", "620202001001", "630102001001", "620102001001" })
        {
            events.Add(PublicEventSamples.For(typeof(WarningRaised), region));
            events.Add(PublicEventSamples.For(typeof(WarningCleared), region));
        }
        events.Add(PublicEventSamples.For(typeof(HouseholdIdentified), "620102003004"));
        events.Add(PublicEventSamples.For(typeof(RiskEliminated), "620103003004"));
        events.Add(Events.Changed(Guid.CreateVersion7(), 1, "620102001001")); // internal: never on the public exchange
        var expected = events
            .Where(e => IntegrationEventTypes.PublicEventOf(e.GetType()) is not null && e.RegionCode.StartsWith("620102", StringComparison.Ordinal))
            .ToDictionary(e => e.EventId.ToString("D"));
        Assert.Equal(9, expected.Count);

        using var subscriber = ChildProcess.Start(Python, Path.Combine(AppContext.BaseDirectory, "Downstream", "county_subscriber.py"), broker, binding);
        await subscriber.WaitForLineAsync("READY", TimeSpan.FromSeconds(30));

        using var host = ScenarioHost.Build(service, database, broker);
        await host.StartAsync();
        try
        {
            await Db.CommitAsync(database, events, perTransaction: 5);
            // Published with confirms = routed into the subscriber's queue.
            await Eventually.WaitAsync(async () => await Db.PendingAsync(database) == 0, "every event published",
                describe: () => DbDiagnostics.DescribeAsync(database));
        }
        finally
        {
            await host.StopAsync();
        }
        await subscriber.StandardInput.DisposeAsync();
        await subscriber.WaitForLineAsync("DONE", TimeSpan.FromSeconds(30));

        var received = subscriber.Lines.Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(expected.Keys.Order(), received.Select(r => r.GetProperty("messageId").GetString()!).Order());
        var envelopeSchema = Schema("cloudevent.json");
        foreach (var message in received)
        {
            var original = expected[message.GetProperty("messageId").GetString()!];
            var info = IntegrationEventTypes.PublicEventOf(original.GetType())!;
            var cloudEvent = message.GetProperty("body");
            Assert.Equal(CloudEventFormatter.ContentType, message.GetProperty("contentType").GetString());
            Assert.True(message.GetProperty("persistent").GetBoolean());
            Assert.Equal(info.CloudEventType, message.GetProperty("type").GetString());
            Assert.Equal(PublicRouting.RoutingKey(info, RegionCode.Parse(original.RegionCode)), message.GetProperty("routingKey").GetString());
            Assert.Empty(JsonSchemaValidator.Validate(envelopeSchema, cloudEvent));
            Assert.Empty(JsonSchemaValidator.Validate(Schema(info.CloudEventType + ".json"), cloudEvent.GetProperty("data")));
            Assert.Equal(original.EventId.ToString("D"), cloudEvent.GetProperty("id").GetString());
            Assert.Equal("/fanpin/grading", cloudEvent.GetProperty("source").GetString());
            Assert.Equal(info.CloudEventType, cloudEvent.GetProperty("type").GetString());
            Assert.Equal(original.HouseholdId!.Value.ToString("D"), cloudEvent.GetProperty("subject").GetString());
            Assert.Equal(original.OccurredAt, cloudEvent.GetProperty("time").GetDateTimeOffset());
            Assert.Equal(original.RegionCode, cloudEvent.GetProperty("regioncode").GetString());
        }
    }

    private static JsonElement Schema(string file) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Paths.Docs, "schemas", file))).RootElement;
}
