using FanPin.Policies;
using FanPin.Registry.Application.Common;
using FanPin.Registry.Domain;
using FanPin.Registry.Infrastructure;
using FanPin.ServiceDefaults.Authentication;

namespace FanPin.Registry.Application.Households;

/// <summary>A new household: village, category, social assistance flags, members (one head).</summary>
public sealed record CreateHouseholdRequest(
    string? RegionCode,
    HouseholdCategory? Category,
    bool MinimumLivingGuarantee,
    bool ExtremePovertySupport,
    IReadOnlyList<MemberInput>? Members);

/// <summary>The registered household.</summary>
public sealed record CreateHouseholdResult(HouseholdView Household);

/// <summary>Registers a household (建档). Raises HouseholdRegistered.</summary>
public sealed class CreateHousehold(RegistryDbContext db, IdNumberProtector ids, RegistryClock clock)
{
    /// <summary>Runs the use case.</summary>
    public async Task<CreateHouseholdResult> HandleAsync(Caller caller, CreateHouseholdRequest request, CancellationToken ct = default)
    {
        RegionScope.DemandRole(caller, "register households", RegistryAccess.WriteHouseholds);
        var today = clock.Today;
        var errors = new FieldErrors();
        var village = HouseholdInputRules.ValidateVillage(request.RegionCode, "region_code", errors);
        errors.Require(request.Category is not null, "category", "is required");
        var members = HouseholdInputRules.ValidateMembers(request.Members, "members", today, errors);
        errors.ThrowIfAny();
        RegionScope.Demand(caller, village!.Value);
        await HouseholdStore.DemandVillageExistsAsync(db, village.Value, "region_code", ct).ConfigureAwait(false);

        var protectedMembers = members.Select((m, i) => (Field: $"members[{i}].id_number", Id: ids.Protect(m.IdNumber), m.Facts)).ToList();
        await HouseholdStore.DemandIdNumbersFreeAsync(db, protectedMembers.Select(m => (m.Field, m.Id)).ToList(), null, ct).ConfigureAwait(false);

        var household = Household.Register(Guid.CreateVersion7(), village.Value, request.Category!.Value, request.MinimumLivingGuarantee,
            request.ExtremePovertySupport, protectedMembers.Select(m => new NewMember(m.Id, m.Facts)).ToList(), today, clock.Now, "create");
        db.Households.Add(household);
        await HouseholdStore.SaveAsync(db, ct).ConfigureAwait(false);
        return new CreateHouseholdResult(Views.Household(household, caller, ids));
    }
}
