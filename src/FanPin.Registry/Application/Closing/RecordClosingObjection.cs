using FanPin.Registry.Application.Common;
using FanPin.Registry.Infrastructure;
using FanPin.ServiceDefaults.Authentication;

namespace FanPin.Registry.Application.Closing;

/// <summary>An objection during the exit notice.</summary>
public sealed record RecordClosingObjectionRequest(Guid CaseId, string? Objection);

/// <summary>Records an objection to an exit; where the policy says so, the case ends and the household stays monitored.</summary>
public sealed class RecordClosingObjection(RegistryDbContext db, RegistryPolicies policies, RegistryClock clock)
{
    /// <summary>Runs the use case.</summary>
    public async Task<ClosingCaseResult> HandleAsync(Caller caller, RecordClosingObjectionRequest request, CancellationToken ct = default)
    {
        var (c, _) = await ClosingCases.LoadForAsync(db, caller, "record objections", RegistryAccess.TownshipSteps, request.CaseId, ct).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(request.Objection))
        {
            throw new ValidationFailedException("objection", "is empty");
        }
        var policy = policies.OfCase(c.RegionCode, c.PolicyProvince, c.PolicyVersion);
        c.RecordObjection(policy, request.Objection.Trim(), clock.Today, RegistryAccess.ActorOf(caller), clock.Now);
        await ClosingCases.SaveAsync(db, c, ct).ConfigureAwait(false);
        return new ClosingCaseResult(await ClosingCases.ViewAsync(db, c, ct).ConfigureAwait(false));
    }
}
