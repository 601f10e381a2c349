using FanPin.Registry.Application.Common;
using FanPin.Registry.Infrastructure;
using FanPin.ServiceDefaults.Authentication;

namespace FanPin.Registry.Application.Closing;

/// <summary>End a closing case without closing.</summary>
public sealed record RejectClosingCaseRequest(Guid CaseId, string? Reason);

/// <summary>Ends an open closing case at its current step (by the role running it); the household stays monitored.</summary>
public sealed class RejectClosingCase(RegistryDbContext db, RegistryClock clock)
{
    /// <summary>Runs the use case.</summary>
    public async Task<ClosingCaseResult> HandleAsync(Caller caller, RejectClosingCaseRequest request, CancellationToken ct = default)
    {
        var (c, _) = await ClosingCases.LoadForAsync(db, caller, "read closing cases", RegistryAccess.Read, request.CaseId, ct).ConfigureAwait(false);
        RegionScope.DemandRole(caller, $"reject a closing case at {c.State}", RegistryAccess.RolesForClosingStep(c.State));
        if (string.IsNullOrWhiteSpace(request.Reason))
        {
            throw new ValidationFailedException("reason", "is required");
        }
        c.RejectAtCurrentStep(request.Reason.Trim(), RegistryAccess.ActorOf(caller), clock.Now);
        await ClosingCases.SaveAsync(db, c, ct).ConfigureAwait(false);
        return new ClosingCaseResult(await ClosingCases.ViewAsync(db, c, ct).ConfigureAwait(false));
    }
}
