using System.Collections.Concurrent;
using FanPin.IntegrationEvents;
using FanPin.Messaging.Outbox;
using FanPin.Messaging.Tests.Support;
using FanPin.Messaging.TestHost;
using FanPin.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace FanPin.Messaging.Tests;

/// <summary>
/// The relay's claim logic against real PostgreSQL, with a recording publisher in place of the broker: per-household
/// order across competing relays, no row published twice, backoff after a failure holding back the household.
/// </summary>
public class RelayOrderingTests(ScenarioInfrastructure infrastructure) : IClassFixture<ScenarioInfrastructure>, IAsyncLifetime
{
    public Task InitializeAsync() => Db.ExecuteAsync(infrastructure.PostgresConnectionString, "TRUNCATE outbox_message, inbox_message, side_effect");

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Competing_relays_publish_every_row_once_and_each_household_in_commit_order()
    {
        const int households = 6, perHousehold = 40;
        var events = Enumerable.Range(0, households * perHousehold)
            .Select(i => (IntegrationEvent)Events.Changed(Events.Household(100 + i % households), i / households))
            .ToList();
        await Db.CommitAsync(infrastructure.PostgresConnectionString, events, perTransaction: 9);

        var publisher = new RecordingPublisher { MaxDelayMs = 2 };
        var relays = new[] { Relay(publisher, batchSize: 7), Relay(publisher, batchSize: 11) };
        // Two relays ("replicas"), two loops each, until nothing is left.
        await Task.WhenAll(relays.SelectMany(r => new[] { DrainAsync(r), DrainAsync(r) }));

        Assert.Equal(events.Count, publisher.Published.Count);
        Assert.Equal(events.Select(e => e.EventId).Order(), publisher.Published.Select(p => p.EventId).Order());
        foreach (var household in events.GroupBy(e => e.HouseholdId))
        {
            var published = publisher.Published.Where(p => p.PartitionKey == household.Key!.Value.ToString("N")).Select(p => p.EventId).ToList();
            Assert.Equal(household.Select(e => e.EventId), published);
        }
        Assert.Equal(0, await Db.PendingAsync(infrastructure.PostgresConnectionString));
    }

    [Fact]
    public async Task A_failed_publish_is_retried_after_a_backoff_and_holds_back_its_household_only()
    {
        var a = Events.Household(201);
        var b = Events.Household(202);
        var a1 = Events.Changed(a, 1);
        var a2 = Events.Changed(a, 2);
        var a3 = Events.Changed(a, 3);
        var b1 = Events.Changed(b, 1);
        var b2 = Events.Changed(b, 2);
        await Db.CommitAsync(infrastructure.PostgresConnectionString, [a1, a2, a3, b1, b2]);
        var publisher = new RecordingPublisher { FailFirstAttemptOf = { a2.EventId } };
        // A backoff far longer than a batch takes on a busy machine, so "still waiting" is certain when checked.
        var relay = Relay(publisher, batchSize: 100, retryInitialDelay: TimeSpan.FromSeconds(5));

        var first = await relay.RunBatchAsync(CancellationToken.None);
        Assert.Equal(new RelayBatchResult(5, 3, 1), first);
        Assert.Equal(new[] { a1.EventId, b1.EventId, b2.EventId }.Order(), publisher.Published.Select(p => p.EventId).Order());
        Assert.DoesNotContain(publisher.Attempts, id => id == a3.EventId); // never tried while a2 waits
        await using (var db = Db.Context(infrastructure.PostgresConnectionString))
        {
            var failed = await db.Set<FanPin.Messaging.Persistence.OutboxMessage>().SingleAsync(m => m.EventId == a2.EventId);
            Assert.Equal(1, failed.Attempts);
            Assert.Null(failed.PublishedAt);
            Assert.True(failed.NextAttemptAt > DateTimeOffset.UtcNow, "the retry waits for its backoff");
            Assert.Contains("simulated broker failure", failed.LastError, StringComparison.Ordinal);
        }

        // Before the backoff ends nothing of household a is due.
        Assert.Equal(0, (await relay.RunBatchAsync(CancellationToken.None)).Published);

        await Eventually.WaitAsync(async () => (await relay.RunBatchAsync(CancellationToken.None)).Published > 0, "the retry after the backoff");
        Assert.Equal([a1.EventId, a2.EventId, a3.EventId], publisher.Published.Where(p => p.PartitionKey == a.ToString("N")).Select(p => p.EventId));
        Assert.Equal([a2.EventId, a2.EventId], publisher.Attempts.Where(id => id == a2.EventId));
    }

    [Fact]
    public async Task Rows_claimed_by_one_relay_are_neither_published_by_another_nor_overtaken()
    {
        var x = Events.Household(301);
        var y = Events.Household(302);
        var z = Events.Household(303);
        var x1 = Events.Changed(x, 1);
        var x2 = Events.Changed(x, 2);
        var y1 = Events.Changed(y, 1);
        await Db.CommitAsync(infrastructure.PostgresConnectionString, [x1, x2, y1]);

        var paused = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var publisherOne = new RecordingPublisher();
        var one = Relay(publisherOne, batchSize: 100, hook: async (_, _) =>
        {
            paused.TrySetResult();
            await release.Task;
        });
        var firstBatch = one.RunBatchAsync(CancellationToken.None);
        await paused.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // Replica one has published x1, x2, y1 but not committed. Meanwhile x3 and z1 are committed.
        var x3 = Events.Changed(x, 3);
        var z1 = Events.Changed(z, 1);
        await Db.CommitAsync(infrastructure.PostgresConnectionString, [x3, z1]);
        var publisherTwo = new RecordingPublisher();
        var two = Relay(publisherTwo, batchSize: 100);
        var during = await two.RunBatchAsync(CancellationToken.None);
        Assert.Equal([z1.EventId], publisherTwo.Published.Select(p => p.EventId)); // not x1/x2/y1 (locked), not x3 (behind them)
        Assert.Equal(1, during.Published);

        release.SetResult();
        Assert.Equal(3, (await firstBatch).Published);
        Assert.Equal(1, (await two.RunBatchAsync(CancellationToken.None)).Published);
        Assert.Equal([z1.EventId, x3.EventId], publisherTwo.Published.Select(p => p.EventId));
        Assert.Equal([x1.EventId, x2.EventId], publisherOne.Published.Where(p => p.PartitionKey == x.ToString("N")).Select(p => p.EventId));
        Assert.Contains(publisherOne.Published, p => p.EventId == y1.EventId);
        Assert.Equal(0, await Db.PendingAsync(infrastructure.PostgresConnectionString));
    }

    [Fact]
    public async Task Pruning_deletes_old_published_rows_and_old_inbox_rows_only()
    {
        var cs = infrastructure.PostgresConnectionString;
        await Db.CommitAsync(cs, [Events.Changed(Events.Household(401), 1), Events.Changed(Events.Household(401), 2), Events.Changed(Events.Household(402), 1)]);
        await Db.ExecuteAsync(cs, """
            UPDATE outbox_message SET published_at = now() - interval '8 days', created_at = now() - interval '8 days' WHERE id = (SELECT min(id) FROM outbox_message);
            UPDATE outbox_message SET published_at = now() - interval '1 hour' WHERE id = (SELECT max(id) FROM outbox_message);
            UPDATE outbox_message SET created_at = now() - interval '30 days' WHERE published_at IS NULL;
            INSERT INTO inbox_message VALUES ('c', gen_random_uuid(), now() - interval '40 days'), ('c', gen_random_uuid(), now());
            """);
        var relay = Relay(new RecordingPublisher(), batchSize: 10);
        await using var scope = Services().CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ScenarioDbContext>();
        await db.Database.OpenConnectionAsync();
        var store = relay.StoreFor(db);
        var now = DateTimeOffset.UtcNow;
        var deleted = await store.PruneAsync((Npgsql.NpgsqlConnection)db.Database.GetDbConnection(), now - TimeSpan.FromDays(7), now - TimeSpan.FromDays(30), CancellationToken.None);

        Assert.Equal(2, deleted);
        Assert.Equal(2, await Db.CountAsync(cs, "SELECT count(*) FROM outbox_message"));
        Assert.Equal(1, await Db.PendingAsync(cs)); // an old unpublished row is never pruned
        Assert.Equal(1, await Db.CountAsync(cs, "SELECT count(*) FROM inbox_message"));
        var (pending, oldest) = await store.BacklogAsync((Npgsql.NpgsqlConnection)db.Database.GetDbConnection(), CancellationToken.None);
        Assert.Equal(1, pending);
        Assert.True(oldest < now - TimeSpan.FromDays(29));
    }

    private static async Task DrainAsync(OutboxRelay<ScenarioDbContext> relay)
    {
        var idle = 0;
        while (idle < 3)
        {
            var result = await relay.RunBatchAsync(CancellationToken.None);
            idle = result.Claimed == 0 ? idle + 1 : 0;
            if (result.Published == 0)
            {
                await Task.Delay(20);
            }
        }
    }

    private ServiceProvider Services() => new ServiceCollection()
        .AddDbContext<ScenarioDbContext>(o => o.UseNpgsql(infrastructure.PostgresConnectionString))
        .BuildServiceProvider();

    private OutboxRelay<ScenarioDbContext> Relay(IOutboxPublisher publisher, int batchSize, TimeSpan? retryInitialDelay = null,
        Func<IReadOnlyList<OutboxRecord>, CancellationToken, Task>? hook = null)
    {
        var options = new MessagingOptions { ServiceName = "relay-test", BrokerUri = new Uri("amqp://unused/") };
        options.Relay.BatchSize = batchSize;
        options.Relay.RetryInitialDelay = retryInitialDelay ?? TimeSpan.FromMilliseconds(100);
        options.Relay.RetryMaxDelay = TimeSpan.FromSeconds(Math.Max(1, 2 * options.Relay.RetryInitialDelay.TotalSeconds));
        options.Relay.AfterPublishBeforeCommit = hook;
        return new OutboxRelay<ScenarioDbContext>(Services().GetRequiredService<IServiceScopeFactory>(), publisher, options, TimeProvider.System,
            NullLogger<OutboxRelay<ScenarioDbContext>>.Instance);
    }

    /// <summary>Stands in for the broker: records what was published, in completion order, and fails on request.</summary>
    private sealed class RecordingPublisher : IOutboxPublisher
    {
        private readonly object _gate = new();

        public List<OutboxRecord> Published { get; } = [];

        public ConcurrentQueue<Guid> Attempts { get; } = new();

        public HashSet<Guid> FailFirstAttemptOf { get; } = [];

        public int MaxDelayMs { get; init; }

        public async Task PublishAsync(OutboxRecord record, CancellationToken cancellationToken)
        {
            Attempts.Enqueue(record.EventId);
            if (MaxDelayMs > 0)
            {
                await Task.Delay(Random.Shared.Next(MaxDelayMs + 1), cancellationToken);
            }
            lock (_gate)
            {
                if (FailFirstAttemptOf.Remove(record.EventId))
                {
                    throw new IOException("simulated broker failure");
                }
                Published.Add(record);
            }
        }
    }
}
