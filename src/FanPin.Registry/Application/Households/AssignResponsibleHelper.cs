using FanPin.Registry.Application.Common;
using FanPin.Registry.Domain;
using FanPin.Registry.Infrastructure;
using FanPin.ServiceDefaults.Authentication;

namespace FanPin.Registry.Application.Households;

/// <summary>Assign (or replace) the household's responsible helper.</summary>
public sealed record AssignResponsibleHelperRequest(Guid HouseholdId, HelperInput? Helper);

/// <summary>The household with its helper.</summary>
public sealed record AssignResponsibleHelperResult(HouseholdView Household);

/// <summary>Assigns the responsible helper (帮扶责任人): name, phone, organisation. Raises HouseholdChanged.</summary>
public sealed class AssignResponsibleHelper(RegistryDbContext db, IdNumberProtector ids, RegistryClock clock)
{
    /// <summary>Runs the use case.</summary>
    public async Task<AssignResponsibleHelperResult> HandleAsync(Caller caller, AssignResponsibleHelperRequest request, CancellationToken ct = default)
    {
        var household = await HouseholdStore.LoadForAsync(db, caller, "assign helpers", RegistryAccess.WriteHouseholds, request.HouseholdId, ct).ConfigureAwait(false);
        HouseholdStore.DemandNotMerged(household);
        var errors = new FieldErrors();
        HouseholdInputRules.ValidateHelper(request.Helper, "helper", errors);
        errors.ThrowIfAny();
        var h = request.Helper!;
        household.AssignHelper(new ResponsibleHelper(h.Name!.Trim(), h.Phone!.Trim(), h.Organisation!.Trim(), clock.Today), clock.Now);
        await HouseholdStore.SaveAsync(db, ct).ConfigureAwait(false);
        return new AssignResponsibleHelperResult(Views.Household(household, caller, ids));
    }
}
