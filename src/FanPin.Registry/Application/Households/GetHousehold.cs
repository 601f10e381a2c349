using FanPin.Registry.Application.Common;
using FanPin.Registry.Domain;
using FanPin.Registry.Infrastructure;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Registry.Application.Households;

/// <summary>One household; optionally with former members and the dated member history.</summary>
public sealed record GetHouseholdRequest(Guid HouseholdId, bool IncludeHistory = false);

/// <summary>The household and, when asked, its history (oldest first).</summary>
public sealed record GetHouseholdResult(HouseholdView Household, IReadOnlyList<MemberChangeView> History,
    Guid? OpenIdentificationCaseId = null, Guid? OpenClosingCaseId = null);

/// <summary>Reads a household inside the caller's scope.</summary>
public sealed class GetHousehold(RegistryDbContext db, IdNumberProtector ids)
{
    /// <summary>Runs the use case.</summary>
    public async Task<GetHouseholdResult> HandleAsync(Caller caller, GetHouseholdRequest request, CancellationToken ct = default)
    {
        var household = await HouseholdStore.LoadForAsync(db, caller, "read households", RegistryAccess.Read, request.HouseholdId, ct).ConfigureAwait(false);
        IReadOnlyList<MemberChangeView> history = [];
        if (request.IncludeHistory)
        {
            history = await db.MemberChanges.AsNoTracking().Where(c => c.HouseholdId == household.Id).OrderBy(c => c.Id)
                .Select(c => new MemberChangeView(c.Id, c.MemberId, c.Kind, c.EffectiveOn, c.RecordedAt, c.RecordedBy, c.OtherHouseholdId, c.Details))
                .ToListAsync(ct).ConfigureAwait(false);
        }
        // At most one case of each kind is open at a time (OpenIdentificationCase / OpenClosingCase refuse a second).
        var identification = await db.IdentificationCases.AsNoTracking()
            .Where(c => c.HouseholdId == household.Id && c.State != IdentificationState.Entered && c.State != IdentificationState.Rejected)
            .OrderByDescending(c => c.Id).Select(c => (Guid?)c.Id).FirstOrDefaultAsync(ct).ConfigureAwait(false);
        var closing = await db.ClosingCases.AsNoTracking()
            .Where(c => c.HouseholdId == household.Id && c.State != ClosingState.RiskEliminated && c.State != ClosingState.Rejected)
            .OrderByDescending(c => c.Id).Select(c => (Guid?)c.Id).FirstOrDefaultAsync(ct).ConfigureAwait(false);
        return new GetHouseholdResult(Views.Household(household, caller, ids, includeFormerMembers: request.IncludeHistory), history, identification, closing);
    }
}
