using FanPin.LocalInfrastructure;
using FanPin.Messaging.Tests.Support;
using FanPin.Messaging.TestHost;
using FanPin.Messaging.TestHost.Consumers;
using FanPin.Testing;
using Xunit.Abstractions;

namespace FanPin.Messaging.Tests;

/// <summary>
/// The broker is stopped and started again in the middle of a 10,000-event burst, on a private RabbitMQ node
/// (stopping the run's shared one would break the other test classes). Half the burst is committed before the
/// stop, half while the broker is down.
/// </summary>
public class BrokerRestartTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Count = 10_000;
    private readonly string _state = Path.Combine(Path.GetTempPath(), $"fanpin-broker-restart-{Guid.NewGuid():N}");
    private InfrastructureEndpoints? _endpoints;
    private IsolatedInfrastructure? _slice;

    public async Task InitializeAsync()
    {
        var shared = await SharedInfrastructure.GetAsync();
        _endpoints = await SharedInfrastructure.StartAsync(
            new Dictionary<string, string> { [LocalInfrastructureOptions.Postgres] = shared.PostgresAdmin },
            _state,
            new HashSet<string> { LocalInfrastructureOptions.Postgres, LocalInfrastructureOptions.Messaging });
        _slice = IsolatedInfrastructure.On(_endpoints);
        await _slice.InitializeAsync();
        await ScenarioHost.MigrateAsync(_slice.PostgresConnectionString);
    }

    public async Task DisposeAsync()
    {
        if (_slice is not null)
        {
            await _slice.DisposeAsync();
        }
        if (_endpoints is not null)
        {
            await SharedInfrastructure.StopAsync(_endpoints);
        }
        if (Directory.Exists(_state))
        {
            Directory.Delete(_state, recursive: true);
        }
    }

    [Fact]
    public async Task Nothing_is_lost_or_applied_twice_when_the_broker_restarts_during_a_burst()
    {
        var database = _slice!.PostgresConnectionString;
        var rabbit = _endpoints!.Owned!.RabbitMq!;
        var service = "restart-" + _slice.Id;
        using var metrics = new MetricRecorder();
        // The service runs under a supervisor, as in production: should MassTransit's connection wedge, the bus
        // watchdog stops the service and the supervisor starts it again.
        var supervised = new SupervisedHost(() => ScenarioHost.Build(service, database, _slice.RabbitMqConnectionString, m => m.AddConsumer<HouseholdChangedConsumer>()));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        void Phase(string what) => output.WriteLine($"{clock.Elapsed.TotalSeconds,6:0.0} s  {what}");
        await supervised.StartAsync();
        try
        {
            await supervised.Current.WaitForBusAsync();
            var events = Events.ChangedBurst(Count, households: 500);
            await Db.CommitAsync(database, events.Take(Count / 2).ToList(), perTransaction: 100);
            await Eventually.WaitAsync(async () => await Db.CountAsync(database, "SELECT count(*) FROM side_effect") >= 500,
                "the first side effects before the broker stops", describe: () => DbDiagnostics.DescribeAsync(database));

            Phase("first side effects; stopping the broker");
            await rabbit.StopAsync();
            Phase("broker stopped");
            Assert.False(rabbit.IsRunning);
            // The service keeps committing while the broker is down: the events wait in the outbox.
            await Db.CommitAsync(database, events.Skip(Count / 2).ToList(), perTransaction: 100);
            Phase("second half committed while the broker is down");
            await rabbit.StartAsync(TimeSpan.FromSeconds(90), CancellationToken.None);
            Phase("broker serves again");

            await Eventually.WaitAsync(async () => await Db.PendingAsync(database) == 0, "the outbox to drain after the restart",
                TimeSpan.FromSeconds(120), () => DbDiagnostics.DescribeAsync(database));
            Phase("outbox drained");
            await Eventually.WaitAsync(async () => await Db.CountAsync(database, "SELECT count(DISTINCT event_id) FROM side_effect") == Count,
                "every side effect", TimeSpan.FromSeconds(120), async () => await DbDiagnostics.DescribeAsync(database) + $", restarts {supervised.Restarts}");
        }
        finally
        {
            Phase("all side effects applied");
            output.WriteLine($"service restarts by the bus watchdog: {supervised.Restarts}");
            await supervised.DisposeAsync();
        }

        Assert.Equal(Count, await Db.CountAsync(database, "SELECT count(*) FROM side_effect"));
        Assert.Equal(Count, await Db.CountAsync(database, "SELECT count(DISTINCT event_id) FROM side_effect"));
        Assert.Equal(Count, await Db.CountAsync(database, "SELECT count(*) FROM inbox_message"));
        Assert.Equal(Count, metrics.Sum("fanpin.messaging.inbox.processed", service + "-household-changed"));
        // The outage really hit the relay: publishes failed and were retried.
        Assert.True(await Db.CountAsync(database, "SELECT count(*) FROM outbox_message WHERE attempts > 0") > 0
            || metrics.Sum("fanpin.messaging.outbox.publish_failures", service) > 0, "expected failed publish attempts during the outage");
    }
}
