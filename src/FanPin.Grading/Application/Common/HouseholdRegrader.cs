using FanPin.Grading.Domain;
using FanPin.Grading.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Grading.Application.Common;

/// <summary>
/// Re-grades of one household or a batch inside a use case's transaction: lock the facts rows (every write about a household
/// takes this lock first, so grading, lifecycle commands and the bulk re-grade never interleave on it), grade them
/// under the policy in force today, and stage the warning and history changes on the context.
/// </summary>
public sealed class HouseholdRegrader(GradingDbContext db, PolicyCatalog policies, GradingClock clock)
{
    /// <summary>Locks and returns the household's facts row, creating an empty one first when absent.</summary>
    public async Task<HouseholdFacts> LockOrCreateAsync(Guid householdId, RegionCode region, CancellationToken ct) =>
        (await LockOrCreateAsync([(householdId, region)], ct).ConfigureAwait(false))[householdId];

    /// <summary>
    /// Locks and returns the facts rows of many households, creating empty ones first where absent. Rows are
    /// inserted and locked in household id order, the order every batch takes them in, so two batches never deadlock.
    /// </summary>
    public async Task<IReadOnlyDictionary<Guid, HouseholdFacts>> LockOrCreateAsync(IReadOnlyList<(Guid HouseholdId, RegionCode Region)> households,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(households);
        var ordered = households.DistinctBy(h => h.HouseholdId).OrderBy(h => h.HouseholdId).ToList();
        if (ordered.Count == 0)
        {
            return new Dictionary<Guid, HouseholdFacts>();
        }
        var ids = ordered.Select(h => h.HouseholdId).ToArray();
        var regions = ordered.Select(h => h.Region.Value).ToArray();
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO household_facts (household_id, region_code, province, category, status, updated_at)
            SELECT u.id, u.region, left(u.region, 2), {(short)FanPin.Policies.HouseholdCategory.Ordinary}, {(short)MonitoringStatus.NotMonitored}, {clock.Now}
            FROM unnest({ids}, {regions}) WITH ORDINALITY AS u(id, region, n) ORDER BY u.n
            ON CONFLICT (household_id) DO NOTHING
            """, ct).ConfigureAwait(false);
        var rows = await db.HouseholdFacts
            .FromSqlInterpolated($"SELECT * FROM household_facts WHERE household_id = ANY({ids}) ORDER BY household_id FOR UPDATE")
            .ToListAsync(ct).ConfigureAwait(false);
        if (rows.Count != ids.Length)
        {
            throw new InvalidOperationException($"{ids.Length - rows.Count} household_facts rows vanished inside their transaction");
        }
        return rows.ToDictionary(r => r.HouseholdId);
    }

    /// <summary>Grades the (locked) household now and stages what changed.</summary>
    public async Task<RegradeOutcome> RegradeAsync(HouseholdFacts facts, GradeCause cause, CancellationToken ct) =>
        (await RegradeAsync([facts], cause, ct).ConfigureAwait(false))[0];

    /// <summary>
    /// Grades (locked) households now and stages what changed: one policy look-up and one query for their open
    /// warnings, whatever their number; the outcomes in the order of <paramref name="households"/>.
    /// </summary>
    public async Task<IReadOnlyList<RegradeOutcome>> RegradeAsync(IReadOnlyList<HouseholdFacts> households, GradeCause cause, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(households);
        if (households.Count == 0)
        {
            return [];
        }
        var today = clock.Today;
        var now = clock.Now;
        var policySet = await policies.GetAsync(ct).ConfigureAwait(false);
        var open = await OpenWarningsAsync(households, ct).ConfigureAwait(false);
        var outcomes = new List<RegradeOutcome>(households.Count);
        foreach (var facts in households)
        {
            var policy = PolicyCatalog.InForce(policySet, facts.Province, today);
            var decision = Grader.Decide(policy, facts.ToGradingFacts());
            var warning = facts.OpenWarningId is { } id
                ? open.GetValueOrDefault(id) ?? throw new InvalidOperationException($"open warning {id} of household {facts.HouseholdId} not found")
                : null;
            var outcome = Regrading.Apply(facts, warning, decision, policy, cause, now, today);
            if (outcome.Changed)
            {
                if (outcome.WarningIsNew)
                {
                    db.Warnings.Add(outcome.Warning!);
                }
                db.GradeChanges.Add(outcome.Change!);
            }
            outcomes.Add(outcome);
        }
        return outcomes;
    }

    /// <summary>The open warnings the households name: those already on the context (raised or loaded by this unit of work) and the rest in one query.</summary>
    private async Task<Dictionary<Guid, Warning>> OpenWarningsAsync(IReadOnlyList<HouseholdFacts> households, CancellationToken ct)
    {
        var wanted = households.Where(f => f.OpenWarningId is not null).Select(f => f.OpenWarningId!.Value).ToHashSet();
        var found = db.Warnings.Local.Where(w => wanted.Contains(w.Id)).ToDictionary(w => w.Id);
        var missing = wanted.Where(id => !found.ContainsKey(id)).ToArray();
        if (missing.Length > 0)
        {
            foreach (var warning in await db.Warnings.Where(w => missing.Contains(w.Id)).ToListAsync(ct).ConfigureAwait(false))
            {
                found[warning.Id] = warning;
            }
        }
        return found;
    }
}
