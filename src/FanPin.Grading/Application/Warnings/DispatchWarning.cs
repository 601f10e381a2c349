using FanPin.Grading.Application.Common;
using FanPin.Grading.Infrastructure;
using FanPin.Policies;
using FanPin.ServiceDefaults.Authentication;

namespace FanPin.Grading.Application.Warnings;

/// <summary>Hand a warning to the household's township and named departments.</summary>
/// <param name="WarningId">The warning.</param>
/// <param name="Departments">Departments by their <c>dept</c> claim names (e.g. <c>civil-affairs</c>); may be empty (township only).</param>
/// <param name="Note">Optional note kept in the history.</param>
public sealed record DispatchWarningRequest(string WarningId, IReadOnlyList<string> Departments, string? Note = null);

/// <summary>
/// 清单交办: the county (or province) hands an acknowledged or escalated warning to the household's township and
/// the named departments; dispatching again replaces the list. Assistance and notification act on the event.
/// </summary>
public sealed class DispatchWarning(GradingDbContext db, PolicyCatalog policies, GradingClock clock)
{
    /// <summary>Runs the use case.</summary>
    public async Task<WarningCommandResult> HandleAsync(Caller caller, DispatchWarningRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(request);
        RegionScope.DemandRole(caller, "dispatch a warning", GradingAccess.Dispatchers);
        var v = new Validator();
        var id = LockedWarnings.ParseId(request.WarningId, v);
        for (var i = 0; i < request.Departments.Count; i++)
        {
            v.Require(Departments.All.Contains(request.Departments[i]), $"departments[{i}]",
                $"'{request.Departments[i]}' is not a department; expected one of: {string.Join(", ", Departments.All)}");
        }
        v.Require(request.Departments.Distinct(StringComparer.Ordinal).Count() == request.Departments.Count, "departments", "lists a department twice");
        v.Require((request.Note?.Length ?? 0) <= 2000, "note", "is longer than 2000 characters");
        v.ThrowIfInvalid();
        await using var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        var warning = await LockedWarnings.LoadAsync(db, caller, id, ct).ConfigureAwait(false);
        warning.Dispatch([.. request.Departments.Order(StringComparer.Ordinal)], caller.Subject, request.Note, clock.Now);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        var policy = await policies.AtAsync(warning.Province, clock.Today, ct).ConfigureAwait(false);
        return new WarningCommandResult(WarningView.Of(warning, clock.Today, policy.WorkingDays));
    }
}
