using FanPin.Policies;
using FanPin.Registry.Application.Common;
using FanPin.Registry.Domain;
using FanPin.Registry.Infrastructure;
using FanPin.ServiceDefaults.Authentication;

namespace FanPin.Registry.Application.Identification;

/// <summary>录入: monitoring type, risk types and the responsible helper.</summary>
public sealed record EnterMonitoredHouseholdRequest(Guid CaseId, MonitoringType? MonitoringType, IReadOnlyList<RiskType>? RiskTypes, HelperInput? Helper);

/// <summary>Which monitoring types fit which household category (DOMAIN.md §3).</summary>
public static class MonitoringTypeRules
{
    /// <summary>
    /// 脱贫不稳定户 are households that left poverty; 边缘易致贫户 are ordinary households on the edge;
    /// 突发严重困难户 can be either.
    /// </summary>
    public static bool Fits(MonitoringType type, HouseholdCategory category) => type switch
    {
        MonitoringType.UnstablePostPoverty => category == HouseholdCategory.PovertyAlleviated,
        MonitoringType.MarginalAtRisk => category == HouseholdCategory.Ordinary,
        _ => true,
    };
}

/// <summary>
/// The county enters the household: it becomes monitored with its type, risk types and helper. Allowed
/// once every step the policy runs is done (and the notice has ended). Raises HouseholdIdentified.
/// </summary>
public sealed class EnterMonitoredHousehold(RegistryDbContext db, RegistryClock clock)
{
    /// <summary>Runs the use case.</summary>
    public async Task<IdentificationCaseResult> HandleAsync(Caller caller, EnterMonitoredHouseholdRequest request, CancellationToken ct = default)
    {
        var (c, household) = await IdentificationCases.LoadForAsync(db, caller, "enter monitored households", RegistryAccess.CountySteps, request.CaseId, ct).ConfigureAwait(false);
        var today = clock.Today;
        var errors = new FieldErrors();
        if (request.MonitoringType is null)
        {
            errors.Add("monitoring_type", "is required");
        }
        else if (!MonitoringTypeRules.Fits(request.MonitoringType.Value, household.Category))
        {
            errors.Add("monitoring_type", $"{request.MonitoringType} does not fit a {household.Category} household");
        }
        var risks = request.RiskTypes ?? [];
        errors.Require(risks.Count > 0, "risk_types", "name at least one risk type");
        errors.Require(risks.Distinct().Count() == risks.Count, "risk_types", "lists a risk type twice");
        HouseholdInputRules.ValidateHelper(request.Helper, "helper", errors);
        errors.ThrowIfAny();
        var now = clock.Now;
        var h = request.Helper!;
        var helper = new ResponsibleHelper(h.Name!.Trim(), h.Phone!.Trim(), h.Organisation!.Trim(), today);
        c.Enter(request.MonitoringType!.Value, risks, helper, today, RegistryAccess.ActorOf(caller), now);
        household.Identify(request.MonitoringType.Value, risks.ToList(), helper, now);
        await IdentificationCases.SaveAsync(db, c, ct).ConfigureAwait(false);
        return new IdentificationCaseResult(await IdentificationCases.ViewAsync(db, c, today, ct).ConfigureAwait(false));
    }
}
