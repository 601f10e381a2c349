using FanPin.Registry.Infrastructure;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Registry.Application.Regions;

/// <summary>A region as answers show it.</summary>
public sealed record RegionView(string Code, string Name, RegionLevel Level, string? ParentCode);

/// <summary>The children of a region; no code lists the provinces.</summary>
public sealed record ListRegionChildrenRequest(string? ParentCode);

/// <summary>The children, by code.</summary>
public sealed record ListRegionChildrenResult(IReadOnlyList<RegionView> Regions);

/// <summary>
/// Lists the children of a region. The region tree is public statistical data (NBS codes): every
/// authenticated caller may read all of it.
/// </summary>
public sealed class ListRegionChildren(RegistryDbContext db)
{
    /// <summary>Runs the use case.</summary>
    public async Task<ListRegionChildrenResult> HandleAsync(Caller caller, ListRegionChildrenRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        string? parent = null;
        if (!string.IsNullOrEmpty(request.ParentCode))
        {
            if (!RegionCode.TryParse(request.ParentCode, out var code, out var error))
            {
                throw new ValidationFailedException("parent_code", error);
            }
            parent = code.Value;
            if (!await db.Regions.AnyAsync(r => r.Code == parent, ct).ConfigureAwait(false))
            {
                throw new NotFoundException("region", parent);
            }
        }
        var children = await db.Regions.AsNoTracking()
            .Where(r => r.ParentCode == parent)
            .OrderBy(r => r.Code)
            .Select(r => new RegionView(r.Code, r.Name, r.Level, r.ParentCode))
            .ToListAsync(ct).ConfigureAwait(false);
        return new ListRegionChildrenResult(children);
    }
}
