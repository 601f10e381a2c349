using FanPin.Registry.Application.Common;
using FanPin.Registry.Infrastructure;
using FanPin.ServiceDefaults.Authentication;

namespace FanPin.Registry.Application.Identification;

/// <summary>An objection raised while the notice runs.</summary>
public sealed record RecordIdentificationObjectionRequest(Guid CaseId, string? Objection);

/// <summary>Records an objection; where the policy says so, the case reopens at its first step with new deadlines.</summary>
public sealed class RecordIdentificationObjection(RegistryDbContext db, RegistryPolicies policies, RegistryClock clock)
{
    /// <summary>Runs the use case.</summary>
    public async Task<IdentificationCaseResult> HandleAsync(Caller caller, RecordIdentificationObjectionRequest request, CancellationToken ct = default)
    {
        var (c, _) = await IdentificationCases.LoadForAsync(db, caller, "record objections", RegistryAccess.TownshipSteps, request.CaseId, ct).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(request.Objection))
        {
            throw new ValidationFailedException("objection", "is empty");
        }
        var policy = policies.OfCase(c.RegionCode, c.PolicyProvince, c.PolicyVersion);
        c.RecordObjection(policy, request.Objection.Trim(), clock.Today, RegistryAccess.ActorOf(caller), clock.Now);
        await IdentificationCases.SaveAsync(db, c, ct).ConfigureAwait(false);
        return new IdentificationCaseResult(await IdentificationCases.ViewAsync(db, c, clock.Today, ct).ConfigureAwait(false));
    }
}
