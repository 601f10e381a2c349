using FanPin.Registry.Application.Common;
using FanPin.Registry.Infrastructure;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Registry.Application.Households;

/// <summary>Look up by a member's ID number.</summary>
public sealed record FindHouseholdByIdNumberRequest(string? IdNumber);

/// <summary>The household the person belongs to now, and which member the person is.</summary>
public sealed record FindHouseholdByIdNumberResult(HouseholdView Household, Guid MemberId);

/// <summary>
/// Finds a person's current household through the keyed hash (the number itself is never stored in
/// clear). A person outside the caller's scope is NOT_FOUND: the answer must not reveal where else a person
/// is registered.
/// </summary>
public sealed class FindHouseholdByIdNumber(RegistryDbContext db, IdNumberProtector ids, RegistryClock clock)
{
    /// <summary>Runs the use case.</summary>
    public async Task<FindHouseholdByIdNumberResult> HandleAsync(Caller caller, FindHouseholdByIdNumberRequest request, CancellationToken ct = default)
    {
        RegionScope.DemandRole(caller, "read households", RegistryAccess.Read);
        if (!IdNumber.TryParse(request.IdNumber, clock.Today, out var id, out var error))
        {
            throw new ValidationFailedException("id_number", error);
        }
        var hash = ids.Hash(id);
        var hit = await db.Members.AsNoTracking().Where(m => m.LeftOn == null && m.IdNumberHash == hash)
            .Select(m => new { m.Id, m.HouseholdId }).FirstOrDefaultAsync(ct).ConfigureAwait(false)
            ?? throw new NotFoundException("member with ID number", id.Masked);
        var household = await HouseholdStore.LoadAsync(db, hit.HouseholdId, ct).ConfigureAwait(false);
        if (!RegionScope.Allows(caller, RegionCode.Parse(household.RegionCode)))
        {
            throw new NotFoundException("member with ID number", id.Masked);
        }
        return new FindHouseholdByIdNumberResult(Views.Household(household, caller, ids), hit.Id);
    }
}
