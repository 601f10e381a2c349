using FanPin.Grading.Application.Common;
using FanPin.Grading.Infrastructure;
using FanPin.ServiceDefaults.Authentication;

namespace FanPin.Grading.Application.Warnings;

/// <summary>Report that assistance started on a warning.</summary>
/// <param name="WarningId">The warning.</param>
/// <param name="Note">Optional note (e.g. the measures taken) kept in the history.</param>
public sealed record StartAssistanceRequest(string WarningId, string? Note = null);

/// <summary>
/// The township, a department it was handed to, the county or the province reports that assistance is under way
/// (帮扶中): the response deadline is met and the warning no longer escalates. The integrator may also call it
/// when the assistance service reports a plan's first measure (as a system caller with the county's scope).
/// </summary>
public sealed class StartAssistance(GradingDbContext db, PolicyCatalog policies, GradingClock clock)
{
    /// <summary>Runs the use case.</summary>
    public async Task<WarningCommandResult> HandleAsync(Caller caller, StartAssistanceRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(request);
        RegionScope.DemandRole(caller, "report assistance on a warning", GradingAccess.Assisters);
        var v = new Validator();
        var id = LockedWarnings.ParseId(request.WarningId, v);
        v.Require((request.Note?.Length ?? 0) <= 2000, "note", "is longer than 2000 characters");
        v.ThrowIfInvalid();
        await using var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        var warning = await LockedWarnings.LoadAsync(db, caller, id, ct).ConfigureAwait(false);
        if (caller.Role == CallerRole.Department && !warning.DispatchedDepartments.Contains(caller.Department!))
        {
            throw new AccessDeniedException($"the warning was not handed to department {caller.Department}");
        }
        warning.StartAssistance(caller.Subject, request.Note, clock.Now);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        var policy = await policies.AtAsync(warning.Province, clock.Today, ct).ConfigureAwait(false);
        return new WarningCommandResult(WarningView.Of(warning, clock.Today, policy.WorkingDays));
    }
}
