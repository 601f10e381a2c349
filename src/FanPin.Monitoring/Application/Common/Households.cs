using FanPin.Monitoring.Domain;
using FanPin.Monitoring.Infrastructure;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Monitoring.Application.Common;

/// <summary>Finding a household and checking the caller may act on it.</summary>
public static class Households
{
    /// <summary>
    /// The household, after the role check and the region check. A household outside the caller's scope is
    /// reported as not found, like one that does not exist: a county must not learn another county's ids.
    /// </summary>
    public static async Task<KnownHousehold> FindAsync(MonitoringDbContext db, Caller caller, string action, Guid householdId,
        CallerRole[] roles, CancellationToken ct)
    {
        RegionScope.DemandRole(caller, action, roles);
        var household = await db.Households.AsNoTracking().FirstOrDefaultAsync(h => h.Id == householdId, ct).ConfigureAwait(false);
        if (household is null || !RegionScope.Allows(caller, RegionCode.Parse(household.RegionCode)))
        {
            throw new NotFoundException("household", householdId.ToString());
        }
        return household;
    }
}
