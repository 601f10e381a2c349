using FanPin.Registry.Application.Common;
using FanPin.Registry.Infrastructure;
using FanPin.ServiceDefaults.Authentication;

namespace FanPin.Registry.Application.Identification;

/// <summary>村级公示: the first day the notice hangs in the village.</summary>
public sealed record PublishIdentificationNoticeRequest(Guid CaseId, DateOnly? StartsOn);

/// <summary>Publishes the village notice; its length and day counting come from the case's policy.</summary>
public sealed class PublishIdentificationNotice(RegistryDbContext db, RegistryPolicies policies, RegistryClock clock)
{
    /// <summary>Runs the use case.</summary>
    public async Task<IdentificationCaseResult> HandleAsync(Caller caller, PublishIdentificationNoticeRequest request, CancellationToken ct = default)
    {
        var (c, _) = await IdentificationCases.LoadForAsync(db, caller, "publish notices", RegistryAccess.TownshipSteps, request.CaseId, ct).ConfigureAwait(false);
        var today = clock.Today;
        var errors = new FieldErrors();
        if (request.StartsOn is null)
        {
            errors.Add("starts_on", "is required");
        }
        else
        {
            errors.Require(request.StartsOn >= c.OpenedOn, "starts_on", $"{request.StartsOn:yyyy-MM-dd} is before the case opened");
            errors.Require(request.StartsOn <= today.AddDays(30), "starts_on", "is more than 30 days ahead");
        }
        errors.ThrowIfAny();
        var policy = policies.OfCase(c.RegionCode, c.PolicyProvince, c.PolicyVersion);
        c.PublishNotice(policy, request.StartsOn!.Value, RegistryAccess.ActorOf(caller), clock.Now);
        await IdentificationCases.SaveAsync(db, c, ct).ConfigureAwait(false);
        return new IdentificationCaseResult(await IdentificationCases.ViewAsync(db, c, today, ct).ConfigureAwait(false));
    }
}
