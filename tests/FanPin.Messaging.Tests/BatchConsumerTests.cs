using FanPin.IntegrationEvents;
using FanPin.Messaging.Tests.Support;
using FanPin.Messaging.TestHost;
using FanPin.Messaging.TestHost.Consumers;
using FanPin.Testing;
using Microsoft.Extensions.Hosting;

namespace FanPin.Messaging.Tests;

/// <summary>The batch consumer applies each event once per batch transaction and skips redelivered ones.</summary>
public class BatchConsumerTests(ScenarioInfrastructure infrastructure) : IClassFixture<ScenarioInfrastructure>
{
    [Fact]
    public async Task A_batch_consumer_applies_every_event_once_and_skips_redeliveries()
    {
        var database = infrastructure.PostgresConnectionString;
        var service = "batch-" + infrastructure.Id;
        var endpoint = service + "-household-registered-batch";
        using var metrics = new MetricRecorder();
        using var host = ScenarioHost.Build(service, database, infrastructure.RabbitMqConnectionString,
            m => m.AddBatchConsumer<HouseholdRegisteredBatchConsumer>(messageLimit: 50, timeLimitMs: 20));
        await host.StartAsync();
        try
        {
            await host.WaitForBusAsync();
            var events = Enumerable.Range(0, 500)
                .Select(i => (IntegrationEvent)new HouseholdRegistered { RegionCode = "620102001001", HouseholdId = Events.Household(i), Category = "Ordinary", MemberCount = 3 })
                .ToList();
            await Db.CommitAsync(database, events, perTransaction: 50);
            await Eventually.WaitAsync(async () => await Db.CountAsync(database, "SELECT count(*) FROM side_effect") == 500, "500 side effects",
                describe: () => DbDiagnostics.DescribeAsync(database));

            // Make the relay publish 100 of them again, as after a crash between publish and mark.
            await Db.ExecuteAsync(database, "UPDATE outbox_message SET published_at = NULL WHERE id IN (SELECT id FROM outbox_message ORDER BY id LIMIT 100)");
            await Eventually.WaitAsync(() => Task.FromResult(metrics.Sum("fanpin.messaging.inbox.duplicates", endpoint) >= 100), "the redeliveries to be skipped");
        }
        finally
        {
            await host.StopAsync();
        }
        Assert.Equal(500, await Db.CountAsync(database, "SELECT count(*) FROM side_effect"));
        Assert.Equal(500, await Db.CountAsync(database, "SELECT count(DISTINCT event_id) FROM side_effect"));
        Assert.Equal(500, metrics.Sum("fanpin.messaging.inbox.processed", endpoint));
        Assert.Equal(100, metrics.Sum("fanpin.messaging.inbox.duplicates", endpoint));
        // Inbox rows of one transaction share its now(): fewer distinct times than events means batches really formed.
        Assert.True(await Db.CountAsync(database, "SELECT count(DISTINCT processed_at) FROM inbox_message") < 500, "expected events to share batch transactions");
    }
}
