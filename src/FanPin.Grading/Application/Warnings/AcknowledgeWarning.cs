using FanPin.Grading.Application.Common;
using FanPin.Grading.Domain;
using FanPin.Grading.Infrastructure;
using FanPin.ServiceDefaults.Authentication;

namespace FanPin.Grading.Application.Warnings;

/// <summary>Acknowledge a warning.</summary>
/// <param name="WarningId">The warning.</param>
/// <param name="Note">Optional note kept in the history.</param>
public sealed record AcknowledgeWarningRequest(string WarningId, string? Note = null);

/// <summary>The warning after the change.</summary>
public sealed record WarningCommandResult(WarningView Warning);

/// <summary>
/// The county dispatch centre (or the province) acknowledges a raised or escalated warning: someone has taken it.
/// </summary>
public sealed class AcknowledgeWarning(GradingDbContext db, PolicyCatalog policies, GradingClock clock)
{
    /// <summary>Runs the use case.</summary>
    public async Task<WarningCommandResult> HandleAsync(Caller caller, AcknowledgeWarningRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(request);
        RegionScope.DemandRole(caller, "acknowledge a warning", GradingAccess.Dispatchers);
        var v = new Validator();
        var id = LockedWarnings.ParseId(request.WarningId, v);
        v.Require((request.Note?.Length ?? 0) <= 2000, "note", "is longer than 2000 characters");
        v.ThrowIfInvalid();
        await using var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        var warning = await LockedWarnings.LoadAsync(db, caller, id, ct).ConfigureAwait(false);
        warning.Acknowledge(caller.Subject, request.Note, clock.Now);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        var policy = await policies.AtAsync(warning.Province, clock.Today, ct).ConfigureAwait(false);
        return new WarningCommandResult(WarningView.Of(warning, clock.Today, policy.WorkingDays));
    }
}
