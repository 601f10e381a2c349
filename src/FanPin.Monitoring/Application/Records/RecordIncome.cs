using FanPin.Monitoring.Application.Common;
using FanPin.Monitoring.Domain;
using FanPin.Monitoring.Infrastructure;
using FanPin.ServiceDefaults.Authentication;

namespace FanPin.Monitoring.Application.Records;

/// <summary>Records one month's income of a category (wage, business, property, transfer).</summary>
/// <param name="HouseholdId">The household.</param>
/// <param name="Category">An income category.</param>
/// <param name="Month">"yyyy-MM", not after the current month.</param>
/// <param name="AmountFen">Amount in fen (≥ 0).</param>
/// <param name="Source">Cadre or farmer.</param>
/// <param name="Reference">Optional reference (receipt, visit).</param>
public sealed record RecordIncomeRequest(Guid HouseholdId, RecordCategory Category, string Month, long AmountFen, RecordSource Source, string? Reference = null);

/// <summary>
/// Records income. The household is queued for evaluation in the same transaction, so its signals follow.
/// </summary>
public sealed class RecordIncome(MonitoringDbContext db, MonitoringClock clock)
{
    /// <summary>Records the income; returns the new record.</summary>
    public async Task<RecordView> HandleAsync(Caller caller, RecordIncomeRequest request, CancellationToken ct = default)
    {
        var household = await Households.FindAsync(db, caller, "record income", request.HouseholdId, MonitoringAccess.Record, ct).ConfigureAwait(false);
        var validator = new Validator();
        validator.Require(RecordCategories.IsDefined(request.Category) && RecordCategories.KindOf(request.Category) == RecordKind.Income,
            "category", "must be an income category (wage, business_net, property_net, transfer_net)");
        var month = RecordRules.Month(request.Month, clock.CurrentMonth, validator);
        RecordRules.Amount(request.AmountFen, validator);
        RecordRules.ManualSource(request.Source, validator);
        var reference = RecordRules.Reference(request.Reference, validator);
        validator.ThrowIfInvalid();
        return await RecordWriter.AddAsync(db, clock, household.Id,
            MonthlyRecord.Create(household.Id, request.Category, month, request.AmountFen, request.Source, reference, clock.UtcNow, caller.Subject), ct).ConfigureAwait(false);
    }
}

/// <summary>Saving a new record together with the household's evaluation ticket.</summary>
internal static class RecordWriter
{
    public static async Task<RecordView> AddAsync(MonitoringDbContext db, MonitoringClock clock, Guid householdId, MonthlyRecord record, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        db.Records.Add(record);
        await db.EnqueueEvaluationAsync(householdId, clock.UtcNow, ct).ConfigureAwait(false);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return RecordView.Of(record);
    }
}
