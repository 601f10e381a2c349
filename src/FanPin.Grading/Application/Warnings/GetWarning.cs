using FanPin.Grading.Application.Common;
using FanPin.Grading.Infrastructure;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Grading.Application.Warnings;

/// <summary>One warning.</summary>
/// <param name="WarningId">The warning.</param>
public sealed record GetWarningRequest(string WarningId);

/// <summary>The warning and its whole history, oldest step first.</summary>
public sealed record GetWarningResult(WarningView Warning, IReadOnlyList<WarningTransitionView> History);

/// <summary>A warning with its history (every grade change and status step, with reasons and actors).</summary>
public sealed class GetWarning(GradingDbContext db, PolicyCatalog policies, GradingClock clock)
{
    /// <summary>Runs the use case.</summary>
    public async Task<GetWarningResult> HandleAsync(Caller caller, GetWarningRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(request);
        var v = new Validator();
        var id = LockedWarnings.ParseId(request.WarningId, v);
        v.ThrowIfInvalid();
        var warning = await db.Warnings.AsNoTracking().SingleOrDefaultAsync(w => w.Id == id, ct).ConfigureAwait(false)
            ?? throw new NotFoundException("warning", id.ToString());
        GradingAccess.DemandVisible(caller, warning.RegionCode, "warning", id.ToString());
        var history = await db.WarningTransitions.AsNoTracking().Where(t => t.WarningId == id).OrderBy(t => t.Id)
            .ToListAsync(ct).ConfigureAwait(false);
        var today = clock.Today;
        var policy = await policies.AtAsync(warning.Province, today, ct).ConfigureAwait(false);
        return new GetWarningResult(WarningView.Of(warning, today, policy.WorkingDays), history.Select(WarningTransitionView.Of).ToList());
    }
}
