using FanPin.IntegrationEvents;
using FanPin.Messaging.Diagnostics;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Messaging.Inbox;

/// <summary>
/// Base of a consumer whose side effects happen exactly once although delivery is at least once:
/// begin a transaction → record (consumer, event id) in the inbox, and if it is already there acknowledge and stop →
/// <see cref="HandleAsync"/> changes state through the DbContext (and may add outgoing events to the outbox) →
/// SaveChanges → commit. A throw rolls back everything, inbox row included, and the message is retried or moved
/// to the error queue; it is never acknowledged as if it had been handled.
/// </summary>
/// <example>
/// <code>
/// public sealed class RiskSignalsDetectedConsumer(GradingDbContext db) : IdempotentConsumer&lt;RiskSignalsDetected, GradingDbContext&gt;(db)
/// {
///     protected override async Task HandleAsync(RiskSignalsDetected message, ConsumeContext&lt;RiskSignalsDetected&gt; context, CancellationToken ct)
///     {
///         var warning = await Db.Warnings.FindAsync([message.HouseholdId], ct) ?? ...;
///         warning.Regrade(message.Signals);
///         Db.AddIntegrationEvent(new WarningGradeChanged { ... });   // goes out through the outbox, after the commit
///     }
/// }
/// </code>
/// </example>
public abstract class IdempotentConsumer<TEvent, TDbContext>(TDbContext db) : IConsumer<TEvent>
    where TEvent : IntegrationEvent
    where TDbContext : DbContext
{
    /// <summary>The service's DbContext (scoped to this message).</summary>
    protected TDbContext Db { get; } = db;

    /// <summary>The consumer's name in the inbox. Keep it stable: renaming it makes old events look new.</summary>
    protected virtual string ConsumerName => GetType().FullName ?? GetType().Name;

    /// <inheritdoc />
    public async Task Consume(ConsumeContext<TEvent> context)
    {
        var message = context.Message;
        var consumer = ConsumerName;
        var processed = false;
        // The execution strategy reruns the whole unit if the service enabled EF's retry-on-failure.
        await Db.Database.CreateExecutionStrategy().ExecuteAsync(async cancellationToken =>
        {
            // A retry may reuse this scope: forget what a failed attempt tracked.
            Db.ChangeTracker.Clear();
            await using var transaction = await Db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            if (!await Db.TryMarkProcessedAsync(consumer, message.EventId, cancellationToken).ConfigureAwait(false))
            {
                processed = false;
                return; // a duplicate: already handled, acknowledge
            }
            await HandleAsync(message, context, cancellationToken).ConfigureAwait(false);
            await Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            processed = true;
        }, context.CancellationToken).ConfigureAwait(false);
        var endpoint = context.ReceiveContext.InputAddress?.AbsolutePath.Split('/')[^1] ?? "";
        (processed ? MessagingMetrics.Processed : MessagingMetrics.Duplicates)
            .Add(1, new KeyValuePair<string, object?>("consumer", consumer), new KeyValuePair<string, object?>("endpoint", endpoint));
    }

    /// <summary>The side effects, through <see cref="Db"/>; SaveChanges and the commit follow.</summary>
    protected abstract Task HandleAsync(TEvent message, ConsumeContext<TEvent> context, CancellationToken cancellationToken);
}
