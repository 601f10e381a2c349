using System.Text.Json;
using FanPin.Monitoring.Application.Common;
using FanPin.Monitoring.Domain;
using FanPin.Monitoring.Infrastructure;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Monitoring.Application.Evaluation;

/// <summary>Asks for a household's last evaluation.</summary>
public sealed record GetHouseholdSignalsRequest(Guid HouseholdId);

/// <summary>The last evaluation, or none yet.</summary>
/// <param name="HouseholdId">The household.</param>
/// <param name="Evaluated">False when the household was never evaluated.</param>
/// <param name="EvaluatedAt">When.</param>
/// <param name="ReferenceMonth">"yyyy-MM".</param>
/// <param name="Evaluation">The stored evaluation (signals with inputs and thresholds, summary, gaps, exclusions).</param>
public sealed record HouseholdSignalsResult(Guid HouseholdId, bool Evaluated, DateTimeOffset? EvaluatedAt, string? ReferenceMonth, HouseholdEvaluationView? Evaluation);

/// <summary>A stored evaluation as answers show it.</summary>
public sealed record HouseholdEvaluationView(
    string RegionCode,
    Policies.HouseholdCategory Category,
    string PolicyProvince,
    int PolicyVersion,
    IncomeSummary Summary,
    IReadOnlyList<RiskSignal> Signals,
    IReadOnlyList<GuaranteeGap> GuaranteeGaps,
    IReadOnlyList<ExclusionFactView> Exclusions,
    IReadOnlyList<Policies.LabourAbility> LabourAbilities);

/// <summary>The household's current signals as last evaluated.</summary>
public sealed class GetHouseholdSignals(MonitoringDbContext db)
{
    /// <summary>Reads the last evaluation.</summary>
    public async Task<HouseholdSignalsResult> HandleAsync(Caller caller, GetHouseholdSignalsRequest request, CancellationToken ct = default)
    {
        var household = await Households.FindAsync(db, caller, "read signals", request.HouseholdId, MonitoringAccess.Read, ct).ConfigureAwait(false);
        var stored = await db.Evaluations.AsNoTracking().FirstOrDefaultAsync(e => e.HouseholdId == household.Id, ct).ConfigureAwait(false);
        if (stored is null)
        {
            return new HouseholdSignalsResult(household.Id, false, null, null, null);
        }
        var view = JsonSerializer.Deserialize<HouseholdEvaluationView>(stored.Payload, MonitoringJson.Options)
            ?? throw new InvalidOperationException($"Stored evaluation of household {household.Id} is empty.");
        return new HouseholdSignalsResult(household.Id, true, stored.EvaluatedAt, YearMonth.Of(stored.ReferenceMonth).ToString(), view);
    }
}
