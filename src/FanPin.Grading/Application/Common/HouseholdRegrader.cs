using FanPin.Grading.Domain;
using FanPin.Grading.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Grading.Application.Common;

/// <summary>
/// One household's re-grade inside a use case's transaction: lock its facts row (every write about a household
/// takes this lock first, so grading, lifecycle commands and the bulk re-grade never interleave on it), grade it
/// under the policy in force today, and stage the warning and history changes on the context.
/// </summary>
public sealed class HouseholdRegrader(GradingDbContext db, PolicyCatalog policies, GradingClock clock)
{
    /// <summary>Locks and returns the household's facts row, creating an empty one first when absent.</summary>
    public async Task<HouseholdFacts> LockOrCreateAsync(Guid householdId, RegionCode region, CancellationToken ct)
    {
        var province = region.Value[..2];
        var now = clock.Now;
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO household_facts (household_id, region_code, province, category, status, updated_at)
            VALUES ({householdId}, {region.Value}, {province}, {(short)FanPin.Policies.HouseholdCategory.Ordinary}, {(short)MonitoringStatus.NotMonitored}, {now})
            ON CONFLICT (household_id) DO NOTHING
            """, ct).ConfigureAwait(false);
        return await LockAsync(householdId, ct).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"household_facts row {householdId} vanished inside its transaction");
    }

    /// <summary>Locks and returns the household's facts row; null when grading has never heard of the household.</summary>
    public async Task<HouseholdFacts?> LockAsync(Guid householdId, CancellationToken ct)
    {
        var rows = await db.HouseholdFacts
            .FromSqlInterpolated($"SELECT * FROM household_facts WHERE household_id = {householdId} FOR UPDATE")
            .ToListAsync(ct).ConfigureAwait(false);
        return rows.SingleOrDefault();
    }

    /// <summary>Grades the (locked) household now and stages what changed.</summary>
    public async Task<RegradeOutcome> RegradeAsync(HouseholdFacts facts, GradeCause cause, CancellationToken ct)
    {
        var today = clock.Today;
        var policy = await policies.AtAsync(facts.Province, today, ct).ConfigureAwait(false);
        var decision = Grader.Decide(policy, facts.ToGradingFacts());
        var open = facts.OpenWarningId is { } id
            ? await db.Warnings.SingleAsync(w => w.Id == id, ct).ConfigureAwait(false)
            : null;
        var outcome = Regrading.Apply(facts, open, decision, policy, cause, clock.Now, today);
        if (outcome.Changed)
        {
            if (outcome.WarningIsNew)
            {
                db.Warnings.Add(outcome.Warning!);
            }
            db.GradeChanges.Add(outcome.Change!);
        }
        return outcome;
    }
}
