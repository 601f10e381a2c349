using FanPin.IntegrationEvents;
using FanPin.Messaging.Diagnostics;
using FanPin.Messaging.Tests.Support;
using FanPin.Messaging.TestHost;
using FanPin.Messaging.TestHost.Consumers;
using FanPin.Testing;
using Microsoft.Extensions.Hosting;

namespace FanPin.Messaging.Tests;

/// <summary>The happy path through real PostgreSQL and RabbitMQ: commit → relay → MassTransit → idempotent consumer.</summary>
public class OutboxEndToEndTests(ScenarioInfrastructure infrastructure) : IClassFixture<ScenarioInfrastructure>
{
    [Fact]
    public async Task Committed_events_reach_the_consumer_once_and_are_marked_published()
    {
        using var metrics = new MetricRecorder();
        var service = "e2e-" + infrastructure.Id;
        using var host = ScenarioHost.Build(service, infrastructure.PostgresConnectionString, infrastructure.RabbitMqConnectionString,
            m => m.AddConsumer<HouseholdChangedConsumer>().AddConsumer<WarningRaisedConsumer>());
        await host.StartAsync();
        try
        {
            var events = Events.ChangedBurst(300, households: 7);
            await Db.CommitAsync(infrastructure.PostgresConnectionString, events, perTransaction: 25);
            var raised = (WarningRaised)PublicEventSamples.For(typeof(WarningRaised)); // grade II
            await Db.CommitAsync(infrastructure.PostgresConnectionString, [raised]);

            await Eventually.WaitAsync(async () => await Db.CountAsync(infrastructure.PostgresConnectionString, "SELECT count(*) FROM side_effect") >= 301,
                "300 side effects", describe: () => DbDiagnostics.DescribeAsync(infrastructure.PostgresConnectionString));
            await Eventually.WaitAsync(async () => await Db.PendingAsync(infrastructure.PostgresConnectionString) == 0, "an empty backlog");
        }
        finally
        {
            await host.StopAsync();
        }
        var cs = infrastructure.PostgresConnectionString;
        Assert.Equal(300, await Db.CountAsync(cs, "SELECT count(DISTINCT event_id) FROM side_effect WHERE consumer LIKE '%HouseholdChangedConsumer'"));
        Assert.Equal(300, await Db.CountAsync(cs, "SELECT count(*) FROM side_effect WHERE consumer LIKE '%HouseholdChangedConsumer'"));
        // The grade arrived by name through the relay's envelope and MassTransit's deserializer.
        Assert.Equal(1, await Db.CountAsync(cs, "SELECT count(*) FROM side_effect WHERE consumer = 'grade:II'"));
        Assert.Equal(301, await Db.CountAsync(cs, "SELECT count(*) FROM outbox_message WHERE published_at IS NOT NULL AND destination = 0"));
        Assert.Equal(1, await Db.CountAsync(cs, "SELECT count(*) FROM outbox_message WHERE published_at IS NOT NULL AND destination = 1"));
        Assert.Equal(301, await Db.CountAsync(cs, "SELECT count(*) FROM inbox_message"));
        Assert.Equal(302, metrics.Sum("fanpin.messaging.outbox.published", service));
        Assert.Equal(300, metrics.Sum("fanpin.messaging.inbox.processed", service + "-household-changed"));
    }
}
