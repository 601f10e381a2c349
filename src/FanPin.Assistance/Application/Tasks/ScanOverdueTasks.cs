using FanPin.Assistance.Application.Common;
using FanPin.Assistance.Domain;
using FanPin.Assistance.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Assistance.Application.Tasks;

/// <summary>The outcome of one scan: whether this instance held the lock, and the tasks it flagged.</summary>
public sealed record OverdueScanResult(bool Ran, int Flagged);

/// <summary>A lock that lets one instance of the service scan at a time.</summary>
public interface IScanLock
{
    /// <summary>Takes the lock, or returns null when another instance holds it. Dispose to release.</summary>
    Task<IAsyncDisposable?> TryAcquireAsync(CancellationToken ct);
}

/// <summary>
/// The scheduled overdue scan (限时办结): under the scan lock, every open task past its deadline not flagged yet
/// is flagged and raises TaskOverdue, once. Without the lock it does nothing (another instance is scanning).
/// </summary>
public sealed class ScanOverdueTasks(AssistanceDbContext db, AssistanceClock clock, IScanLock scanLock)
{
    /// <summary>Tasks per transaction.</summary>
    public const int BatchSize = 500;

    /// <summary>Runs one scan.</summary>
    public async Task<OverdueScanResult> HandleAsync(CancellationToken ct = default)
    {
        var held = await scanLock.TryAcquireAsync(ct).ConfigureAwait(false);
        if (held is null)
        {
            return new OverdueScanResult(false, 0);
        }
        await using (held.ConfigureAwait(false))
        {
            var today = clock.Today;
            var flagged = 0;
            while (true)
            {
                var planIds = await db.Tasks.AsNoTracking()
                    .Where(t => (t.Status == AssistanceTaskStatus.Planned || t.Status == AssistanceTaskStatus.InProgress) && t.OverdueDetectedOn == null && t.DueOn < today)
                    .Select(t => t.PlanId).Distinct().Take(BatchSize).ToListAsync(ct).ConfigureAwait(false);
                if (planIds.Count == 0)
                {
                    return new OverdueScanResult(true, flagged);
                }
                var plans = await db.Plans.Include(p => p.Tasks).Where(p => planIds.Contains(p.Id)).ToListAsync(ct).ConfigureAwait(false);
                foreach (var plan in plans)
                {
                    foreach (var task in plan.Tasks.Where(t => t.IsOverdueOn(today) && t.OverdueDetectedOn is null).OrderBy(t => t.DueOn))
                    {
                        plan.MarkOverdue(task, today, clock.Now);
                        flagged++;
                    }
                }
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
                db.ChangeTracker.Clear();
            }
        }
    }
}
