using FanPin.Grading.Application.Common;
using FanPin.Grading.Domain;
using FanPin.Grading.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Grading.Application.Warnings;

/// <summary>One sweep.</summary>
/// <param name="MaxWarnings">At most this many warnings per sweep (the next sweep takes the rest).</param>
public sealed record EscalateOverdueWarningsRequest(int MaxWarnings = 1000);

/// <summary>The warnings escalated by the sweep.</summary>
public sealed record EscalateOverdueWarningsResult(IReadOnlyList<Guid> Escalated);

/// <summary>
/// 限时办结: every warning still awaiting its response (not under assistance, not cleared) whose deadline has passed
/// goes one level up (county → city → province) with a fresh deadline for that level, and WarningEscalated is
/// published. A system use case: the escalation service runs it periodically; "today" comes from the clock, so
/// tests move time by hand. Each warning is escalated in its own short transaction, after locking its household.
/// </summary>
public sealed class EscalateOverdueWarnings(GradingDbContext db, PolicyCatalog policies, GradingClock clock)
{
    /// <summary>Runs one sweep.</summary>
    public async Task<EscalateOverdueWarningsResult> HandleAsync(EscalateOverdueWarningsRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var today = clock.Today;
        var awaiting = new[] { WarningStatus.Raised, WarningStatus.Acknowledged, WarningStatus.Dispatched, WarningStatus.Escalated };
        var candidates = await db.Warnings.AsNoTracking()
            .Where(w => awaiting.Contains(w.Status) && w.DueOn < today && w.EscalationLevel < EscalationLevels.Province)
            .OrderBy(w => w.DueOn).ThenBy(w => w.Id)
            .Select(w => new { w.Id, w.HouseholdId })
            .Take(Math.Max(1, request.MaxWarnings))
            .ToListAsync(ct).ConfigureAwait(false);
        var escalated = new List<Guid>();
        foreach (var candidate in candidates)
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
            await db.Database.ExecuteSqlInterpolatedAsync($"SELECT 1 FROM household_facts WHERE household_id = {candidate.HouseholdId} FOR UPDATE", ct).ConfigureAwait(false);
            var warning = await db.Warnings.SingleAsync(w => w.Id == candidate.Id, ct).ConfigureAwait(false);
            // Re-checked under the lock: assistance may have started or a grade change moved the deadline meanwhile.
            if (warning.CanEscalate(today))
            {
                var policy = await policies.AtAsync(warning.Province, today, ct).ConfigureAwait(false);
                warning.Escalate(policy, clock.Now, today);
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
                escalated.Add(warning.Id);
            }
            await tx.CommitAsync(ct).ConfigureAwait(false);
            db.ChangeTracker.Clear();
        }
        return new EscalateOverdueWarningsResult(escalated);
    }
}
