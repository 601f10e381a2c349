using FanPin.Registry.Application.Common;
using FanPin.Registry.Domain;
using FanPin.Registry.Infrastructure;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Registry.Application.Households;

/// <summary>Loading and checks shared by the household use cases.</summary>
internal static class HouseholdStore
{
    /// <summary>The unique index that keeps an ID number in one household at a time.</summary>
    public const string CurrentIdNumberIndex = "ux_members_current_id_number";

    /// <summary>Loads a household with all its members, or NOT_FOUND.</summary>
    public static async Task<Household> LoadAsync(RegistryDbContext db, Guid id, CancellationToken ct) =>
        await db.Households.Include(h => h.AllMembers).AsSplitQuery().FirstOrDefaultAsync(h => h.Id == id, ct).ConfigureAwait(false)
        ?? throw new NotFoundException("household", id.ToString());

    /// <summary>Loads a household the caller may act on with one of <paramref name="roles"/>.</summary>
    public static async Task<Household> LoadForAsync(RegistryDbContext db, Caller caller, string action, CallerRole[] roles, Guid id, CancellationToken ct)
    {
        RegionScope.DemandRole(caller, action, roles);
        var household = await LoadAsync(db, id, ct).ConfigureAwait(false);
        RegionScope.Demand(caller, RegionCode.Parse(household.RegionCode));
        return household;
    }

    /// <summary>Refuses changes to a household merged into another.</summary>
    public static void DemandNotMerged(Household household)
    {
        if (household.MergedIntoId is { } target)
        {
            throw new PreconditionFailedException($"household {household.Id} was merged into {target}", "Merged");
        }
    }

    /// <summary>Refuses ID numbers that belong to a current member of another household (ALREADY_EXISTS naming the field).</summary>
    public static async Task DemandIdNumbersFreeAsync(RegistryDbContext db, IReadOnlyList<(string Field, ProtectedIdNumber Id)> ids, Guid? exceptHousehold, CancellationToken ct)
    {
        var hashes = ids.Select(i => i.Id.Hash).ToList();
        var taken = await db.Members.AsNoTracking()
            .Where(m => m.LeftOn == null && hashes.Contains(m.IdNumberHash) && (exceptHousehold == null || m.HouseholdId != exceptHousehold))
            .Select(m => new { m.IdNumberHash, m.HouseholdId })
            .ToListAsync(ct).ConfigureAwait(false);
        if (taken.Count == 0)
        {
            return;
        }
        var conflicts = ids.Where(i => taken.Any(t => t.IdNumberHash.AsSpan().SequenceEqual(i.Id.Hash)))
            .Select(i => $"{i.Field}: ID number {i.Id.Masked} belongs to a current member of another household");
        throw new AlreadyExistsException(string.Join("; ", conflicts));
    }

    /// <summary>Checks the village exists (a validation error on <paramref name="field"/> otherwise).</summary>
    public static async Task DemandVillageExistsAsync(RegistryDbContext db, RegionCode village, string field, CancellationToken ct)
    {
        if (!await db.Regions.AnyAsync(r => r.Code == village.Value, ct).ConfigureAwait(false))
        {
            throw new ValidationFailedException(field, $"region {village} does not exist");
        }
    }

    /// <summary>Saves; a concurrent registration of the same ID number becomes ALREADY_EXISTS.</summary>
    public static async Task SaveAsync(RegistryDbContext db, CancellationToken ct)
    {
        try
        {
            await DbErrors.SaveAsync(db, "the household", () => "changed", ct).ConfigureAwait(false);
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex, CurrentIdNumberIndex))
        {
            throw new AlreadyExistsException("an ID number of this request was registered in another household meanwhile");
        }
    }
}
