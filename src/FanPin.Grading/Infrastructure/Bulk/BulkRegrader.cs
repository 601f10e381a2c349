using FanPin.Grading.Application.Common;
using FanPin.Grading.Domain;
using FanPin.Policies;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace FanPin.Grading.Infrastructure.Bulk;

/// <summary>What a bulk re-grade did.</summary>
public sealed record BulkRegradeResult(string Province, string PolicyProvince, int PolicyVersion, int Households, int Changed,
    IReadOnlyList<CountyGradeTransitions> Counties);

/// <summary>
/// Re-grades every household of a province under one policy version, in chunks of households (each chunk one
/// transaction: read the chunk, grade it in memory with the pure grading function, lock the households whose grade
/// changes, grade them again under the lock with the same lifecycle code as one household, and write set-based). A crash between chunks leaves finished chunks committed; running
/// again re-grades the rest (households already graded under the version do not change again).
/// </summary>
public sealed class BulkRegrader(GradingDbContext db, GradeProjector projector, GradingClock clock)
{
    /// <summary>Households per chunk (transaction).</summary>
    public int ChunkSize { get; init; } = 5_000;

    /// <summary>Re-grades <paramref name="province"/> under <paramref name="policy"/>.</summary>
    public async Task<BulkRegradeResult> RegradeAsync(string province, ProvincePolicy policy, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var tally = new GradeTransitionTally();
        var after = Guid.Empty;
        while (true)
        {
            List<(HouseholdFacts Facts, RegradeOutcome Outcome)> changed = [];
            int read;
            await using (var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false))
            {
                var connection = (NpgsqlConnection)db.Database.GetDbConnection();
                var transaction = (NpgsqlTransaction)tx.GetDbTransaction();
                var rows = await FactsRows.ReadAsync(connection, transaction, province, after, ChunkSize, ct).ConfigureAwait(false);
                read = rows.Count;
                if (read == 0)
                {
                    await tx.CommitAsync(ct).ConfigureAwait(false);
                    break;
                }
                // Locking every row costs a write per row; only the households whose grade changes are locked, then
                // read and graded again under the lock (a concurrent one-household update grades under this same
                // policy version, so a household left unlocked here cannot end up graded under an older one).
                var candidates = rows.Where(r => Grader.Decide(policy, r.Facts.ToGradingFacts()).Grade != r.Facts.Grade)
                    .Select(r => r.Facts.HouseholdId).ToList();
                var locked = candidates.Count == 0 ? [] : await FactsRows.LockAsync(connection, transaction, province, candidates, ct).ConfigureAwait(false);
                var now = clock.Now;
                var today = clock.Today;
                foreach (var row in locked)
                {
                    var decision = Grader.Decide(policy, row.Facts.ToGradingFacts());
                    var outcome = Regrading.Apply(row.Facts, row.OpenWarning, decision, policy, GradeCause.PolicyChange, now, today);
                    tally.Add(row.Facts.RegionCode, outcome.From, outcome.To);
                    if (outcome.Changed)
                    {
                        changed.Add((row.Facts, outcome));
                    }
                }
                var lockedIds = locked.Select(r => r.Facts.HouseholdId).ToHashSet();
                foreach (var row in rows.Where(r => !lockedIds.Contains(r.Facts.HouseholdId)))
                {
                    tally.Add(row.Facts.RegionCode, row.Facts.Grade, row.Facts.Grade);
                }
                await BulkGradeWriter.WriteAsync(db, connection, transaction, changed, ct).ConfigureAwait(false);
                await tx.CommitAsync(ct).ConfigureAwait(false);
                after = rows[^1].Facts.HouseholdId;
            }
            db.ChangeTracker.Clear();
            await projector.ProjectAsync(changed.Select(c => GradeProjectionChange.Of(c.Facts)).ToList(), ct).ConfigureAwait(false);
            if (read < ChunkSize)
            {
                break;
            }
        }
        return new BulkRegradeResult(province, policy.Province, policy.Version, tally.Households, tally.Changed, tally.ByCounty());
    }
}
