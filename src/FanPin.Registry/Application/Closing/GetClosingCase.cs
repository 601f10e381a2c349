using FanPin.Registry.Application.Common;
using FanPin.Registry.Infrastructure;
using FanPin.ServiceDefaults.Authentication;

namespace FanPin.Registry.Application.Closing;

/// <summary>One closing case.</summary>
public sealed record GetClosingCaseRequest(Guid CaseId);

/// <summary>Reads a closing case with its audit trail.</summary>
public sealed class GetClosingCase(RegistryDbContext db)
{
    /// <summary>Runs the use case.</summary>
    public async Task<ClosingCaseResult> HandleAsync(Caller caller, GetClosingCaseRequest request, CancellationToken ct = default)
    {
        var (c, _) = await ClosingCases.LoadForAsync(db, caller, "read closing cases", RegistryAccess.Read, request.CaseId, ct).ConfigureAwait(false);
        return new ClosingCaseResult(await ClosingCases.ViewAsync(db, c, ct).ConfigureAwait(false));
    }
}
