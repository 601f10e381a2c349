using FanPin.Monitoring.Application.Common;
using FanPin.Monitoring.Domain;
using FanPin.Monitoring.Infrastructure;
using FanPin.ServiceDefaults.Authentication;

namespace FanPin.Monitoring.Application.Records;

/// <summary>Records one month's cost: a productive cost or a rigid cost (medical self-paid, schooling, disaster loss, accident).</summary>
/// <param name="HouseholdId">The household.</param>
/// <param name="Category">A cost category.</param>
/// <param name="Month">"yyyy-MM", not after the current month.</param>
/// <param name="AmountFen">Amount in fen (≥ 0).</param>
/// <param name="Source">Cadre or farmer.</param>
/// <param name="Reference">Optional reference (bill, receipt).</param>
public sealed record RecordExpenditureRequest(Guid HouseholdId, RecordCategory Category, string Month, long AmountFen, RecordSource Source, string? Reference = null);

/// <summary>Records a cost; the household is queued for evaluation in the same transaction.</summary>
public sealed class RecordExpenditure(MonitoringDbContext db, MonitoringClock clock)
{
    /// <summary>Records the cost; returns the new record.</summary>
    public async Task<RecordView> HandleAsync(Caller caller, RecordExpenditureRequest request, CancellationToken ct = default)
    {
        var household = await Households.FindAsync(db, caller, "record expenditure", request.HouseholdId, MonitoringAccess.Record, ct).ConfigureAwait(false);
        var validator = new Validator();
        validator.Require(RecordCategories.IsDefined(request.Category) && RecordCategories.KindOf(request.Category) != RecordKind.Income,
            "category", "must be a cost category (productive_cost, medical_self_paid, schooling, disaster_loss, accident)");
        var month = RecordRules.Month(request.Month, clock.CurrentMonth, validator);
        RecordRules.Amount(request.AmountFen, validator);
        RecordRules.ManualSource(request.Source, validator);
        var reference = RecordRules.Reference(request.Reference, validator);
        validator.ThrowIfInvalid();
        return await RecordWriter.AddAsync(db, clock, household.Id,
            MonthlyRecord.Create(household.Id, request.Category, month, request.AmountFen, request.Source, reference, clock.UtcNow, caller.Subject), ct).ConfigureAwait(false);
    }
}
