using FanPin.Assistance.Application.Common;
using FanPin.Assistance.Domain;
using FanPin.Assistance.Infrastructure;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Assistance.Application.Catalogue;

/// <summary>Lists the current catalogue, optionally one category.</summary>
public sealed record ListMeasureTypesRequest(MeasureCategory? Category);

/// <summary>Reads the current version of every measure type.</summary>
public sealed class ListMeasureTypes(AssistanceDbContext db)
{
    /// <summary>Runs the use case.</summary>
    public async Task<IReadOnlyList<MeasureType>> HandleAsync(Caller caller, ListMeasureTypesRequest request, CancellationToken ct = default)
    {
        RegionScope.DemandRole(caller, "read the catalogue", AssistanceAccess.Read);
        var query = db.MeasureTypes.AsNoTracking().Where(m => m.IsCurrent);
        if (request.Category is { } category)
        {
            query = query.Where(m => m.Category == category);
        }
        var list = await query.ToListAsync(ct).ConfigureAwait(false);
        return list.OrderBy(m => m.Category).ThenBy(m => m.Code, StringComparer.Ordinal).ToList();
    }

    /// <summary>The current, active catalogue (for recommendations).</summary>
    internal static async Task<List<MeasureType>> CurrentAsync(AssistanceDbContext db, CancellationToken ct) =>
        await db.MeasureTypes.AsNoTracking().Where(m => m.IsCurrent).ToListAsync(ct).ConfigureAwait(false);
}

/// <summary>A new entry or the next version of one.</summary>
public sealed record UpsertMeasureTypeRequest(string Code, string Name, MeasureCategory? Category, string Department, IReadOnlyList<RiskType> RiskTypes,
    bool RequiresLabour, int DefaultDeadlineWorkingDays, bool Active);

/// <summary>Province admins add a measure type or publish its next version (the old version stays for the tasks that use it).</summary>
public sealed class UpsertMeasureType(AssistanceDbContext db, AssistanceClock clock)
{
    /// <summary>Runs the use case.</summary>
    public async Task<MeasureType> HandleAsync(Caller caller, UpsertMeasureTypeRequest request, CancellationToken ct = default)
    {
        RegionScope.DemandRole(caller, "edit the catalogue", AssistanceAccess.EditCatalogue);
        var v = new Validator()
            .Require(System.Text.RegularExpressions.Regex.IsMatch(request.Code ?? "", "^[a-z][a-z0-9-]*(\\.[a-z0-9-]+)*$"), "measure_type.code", "must be lower-case words separated by dots or dashes, e.g. employment.public-welfare-job")
            .Require(!string.IsNullOrWhiteSpace(request.Name), "measure_type.name", "is required")
            .Require(request.Category is not null && Enum.IsDefined(request.Category.Value), "measure_type.category", "is required")
            .Require(!string.IsNullOrWhiteSpace(request.Department), "measure_type.responsible_department", "is required (a department code or 'township')")
            .Require(request.RiskTypes.Count > 0 && request.RiskTypes.All(Enum.IsDefined), "measure_type.risk_types", "name at least one known risk type")
            .Require(request.DefaultDeadlineWorkingDays is >= 1 and <= 365, "measure_type.default_deadline_working_days", "must be 1 to 365");
        v.ThrowIfInvalid();
        await using var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        var current = await db.MeasureTypes.FirstOrDefaultAsync(m => m.Code == request.Code && m.IsCurrent, ct).ConfigureAwait(false);
        var next = MeasureType.Create(request.Code!, request.Name.Trim(), request.Category!.Value, request.Department.Trim(), request.RiskTypes, request.RequiresLabour, request.DefaultDeadlineWorkingDays);
        next.Active = request.Active;
        next.Version = (current?.Version ?? 0) + 1;
        next.PublishedAt = clock.Now;
        next.PublishedBy = AssistanceAccess.ActorOf(caller);
        if (current is not null)
        {
            current.IsCurrent = false;
            // The partial unique index allows one current row: retire the old one first.
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        db.MeasureTypes.Add(next);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return next;
    }
}
