using FanPin.Registry.Application.Common;
using FanPin.Registry.Infrastructure;
using FanPin.ServiceDefaults.Authentication;

namespace FanPin.Registry.Application.Closing;

/// <summary>The county's marking.</summary>
public sealed record EliminateRiskRequest(Guid CaseId);

/// <summary>
/// Marks the risk eliminated (标注"致贫风险消除") once the steps are done; the household becomes
/// RiskEliminated and stays under watch. Raises RiskEliminated.
/// </summary>
public sealed class EliminateRisk(RegistryDbContext db, RegistryClock clock)
{
    /// <summary>Runs the use case.</summary>
    public async Task<ClosingCaseResult> HandleAsync(Caller caller, EliminateRiskRequest request, CancellationToken ct = default)
    {
        var (c, household) = await ClosingCases.LoadForAsync(db, caller, "mark risks eliminated", RegistryAccess.CountySteps, request.CaseId, ct).ConfigureAwait(false);
        var now = clock.Now;
        c.Eliminate(clock.Today, RegistryAccess.ActorOf(caller), now);
        household.EliminateRisk(now);
        await ClosingCases.SaveAsync(db, c, ct).ConfigureAwait(false);
        return new ClosingCaseResult(await ClosingCases.ViewAsync(db, c, ct).ConfigureAwait(false));
    }
}
