using FanPin.Registry.Application.Common;
using FanPin.Registry.Infrastructure;
using FanPin.ServiceDefaults.Authentication;

namespace FanPin.Registry.Application.Identification;

/// <summary>One identification case.</summary>
public sealed record GetIdentificationCaseRequest(Guid CaseId);

/// <summary>Reads a case with its audit trail and whether it is overdue today.</summary>
public sealed class GetIdentificationCase(RegistryDbContext db, RegistryClock clock)
{
    /// <summary>Runs the use case.</summary>
    public async Task<IdentificationCaseResult> HandleAsync(Caller caller, GetIdentificationCaseRequest request, CancellationToken ct = default)
    {
        var (c, _) = await IdentificationCases.LoadForAsync(db, caller, "read identification cases", RegistryAccess.Read, request.CaseId, ct).ConfigureAwait(false);
        return new IdentificationCaseResult(await IdentificationCases.ViewAsync(db, c, clock.Today, ct).ConfigureAwait(false));
    }
}
