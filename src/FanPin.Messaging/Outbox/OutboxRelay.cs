using System.Collections.Concurrent;
using FanPin.Messaging.Diagnostics;
using FanPin.Messaging.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace FanPin.Messaging.Outbox;

/// <summary>What one relay batch did.</summary>
public readonly record struct RelayBatchResult(int Claimed, int Published, int Failed);

/// <summary>
/// One relay step over the outbox of <typeparamref name="TContext"/>: claim a batch (row locks held), publish it
/// with confirms, mark it, commit. A crash before the commit releases the locks and leaves the rows unpublished,
/// so they are published again: delivery is at least once, and the consumers' inbox makes it effectively once.
/// </summary>
public sealed class OutboxRelay<TContext>(
    IServiceScopeFactory scopes,
    IOutboxPublisher publisher,
    MessagingOptions options,
    TimeProvider time,
    ILogger<OutboxRelay<TContext>> logger)
    where TContext : DbContext
{
    private OutboxStore? _store;

    /// <summary>Claims, publishes and marks one batch.</summary>
    public async Task<RelayBatchResult> RunBatchAsync(CancellationToken cancellationToken)
    {
        var relay = options.Relay;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        var store = StoreFor(db);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var claimed = await store.ClaimAsync(connection, transaction, relay.BatchSize, cancellationToken).ConfigureAwait(false);
            if (claimed.Count == 0)
            {
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return default;
            }

            var (published, failed) = await PublishAsync(claimed).ConfigureAwait(false);
            if (relay.AfterPublishBeforeCommit is { } hook)
            {
                await hook(published, cancellationToken).ConfigureAwait(false);
            }
            // Not cancellable: what the broker confirmed should be marked even while the host stops.
            await store.CompleteAsync(connection, transaction, [.. published.Select(r => r.Id)], failed, CancellationToken.None).ConfigureAwait(false);
            await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);

            var now = time.GetUtcNow();
            foreach (var record in published)
            {
                var tags = MessagingMetrics.Tags(options.ServiceName, record.Destination.ToString());
                MessagingMetrics.Published.Add(1, tags);
                MessagingMetrics.Lag.Record((now - record.CreatedAt).TotalSeconds, tags);
            }
            return new RelayBatchResult(claimed.Count, published.Count, failed.Count);
        }
        finally
        {
            await db.Database.CloseConnectionAsync().ConfigureAwait(false);
        }
    }

    internal OutboxStore StoreFor(DbContext db) =>
        _store ??= new OutboxStore(MessagingTables.QualifiedName<OutboxMessage>(db), MessagingTables.QualifiedName<InboxMessage>(db));

    /// <summary>
    /// Publishes partitions concurrently and each partition's rows one after the other, so a household's events
    /// reach the broker in order. The first failure in a partition stops it: the rows behind it wait for the retry.
    /// </summary>
    private async Task<(IReadOnlyList<OutboxRecord> Published, IReadOnlyList<OutboxFailure> Failed)> PublishAsync(IReadOnlyList<OutboxRecord> claimed)
    {
        var relay = options.Relay;
        var partitions = claimed.GroupBy(r => (r.Destination, r.PartitionKey)).Select(g => g.ToList()).ToList();
        var published = new ConcurrentQueue<OutboxRecord>();
        var failed = new ConcurrentQueue<OutboxFailure>();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, relay.MaxPublishConcurrency) };
        await Parallel.ForEachAsync(partitions, parallel, async (partition, _) =>
        {
            foreach (var record in partition)
            {
                try
                {
                    using var timeout = new CancellationTokenSource(relay.PublishTimeout);
                    // WaitAsync as well: a transport that ignores cancellation (a confirm lost with its channel)
                    // must not hold the batch, and its row locks, for ever. A late confirm only means a duplicate.
                    await publisher.PublishAsync(record, timeout.Token).WaitAsync(relay.PublishTimeout + TimeSpan.FromSeconds(1)).ConfigureAwait(false);
                    published.Enqueue(record);
                }
                catch (Exception ex)
                {
                    var failures = record.Attempts + 1;
                    var delay = OutboxBackoff.Delay(failures, relay.RetryInitialDelay, relay.RetryMaxDelay, Random.Shared.NextDouble());
                    failed.Enqueue(new OutboxFailure(record.Id, time.GetUtcNow() + delay, Describe(ex)));
                    MessagingMetrics.PublishFailures.Add(1, MessagingMetrics.Tags(options.ServiceName, record.Destination.ToString()));
                    if (failed.Count == 1)
                    {
                        logger.LogWarning(ex, "Publishing outbox row {Id} ({Type}, attempt {Attempt}) failed; retrying in {Delay}",
                            record.Id, record.EventType, failures, delay);
                    }
                    break;
                }
            }
        }).ConfigureAwait(false);
        if (failed.Count > 1)
        {
            logger.LogWarning("{Failed} of {Claimed} outbox rows failed to publish in this batch", failed.Count, claimed.Count);
        }
        return ([.. published], [.. failed]);
    }

    private static string Describe(Exception ex)
    {
        var text = $"{ex.GetType().Name}: {ex.Message}";
        return text.Length > 1000 ? text[..1000] : text;
    }
}
