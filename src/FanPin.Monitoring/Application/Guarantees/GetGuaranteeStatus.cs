using FanPin.Monitoring.Application.Common;
using FanPin.Monitoring.Domain;
using FanPin.Monitoring.Infrastructure;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Monitoring.Application.Guarantees;

/// <summary>Asks for the current guarantee indicators of a household (as of a day, default today).</summary>
public sealed record GetGuaranteeStatusRequest(Guid HouseholdId, DateOnly? AsOf = null);

/// <summary>The current indicators (field by field from the latest snapshot that assessed it) and the gaps under the policy.</summary>
public sealed record GuaranteeStatusResult(Guid HouseholdId, DateOnly AsOf, GuaranteeIndicators Indicators, IReadOnlyList<GuaranteeGapFinding> Gaps,
    string PolicyProvince, int PolicyVersion);

/// <summary>The current guarantee state and its gaps.</summary>
public sealed class GetGuaranteeStatus(MonitoringDbContext db, MonitoringClock clock, MonitoringPolicies policies)
{
    /// <summary>Computes the state.</summary>
    public async Task<GuaranteeStatusResult> HandleAsync(Caller caller, GetGuaranteeStatusRequest request, CancellationToken ct = default)
    {
        var household = await Households.FindAsync(db, caller, "read guarantee indicators", request.HouseholdId, MonitoringAccess.Read, ct).ConfigureAwait(false);
        var asOf = request.AsOf ?? clock.Today;
        var snapshots = await db.GuaranteeSnapshots.AsNoTracking().Where(s => s.HouseholdId == household.Id && s.ObservedOn <= asOf).ToListAsync(ct).ConfigureAwait(false);
        var state = GuaranteeSnapshot.Current(snapshots);
        var policy = policies.InForce(household.RegionCode, asOf);
        return new GuaranteeStatusResult(household.Id, asOf, state, GuaranteeGaps.Find(state, policy.Guarantees), policy.Province, policy.Version);
    }
}
