using FanPin.Monitoring.Application.Common;
using FanPin.Monitoring.Domain;
using FanPin.Monitoring.Infrastructure;
using FanPin.ServiceDefaults.Authentication;

namespace FanPin.Monitoring.Application.Visits;

/// <summary>A helper's visit.</summary>
/// <param name="HouseholdId">The household.</param>
/// <param name="VisitedOn">Day of the visit (not in the future).</param>
/// <param name="HelperName">The helper who visited.</param>
/// <param name="Findings">What was found.</param>
/// <param name="NextActions">What happens next.</param>
public sealed record RecordVisitRequest(Guid HouseholdId, DateOnly VisitedOn, string HelperName, string Findings, string NextActions);

/// <summary>A visit as answers show it.</summary>
public sealed record VisitView(Guid Id, Guid HouseholdId, DateOnly VisitedOn, string HelperName, string Findings, string NextActions,
    DateTimeOffset RecordedAt, string RecordedBy)
{
    /// <summary>The view of a visit.</summary>
    public static VisitView Of(Visit v) => new(v.Id, v.HouseholdId, v.VisitedOn, v.HelperName, v.Findings, v.NextActions, v.RecordedAt, v.RecordedBy);
}

/// <summary>Records a visit (走访记录).</summary>
public sealed class RecordVisit(MonitoringDbContext db, MonitoringClock clock)
{
    /// <summary>Records the visit.</summary>
    public async Task<VisitView> HandleAsync(Caller caller, RecordVisitRequest request, CancellationToken ct = default)
    {
        var household = await Households.FindAsync(db, caller, "record visits", request.HouseholdId, MonitoringAccess.Record, ct).ConfigureAwait(false);
        var validator = new Validator();
        validator.Require(request.VisitedOn <= clock.Today, "visited_on", $"{request.VisitedOn:yyyy-MM-dd} is in the future");
        validator.Require(request.VisitedOn >= clock.Today.AddYears(-1), "visited_on", "is more than a year ago; visits are recorded as they happen");
        validator.Require(!string.IsNullOrWhiteSpace(request.HelperName), "helper_name", "is required");
        validator.Require((request.HelperName?.Length ?? 0) <= 100, "helper_name", "is longer than 100 characters");
        validator.Require(!string.IsNullOrWhiteSpace(request.Findings), "findings", "is required: what did the visit find?");
        validator.Require((request.Findings?.Length ?? 0) <= 4000, "findings", "is longer than 4000 characters");
        validator.Require((request.NextActions?.Length ?? 0) <= 4000, "next_actions", "is longer than 4000 characters");
        validator.ThrowIfInvalid();
        var visit = Visit.Create(household.Id, request.VisitedOn, request.HelperName!.Trim(), request.Findings!.Trim(), request.NextActions?.Trim() ?? "",
            clock.UtcNow, caller.Subject);
        db.Visits.Add(visit);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return VisitView.Of(visit);
    }
}
