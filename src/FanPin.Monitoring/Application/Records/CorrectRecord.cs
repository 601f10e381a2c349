using FanPin.Monitoring.Application.Common;
using FanPin.Monitoring.Domain;
using FanPin.Monitoring.Infrastructure;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace FanPin.Monitoring.Application.Records;

/// <summary>Corrects a record: the new values replace the current version as a new version; nothing is edited.</summary>
/// <param name="RecordId">The version being corrected (must be current).</param>
/// <param name="Category">Category of the correcting version (same kind of record: income stays income).</param>
/// <param name="Month">"yyyy-MM".</param>
/// <param name="AmountFen">Amount in fen (0 withdraws the amount while keeping the history).</param>
/// <param name="Source">Cadre or farmer.</param>
/// <param name="Reference">Reference of the correction.</param>
/// <param name="Reason">Why (required: an inspector reads it).</param>
public sealed record CorrectRecordRequest(Guid RecordId, RecordCategory Category, string Month, long AmountFen, RecordSource Source, string? Reference, string Reason);

/// <summary>
/// Supersedes a record with a corrected version. Correcting a version that is no longer current fails with
/// FAILED_PRECONDITION naming the current version, so two people correcting at once cannot both win.
/// </summary>
public sealed class CorrectRecord(MonitoringDbContext db, MonitoringClock clock)
{
    /// <summary>Corrects; returns the new version.</summary>
    public async Task<RecordView> HandleAsync(Caller caller, CorrectRecordRequest request, CancellationToken ct = default)
    {
        RegionScope.DemandRole(caller, "correct records", MonitoringAccess.Record);
        var record = await db.Records.FirstOrDefaultAsync(r => r.Id == request.RecordId, ct).ConfigureAwait(false)
            ?? throw new NotFoundException("record", request.RecordId.ToString());
        await Households.FindAsync(db, caller, "correct records", record.HouseholdId, MonitoringAccess.Record, ct).ConfigureAwait(false);
        var validator = new Validator();
        validator.Require(RecordCategories.IsDefined(request.Category) && RecordCategories.KindOf(request.Category) == record.Kind,
            "category", $"must be a category of the same kind as the record ({record.Kind})");
        var month = RecordRules.Month(request.Month, clock.CurrentMonth, validator);
        RecordRules.Amount(request.AmountFen, validator);
        RecordRules.ManualSource(request.Source, validator);
        var reference = RecordRules.Reference(request.Reference, validator);
        validator.Require(!string.IsNullOrWhiteSpace(request.Reason), "reason", "is required: say why the record is corrected");
        validator.ThrowIfInvalid();
        if (!record.IsCurrent)
        {
            throw new PreconditionFailedException($"record {record.Id} was already corrected; correct the current version {record.SupersededById}",
                $"superseded at {record.SupersededAt:O}");
        }
        var next = record.Correct(request.Category, month, request.AmountFen, request.Source, reference, request.Reason.Trim(), clock.UtcNow, caller.Subject);
        await using var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        db.Records.Add(next);
        await db.EnqueueEvaluationAsync(record.HouseholdId, clock.UtcNow, ct).ConfigureAwait(false);
        try
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            throw new PreconditionFailedException($"record {record.Id} was corrected by someone else meanwhile; read it again", "superseded");
        }
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return RecordView.Of(next);
    }
}
