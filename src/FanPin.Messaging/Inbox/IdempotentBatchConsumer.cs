using FanPin.IntegrationEvents;
using FanPin.Messaging.Diagnostics;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Messaging.Inbox;

/// <summary>
/// The batch form of <see cref="IdempotentConsumer{TEvent,TDbContext}"/>, for high-volume consumers (projections,
/// notifications): up to <c>messageLimit</c> messages in one transaction — one inbox statement, one SaveChanges, one
/// commit — instead of one transaction per message. Duplicates (already in the inbox, or twice in the batch) are
/// dropped before <see cref="HandleBatchAsync"/> sees the batch. Register with
/// <c>m.AddBatchConsumer&lt;TConsumer&gt;()</c>.
/// </summary>
/// <remarks>
/// A throw rolls back the whole batch and MassTransit retries it, or moves all its messages to the error queue:
/// use it where one bad message is unlikely, and replay the error queue after the fix (the inbox makes replaying
/// the good ones harmless).
/// </remarks>
public abstract class IdempotentBatchConsumer<TEvent, TDbContext>(TDbContext db) : IConsumer<Batch<TEvent>>
    where TEvent : IntegrationEvent
    where TDbContext : DbContext
{
    protected TDbContext Db { get; } = db;

    /// <summary>The consumer's name in the inbox. Keep it stable.</summary>
    protected virtual string ConsumerName => GetType().FullName ?? GetType().Name;

    /// <inheritdoc />
    public async Task Consume(ConsumeContext<Batch<TEvent>> context)
    {
        var consumer = ConsumerName;
        var messages = context.Message.Select(m => m.Message).ToList();
        var processed = 0;
        await Db.Database.CreateExecutionStrategy().ExecuteAsync(async cancellationToken =>
        {
            Db.ChangeTracker.Clear();
            await using var transaction = await Db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var fresh = await Db.TryMarkProcessedAsync(consumer, messages.Select(m => m.EventId).ToList(), cancellationToken).ConfigureAwait(false);
            var todo = messages.Where(m => fresh.Contains(m.EventId)).DistinctBy(m => m.EventId).ToList();
            if (todo.Count > 0)
            {
                await HandleBatchAsync(todo, context, cancellationToken).ConfigureAwait(false);
                await Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            }
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            processed = todo.Count;
        }, context.CancellationToken).ConfigureAwait(false);
        var endpoint = context.ReceiveContext.InputAddress?.AbsolutePath.Split('/')[^1] ?? "";
        var tags = new[] { new KeyValuePair<string, object?>("consumer", consumer), new KeyValuePair<string, object?>("endpoint", endpoint) };
        MessagingMetrics.Processed.Add(processed, tags);
        MessagingMetrics.Duplicates.Add(messages.Count - processed, tags);
    }

    /// <summary>The side effects of the new events (in delivery order), through <see cref="Db"/>; SaveChanges and the commit follow.</summary>
    protected abstract Task HandleBatchAsync(IReadOnlyList<TEvent> messages, ConsumeContext<Batch<TEvent>> context, CancellationToken cancellationToken);
}
