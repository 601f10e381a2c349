using FanPin.Registry.Application.Common;
using FanPin.Registry.Infrastructure;
using FanPin.ServiceDefaults.Authentication;

namespace FanPin.Registry.Application.Identification;

/// <summary>Reject at the current step with the reason told in writing.</summary>
public sealed record RejectIdentificationCaseRequest(Guid CaseId, string? Reason);

/// <summary>
/// Rejects an open case at its current step (e.g. the applicant withdraws, or facts found outside a step);
/// only the role that runs that step may. The household returns to its former status.
/// </summary>
public sealed class RejectIdentificationCase(RegistryDbContext db, RegistryClock clock)
{
    /// <summary>Runs the use case.</summary>
    public async Task<IdentificationCaseResult> HandleAsync(Caller caller, RejectIdentificationCaseRequest request, CancellationToken ct = default)
    {
        var (c, household) = await IdentificationCases.LoadForAsync(db, caller, "read identification cases", RegistryAccess.Read, request.CaseId, ct).ConfigureAwait(false);
        RegionScope.DemandRole(caller, $"reject a case at {c.State}", RegistryAccess.RolesForIdentificationStep(c.State));
        if (string.IsNullOrWhiteSpace(request.Reason))
        {
            throw new ValidationFailedException("reason", "is required: the household is told the reason in writing (书面告知)");
        }
        var now = clock.Now;
        c.RejectAtCurrentStep(request.Reason.Trim(), RegistryAccess.ActorOf(caller), now);
        household.ReturnFromCandidate(c.StatusBefore, now);
        await IdentificationCases.SaveAsync(db, c, ct).ConfigureAwait(false);
        return new IdentificationCaseResult(await IdentificationCases.ViewAsync(db, c, clock.Today, ct).ConfigureAwait(false));
    }
}
