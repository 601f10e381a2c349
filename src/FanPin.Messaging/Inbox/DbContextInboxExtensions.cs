using FanPin.Messaging.Persistence;

namespace Microsoft.EntityFrameworkCore;

/// <summary>The inbox, for consumers that do not derive from <c>IdempotentConsumer</c>.</summary>
public static class DbContextInboxExtensions
{
    /// <summary>
    /// Records that <paramref name="consumer"/> processes <paramref name="eventId"/>, inside the caller's open
    /// transaction. Returns false when it was already processed: the caller rolls back and acknowledges.
    /// Inserting first (rather than checking, then inserting) also settles two concurrent deliveries of one event:
    /// the second insert waits for the first transaction and then finds the row (or takes over if it rolled back).
    /// </summary>
    public static async Task<bool> TryMarkProcessedAsync(this DbContext dbContext, string consumer, Guid eventId, CancellationToken cancellationToken = default)
    {
        if (dbContext.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("TryMarkProcessedAsync must run inside the transaction of the consumer's side effects.");
        }
        // The table name comes from the model, never from input; the values are parameters.
        var sql = "INSERT INTO " + MessagingTables.QualifiedName<InboxMessage>(dbContext)
            + " (consumer, event_id, processed_at) VALUES ({0}, {1}, now()) ON CONFLICT DO NOTHING";
        var inserted = await dbContext.Database.ExecuteSqlRawAsync(sql, [consumer, eventId], cancellationToken).ConfigureAwait(false);
        return inserted == 1;
    }

    /// <summary>
    /// The batch form of <see cref="TryMarkProcessedAsync"/>: records every id not yet in the inbox and returns those
    /// (the events to process now). One statement, in the caller's open transaction.
    /// </summary>
    public static async Task<IReadOnlySet<Guid>> TryMarkProcessedAsync(this DbContext dbContext, string consumer, IReadOnlyCollection<Guid> eventIds, CancellationToken cancellationToken = default)
    {
        if (dbContext.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("TryMarkProcessedAsync must run inside the transaction of the consumer's side effects.");
        }
        var sql = "INSERT INTO " + MessagingTables.QualifiedName<InboxMessage>(dbContext)
            + " (consumer, event_id, processed_at) SELECT {0}, id, now() FROM unnest({1}) AS ids(id) ON CONFLICT DO NOTHING RETURNING event_id AS \"Value\"";
        var inserted = await dbContext.Database.SqlQueryRaw<Guid>(sql, consumer, eventIds.Distinct().ToArray()).ToListAsync(cancellationToken).ConfigureAwait(false);
        return inserted.ToHashSet();
    }

    /// <summary>True when the consumer has processed the event (a read outside any transaction; for diagnostics).</summary>
    public static Task<bool> HasProcessedAsync(this DbContext dbContext, string consumer, Guid eventId, CancellationToken cancellationToken = default) =>
        dbContext.Set<InboxMessage>().AnyAsync(m => m.Consumer == consumer && m.EventId == eventId, cancellationToken);
}
