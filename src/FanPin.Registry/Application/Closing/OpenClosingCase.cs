using FanPin.Policies;
using FanPin.Registry.Application.Common;
using FanPin.Registry.Application.Households;
using FanPin.Registry.Domain;
using FanPin.Registry.Infrastructure;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Registry.Application.Closing;

/// <summary>Propose closing for a monitored household whose income has been stable since a date.</summary>
public sealed record OpenClosingCaseRequest(Guid HouseholdId, DateOnly? IncomeStableSince, string? Summary);

/// <summary>
/// Opens a closing case (the county's assessment). The household must be monitored, with no closing case in
/// progress, and its income stable for the months the policy asks (e.g. 6). Raises ClosingCaseOpened.
/// </summary>
public sealed class OpenClosingCase(RegistryDbContext db, RegistryPolicies policies, RegistryClock clock)
{
    /// <summary>Runs the use case.</summary>
    public async Task<ClosingCaseResult> HandleAsync(Caller caller, OpenClosingCaseRequest request, CancellationToken ct = default)
    {
        var household = await HouseholdStore.LoadForAsync(db, caller, "open closing cases", RegistryAccess.CountySteps, request.HouseholdId, ct).ConfigureAwait(false);
        var today = clock.Today;
        var policy = policies.InForce(household.RegionCode, today);
        var errors = new FieldErrors();
        ValidateStableIncome(request.IncomeStableSince, policy, today, errors);
        errors.Require(!string.IsNullOrWhiteSpace(request.Summary), "summary", "is empty: say why the risk is considered eliminated");
        errors.ThrowIfAny();
        var c = await OpenAsync(db, clock, household, policy, ClosingSource.Assessment, null, request.Summary!.Trim(), request.IncomeStableSince!.Value,
            RegistryAccess.ActorOf(caller), ct).ConfigureAwait(false);
        return new ClosingCaseResult(await ClosingCases.ViewAsync(db, c, ct).ConfigureAwait(false));
    }

    /// <summary>Income must have been stable for the policy's months (pure rule).</summary>
    public static void ValidateStableIncome(DateOnly? since, ProvincePolicy policy, DateOnly today, FieldErrors errors)
    {
        if (since is null)
        {
            errors.Add("income_stable_since", "is required");
            return;
        }
        if (since > today)
        {
            errors.Add("income_stable_since", $"{since:yyyy-MM-dd} is in the future");
            return;
        }
        var months = ClosingProcedure.WholeMonthsBetween(since.Value, today);
        errors.Require(months >= policy.Closing.StableIncomeMonths, "income_stable_since",
            $"income has been stable for {months} month(s); policy {policy.Province} v{policy.Version} asks for {policy.Closing.StableIncomeMonths}");
    }

    /// <summary>The opening itself, shared with the RiskEliminationProposed consumer.</summary>
    internal static async Task<ClosingCase> OpenAsync(RegistryDbContext db, RegistryClock clock, Household household, ProvincePolicy policy,
        ClosingSource source, string? sourceReference, string summary, DateOnly incomeStableSince, Actor actor, CancellationToken ct)
    {
        if (household.Status != MonitoringStatus.Monitored)
        {
            throw new PreconditionFailedException($"the household is {household.Status}; only a monitored household can be closed", household.Status.ToString());
        }
        var open = await db.ClosingCases.AsNoTracking()
            .Where(x => x.HouseholdId == household.Id && x.State != ClosingState.RiskEliminated && x.State != ClosingState.Rejected)
            .Select(x => new { x.Id, x.State }).FirstOrDefaultAsync(ct).ConfigureAwait(false);
        if (open is not null)
        {
            throw new PreconditionFailedException($"closing case {open.Id} is in progress", open.State.ToString());
        }
        var c = ClosingCase.Open(household, source, sourceReference, summary, incomeStableSince, policy, actor, clock.Today, clock.Now);
        db.ClosingCases.Add(c);
        try
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex, ClosingCases.OpenCaseIndex))
        {
            throw new PreconditionFailedException("another closing case for the household was opened meanwhile", household.Status.ToString());
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex, ClosingCases.SourceIndex))
        {
            throw new AlreadyExistsException($"a closing case from {source} with reference '{sourceReference}' exists already");
        }
        return c;
    }
}
