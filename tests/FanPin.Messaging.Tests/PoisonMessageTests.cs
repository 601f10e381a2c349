using FanPin.IntegrationEvents;
using FanPin.Messaging.ErrorQueues;
using FanPin.Messaging.Tests.Support;
using FanPin.Messaging.TestHost;
using FanPin.Messaging.TestHost.Consumers;
using FanPin.Testing;
using Microsoft.Extensions.Hosting;

namespace FanPin.Messaging.Tests;

/// <summary>
/// A message whose consumer fails for a non-transient reason is not retried and not acknowledged as handled: it
/// lands in the error queue with its exception, and after the cause is fixed `fanpin messages replay` brings it
/// back and it is consumed. A transient failure, by contrast, is retried in memory and succeeds.
/// </summary>
public class PoisonMessageTests(ScenarioInfrastructure infrastructure) : IClassFixture<ScenarioInfrastructure>
{
    [Fact]
    public async Task A_poison_message_lands_in_the_error_queue_with_its_exception_and_is_consumed_after_a_replay()
    {
        var database = infrastructure.PostgresConnectionString;
        var broker = new Uri(infrastructure.RabbitMqConnectionString);
        var service = "poison-" + infrastructure.Id;
        var queue = service + "-member-changed";
        var known = Events.Household(1);
        var unknown = Events.Household(2);
        await Db.ExecuteAsync(database, $"INSERT INTO known_household VALUES ('{known}')");
        MemberChanged Member(Guid household, string kind) => new()
        {
            RegionCode = "620102001001",
            HouseholdId = household,
            MemberId = Guid.CreateVersion7(),
            ChangeKind = kind,
            ChangedFields = ["Health"],
        };
        var good = Member(known, "Changed");
        var flaky = Member(known, "Flaky");
        var poison = Member(unknown, "Changed");

        using var host = ScenarioHost.Build(service, database, broker.ToString(), m => m.AddConsumer<MemberChangedConsumer>());
        await host.StartAsync();
        try
        {
            await host.WaitForBusAsync();
            await Db.CommitAsync(database, [good, flaky, poison]);

            await Eventually.WaitAsync(async () => await Db.CountAsync(database, "SELECT count(*) FROM side_effect") == 2, "the good and the flaky event's side effects",
                describe: () => DbDiagnostics.DescribeAsync(database));
            IReadOnlyList<ErrorMessage> errors = [];
            await Eventually.WaitAsync(async () => (errors = await ErrorQueue.PeekAsync(broker, queue, 10, CancellationToken.None)).Count > 0, "the poison message in the error queue");

            var error = Assert.Single(errors);
            Assert.Equal(poison.EventId.ToString("D"), error.MessageId);
            Assert.Equal(typeof(InvalidOperationException).FullName, error.ExceptionType);
            Assert.Contains($"household {unknown} is not in the registry", error.ExceptionMessage, StringComparison.Ordinal);
            Assert.Equal(0, error.Replays);
            // A data error is not retried; a timeout is, until it succeeds.
            Assert.Equal(1, MemberChangedConsumer.Attempts[poison.EventId]);
            Assert.Equal(3, MemberChangedConsumer.Attempts[flaky.EventId]);
            Assert.Equal(0, await Db.CountAsync(database, $"SELECT count(*) FROM inbox_message WHERE event_id = '{poison.EventId}'"));

            // The operator fixes the cause, then replays with the CLI.
            await Db.ExecuteAsync(database, $"INSERT INTO known_household VALUES ('{unknown}')");
            using (var replay = ChildProcess.StartDll(Paths.CliDll, "messages", "replay", "--queue", queue, "--uri", broker.ToString()))
            {
                Assert.Equal(0, await replay.WaitForExitAsync(TimeSpan.FromSeconds(60)));
                Assert.Contains($"replayed 1 from {queue}_error to {queue}", replay.Output, StringComparison.Ordinal);
            }

            await Eventually.WaitAsync(async () => await Db.CountAsync(database, $"SELECT count(*) FROM side_effect WHERE event_id = '{poison.EventId}'") == 1,
                "the replayed message's side effect", describe: () => DbDiagnostics.DescribeAsync(database));
            Assert.Empty(await ErrorQueue.PeekAsync(broker, queue, 10, CancellationToken.None));
        }
        finally
        {
            await host.StopAsync();
        }
        Assert.Equal(2, MemberChangedConsumer.Attempts[poison.EventId]);
        Assert.Equal(3, await Db.CountAsync(database, "SELECT count(*) FROM side_effect"));
        Assert.Equal(3, await Db.CountAsync(database, "SELECT count(DISTINCT event_id) FROM side_effect"));
    }
}
