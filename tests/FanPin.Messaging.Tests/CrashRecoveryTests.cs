using FanPin.LocalInfrastructure;
using FanPin.Messaging.Tests.Support;
using FanPin.Messaging.TestHost;
using FanPin.Messaging.TestHost.Consumers;
using FanPin.Testing;
using Microsoft.Extensions.Hosting;

namespace FanPin.Messaging.Tests;

/// <summary>
/// A publishing service is killed with SIGKILL while events are committed but not yet published, and while a
/// batch is published but not yet marked. After a restart every event reaches the consumer's side effects
/// exactly once: the unpublished ones are published, the re-published ones are skipped by the inbox.
/// </summary>
public class CrashRecoveryTests(ScenarioInfrastructure infrastructure) : IClassFixture<ScenarioInfrastructure>
{
    private const int Count = 2000;

    [Fact]
    public async Task A_publisher_killed_between_commit_and_publish_loses_and_duplicates_nothing()
    {
        var database = infrastructure.PostgresConnectionString;
        var broker = infrastructure.RabbitMqConnectionString;
        var service = "crash-" + infrastructure.Id;
        using var metrics = new MetricRecorder();
        // The consuming service runs here; its relay is off because the publisher's outbox lives in the same test database.
        using var consumer = ScenarioHost.Build("consumer-" + infrastructure.Id, database, broker, m =>
        {
            m.Options.Relay.Enabled = false;
            m.AddConsumer<HouseholdChangedConsumer>();
        });
        await consumer.StartAsync();
        try
        {
            await consumer.WaitForBusAsync();

            using (var publisher = ChildProcess.StartDll(Paths.TestHostDll, "publish", "--db", database, "--broker", broker, "--service", service,
                "--count", Count.ToString(System.Globalization.CultureInfo.InvariantCulture), "--households", "40", "--pause-after-batches", "3"))
            {
                await publisher.WaitForLineAsync("COMMITTED", TimeSpan.FromSeconds(90));
                await publisher.WaitForLineAsync("PAUSED", TimeSpan.FromSeconds(90));
                Assert.Equal(0, LocalServer.Native.kill(publisher.Id, LocalServer.Native.SIGKILL));
                await publisher.WaitForExitAsync(TimeSpan.FromSeconds(30));
                Assert.False(Directory.Exists($"/proc/{publisher.Id}") && !IsZombie(publisher.Id), "the publisher still runs");
            }

            // Killed with committed events never published: they exist only in the outbox.
            var pendingAfterKill = await Db.PendingAsync(database);
            Assert.True(pendingAfterKill > 0, "the kill should leave unpublished events");

            using (var restarted = ChildProcess.StartDll(Paths.TestHostDll, "relay", "--db", database, "--broker", broker, "--service", service))
            {
                await restarted.WaitForLineAsync("RELAYING", TimeSpan.FromSeconds(90));
                await Eventually.WaitAsync(async () => await Db.PendingAsync(database) == 0, "the restarted relay to publish the backlog",
                    describe: () => DbDiagnostics.DescribeAsync(database));
                await Eventually.WaitAsync(async () => await Db.CountAsync(database, "SELECT count(DISTINCT event_id) FROM side_effect") == Count,
                    "every event's side effect", describe: () => DbDiagnostics.DescribeAsync(database));
                await restarted.StandardInput.DisposeAsync(); // graceful stop
                await restarted.WaitForExitAsync(TimeSpan.FromSeconds(60));
            }
        }
        finally
        {
            await consumer.StopAsync();
        }

        Assert.Equal(Count, await Db.CountAsync(database, "SELECT count(*) FROM side_effect"));
        Assert.Equal(Count, await Db.CountAsync(database, "SELECT count(DISTINCT event_id) FROM side_effect"));
        Assert.Equal(Count, await Db.CountAsync(database, "SELECT count(*) FROM outbox_message WHERE published_at IS NOT NULL"));
        Assert.Equal(Count, metrics.Sum("fanpin.messaging.inbox.processed", ConsumerName));
        // The batch that was published but not marked when the process died was published again and skipped.
        Assert.True(metrics.Sum("fanpin.messaging.inbox.duplicates", ConsumerName) > 0, "expected re-published events to be skipped as duplicates");
    }

    private string ConsumerName => $"consumer-{infrastructure.Id}-household-changed"; // the consumer's queue: unique to this test

    private static bool IsZombie(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (IOException)
        {
            return true;
        }
    }
}
