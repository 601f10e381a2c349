using FanPin.Monitoring.Application.Common;
using FanPin.Monitoring.Domain;
using FanPin.Monitoring.Infrastructure;
using FanPin.Policies;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Monitoring.Application.Registry;

/// <summary>
/// Household facts the registry announced (from HouseholdRegistered / HouseholdChanged / HouseholdIdentified /
/// RiskEliminated): where the household is, its category and monitoring status.
/// </summary>
/// <param name="HouseholdId">The registry's household id.</param>
/// <param name="RegionCode">Its 12-digit village code.</param>
/// <param name="Category">Its category; null when the event does not say (kept as it is).</param>
/// <param name="Status">Its monitoring status; null when the event does not say.</param>
/// <param name="OccurredAt">When the registry made the change (older facts never overwrite newer ones).</param>
public sealed record HouseholdFactsChange(Guid HouseholdId, string RegionCode, HouseholdCategory? Category, HouseholdStatus? Status, DateTimeOffset OccurredAt);

/// <summary>What applying a change did.</summary>
/// <param name="Applied">False when the change was older than what is known (nothing changed).</param>
/// <param name="EvaluationQueued">True when the household was queued for evaluation (category or region changed).</param>
public sealed record ReadModelResult(bool Applied, bool EvaluationQueued);

/// <summary>
/// Applies household facts from the registry to monitoring's read model. Called by the registry event consumers
/// (idempotent: applying the same change twice changes nothing; an older change than the stored one is ignored).
/// No caller: it runs on the registry's authority.
/// </summary>
public sealed class ApplyHouseholdFacts(MonitoringDbContext db, MonitoringClock clock)
{
    /// <summary>Applies the change.</summary>
    public async Task<ReadModelResult> HandleAsync(HouseholdFactsChange change, CancellationToken ct = default)
    {
        var validator = new Validator();
        validator.Require(change.HouseholdId != Guid.Empty, "household_id", "is empty");
        validator.Require(RegionCode.TryParse(change.RegionCode, out var region, out var regionError) && region.Level == RegionLevel.Village,
            "region_code", string.IsNullOrEmpty(regionError) ? "must be a village code (12 digits, village part not zero)" : regionError);
        validator.ThrowIfInvalid();
        var household = await db.Households.FirstOrDefaultAsync(h => h.Id == change.HouseholdId, ct).ConfigureAwait(false);
        if (household is not null && household.UpdatedAt > change.OccurredAt)
        {
            return new ReadModelResult(false, false);
        }
        var evaluate = household is null
            || household.RegionCode != change.RegionCode
            || (change.Category is not null && household.Category != change.Category);
        if (household is null)
        {
            household = new KnownHousehold { Id = change.HouseholdId };
            db.Households.Add(household);
        }
        household.RegionCode = change.RegionCode;
        household.Category = change.Category ?? household.Category;
        household.Status = change.Status ?? household.Status;
        household.UpdatedAt = change.OccurredAt;
        // A consumer calls inside its inbox transaction (the change and the inbox row commit together): join it.
        await using var tx = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false) : null;
        if (evaluate)
        {
            await db.EnqueueEvaluationAsync(change.HouseholdId, clock.UtcNow, ct).ConfigureAwait(false);
        }
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        if (tx is not null)
        {
            await tx.CommitAsync(ct).ConfigureAwait(false);
        }
        return new ReadModelResult(true, evaluate);
    }
}
