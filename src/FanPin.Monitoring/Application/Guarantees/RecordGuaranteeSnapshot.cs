using FanPin.Monitoring.Application.Common;
using FanPin.Monitoring.Domain;
using FanPin.Monitoring.Infrastructure;
using FanPin.ServiceDefaults.Authentication;

namespace FanPin.Monitoring.Application.Guarantees;

/// <summary>A snapshot of the guarantee indicators as a cadre observed them; unassessed indicators are null.</summary>
/// <param name="HouseholdId">The household.</param>
/// <param name="ObservedOn">The day observed (not in the future).</param>
/// <param name="Indicators">The assessed indicators (at least one).</param>
/// <param name="Source">Cadre or farmer.</param>
/// <param name="Reference">Optional reference (visit, inspection).</param>
public sealed record RecordGuaranteeSnapshotRequest(Guid HouseholdId, DateOnly ObservedOn, GuaranteeIndicators Indicators, RecordSource Source, string? Reference = null);

/// <summary>A snapshot as answers show it.</summary>
public sealed record GuaranteeSnapshotView(Guid Id, Guid HouseholdId, DateOnly ObservedOn, GuaranteeIndicators Indicators, RecordSource Source,
    string? Department, string Reference, DateTimeOffset RecordedAt, string RecordedBy)
{
    /// <summary>The view of a snapshot.</summary>
    public static GuaranteeSnapshotView Of(GuaranteeSnapshot s) =>
        new(s.Id, s.HouseholdId, s.ObservedOn, s.Indicators, s.Source, s.Department, s.Reference, s.RecordedAt, s.RecordedBy);
}

/// <summary>Records a dated guarantee snapshot (history is kept) and queues the household for evaluation.</summary>
public sealed class RecordGuaranteeSnapshot(MonitoringDbContext db, MonitoringClock clock)
{
    /// <summary>Records the snapshot.</summary>
    public async Task<GuaranteeSnapshotView> HandleAsync(Caller caller, RecordGuaranteeSnapshotRequest request, CancellationToken ct = default)
    {
        var household = await Households.FindAsync(db, caller, "record guarantee indicators", request.HouseholdId, MonitoringAccess.Record, ct).ConfigureAwait(false);
        var validator = new Validator();
        var i = request.Indicators;
        validator.Require(!i.IsEmpty, "indicators", "at least one indicator must be assessed");
        validator.Require(request.ObservedOn <= clock.Today, "observed_on", $"{request.ObservedOn:yyyy-MM-dd} is in the future");
        validator.Require(i.OutOfSchoolChildren is null or >= 0, "indicators.out_of_school_children", "must not be negative");
        validator.Require(i.UninsuredMembers is null or >= 0, "indicators.uninsured_members", "must not be negative");
        validator.Require(i.HousingGrade is null || Enum.IsDefined(i.HousingGrade.Value), "indicators.housing_grade", "must be A, B, C or D");
        validator.Require(i.WaterLitresPerPersonPerDay is null or >= 0 and <= 10_000, "indicators.water_litres_per_person_per_day", "must be 0–10000");
        validator.Require(i.WaterFetchRoundTripMinutes is null or >= 0 and <= 1440, "indicators.water_fetch_round_trip_minutes", "must be 0–1440");
        validator.Require(i.WaterSupplyRate is null or >= 0m and <= 1m, "indicators.water_supply_rate", "must be between 0 and 1");
        validator.Require(request.Source is RecordSource.Cadre or RecordSource.Farmer, "source", "must be cadre or farmer; department data comes through feeds");
        var reference = request.Reference?.Trim() ?? "";
        validator.Require(reference.Length <= 200, "reference", "is longer than 200 characters");
        validator.ThrowIfInvalid();
        var snapshot = GuaranteeSnapshot.Create(household.Id, request.ObservedOn,
            i with { WaterSupplyRate = i.WaterSupplyRate is { } rate ? decimal.Round(rate, 4) : null },
            request.Source, reference, clock.UtcNow, caller.Subject);
        await using var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        db.GuaranteeSnapshots.Add(snapshot);
        await db.EnqueueEvaluationAsync(household.Id, clock.UtcNow, ct).ConfigureAwait(false);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return GuaranteeSnapshotView.Of(snapshot);
    }
}
