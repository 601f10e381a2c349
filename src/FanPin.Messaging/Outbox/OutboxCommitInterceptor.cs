using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace FanPin.Messaging.Outbox;

/// <summary>
/// Wakes this process's relay right after a commit that contains outbox rows: after SaveChanges when it ran its
/// own transaction, after the explicit transaction's commit otherwise (never on a rollback). Registered on the
/// service's DbContext by <c>AddFanPinMessaging</c>.
/// </summary>
/// <remarks>
/// Why not a NOTIFY trigger on every insert: PostgreSQL serializes the commits of notifying transactions (the
/// notify queue lock is held through the WAL flush), which measured here capped one-event transactions at about
/// 650 commits/s. LISTEN remains for writers outside this process (<c>CreateOutboxAndInbox(notifyTrigger: true)</c>).
/// </remarks>
internal sealed class OutboxCommitInterceptor(RelaySignal signal) : ISaveChangesInterceptor, IDbTransactionInterceptor
{
    private static readonly ConditionalWeakTable<DbContext, object> Pending = new();

    /// <summary>Called by <c>AddIntegrationEvent</c>: this context has outbox rows to commit.</summary>
    internal static void MarkPending(DbContext context) => Pending.AddOrUpdate(context, Pending);

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        AfterSave(eventData.Context);
        return result;
    }

    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        AfterSave(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => AfterCommit(eventData.Context);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        AfterCommit(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Forget(eventData.Context);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    private void AfterSave(DbContext? context)
    {
        // Inside an explicit transaction nothing is visible yet: wait for its commit.
        if (context is not null && context.Database.CurrentTransaction is null)
        {
            AfterCommit(context);
        }
    }

    private void AfterCommit(DbContext? context)
    {
        if (context is not null && Pending.Remove(context))
        {
            signal.Set();
        }
    }

    private static void Forget(DbContext? context)
    {
        if (context is not null)
        {
            Pending.Remove(context);
        }
    }
}
