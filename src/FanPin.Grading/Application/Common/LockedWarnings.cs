using FanPin.Grading.Domain;
using FanPin.Grading.Infrastructure;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Grading.Application.Common;

/// <summary>Loads a warning for a lifecycle command, inside the caller's transaction, after locking its household.</summary>
public static class LockedWarnings
{
    /// <summary>
    /// The warning, tracked, with its household's facts row locked (the same lock grading takes, so a command and a
    /// re-grade of the same household never interleave). NOT_FOUND when absent or outside the caller's scope.
    /// </summary>
    public static async Task<Warning> LoadAsync(GradingDbContext db, Caller caller, Guid warningId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var key = await db.Warnings.AsNoTracking().Where(w => w.Id == warningId)
            .Select(w => new { w.HouseholdId, w.RegionCode })
            .SingleOrDefaultAsync(ct).ConfigureAwait(false)
            ?? throw new NotFoundException("warning", warningId.ToString());
        GradingAccess.DemandVisible(caller, key.RegionCode, "warning", warningId.ToString());
        await db.Database.ExecuteSqlInterpolatedAsync($"SELECT 1 FROM household_facts WHERE household_id = {key.HouseholdId} FOR UPDATE", ct).ConfigureAwait(false);
        return await db.Warnings.SingleAsync(w => w.Id == warningId, ct).ConfigureAwait(false);
    }

    /// <summary>Parses a warning id field.</summary>
    public static Guid ParseId(string? text, Validator validator, string field = "warning_id")
    {
        ArgumentNullException.ThrowIfNull(validator);
        if (Guid.TryParse(text, out var id) && id != Guid.Empty)
        {
            return id;
        }
        validator.Add(field, $"'{text}' is not a warning id");
        return Guid.Empty;
    }
}
