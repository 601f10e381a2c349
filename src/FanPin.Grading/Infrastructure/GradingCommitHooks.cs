using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace FanPin.Grading.Infrastructure;

/// <summary>
/// Runs <see cref="GradingDbContext.AfterCommit"/> actions after the commit of the context's transaction,
/// whoever began it (a use case, or the messaging library's idempotent consumer), and drops them on a rollback
/// or when a new transaction begins (a retried attempt must not run what a failed one registered).
/// </summary>
internal sealed class GradingCommitHooks : DbTransactionInterceptor
{
    public static GradingCommitHooks Instance { get; } = new();

    public override DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        (eventData.Context as GradingDbContext)?.DiscardAfterCommit();
        return result;
    }

    public override ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData, DbTransaction result,
        CancellationToken cancellationToken = default)
    {
        (eventData.Context as GradingDbContext)?.DiscardAfterCommit();
        return ValueTask.FromResult(result);
    }

    public override async Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is GradingDbContext context)
        {
            await context.RunAfterCommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) =>
        (eventData.Context as GradingDbContext)?.RunAfterCommitAsync(CancellationToken.None).GetAwaiter().GetResult();

    public override void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) =>
        (eventData.Context as GradingDbContext)?.DiscardAfterCommit();

    public override Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        (eventData.Context as GradingDbContext)?.DiscardAfterCommit();
        return Task.CompletedTask;
    }
}
