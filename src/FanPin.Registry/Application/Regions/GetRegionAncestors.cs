using FanPin.Registry.Infrastructure;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Registry.Application.Regions;

/// <summary>A region's lineage.</summary>
public sealed record GetRegionAncestorsRequest(string? Code);

/// <summary>From the province down to the region itself.</summary>
public sealed record GetRegionAncestorsResult(IReadOnlyList<RegionView> Lineage);

/// <summary>The region and its ancestors, province first (public data, like <see cref="ListRegionChildren"/>).</summary>
public sealed class GetRegionAncestors(RegistryDbContext db)
{
    /// <summary>Runs the use case.</summary>
    public async Task<GetRegionAncestorsResult> HandleAsync(Caller caller, GetRegionAncestorsRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (!RegionCode.TryParse(request.Code, out var code, out var error))
        {
            throw new ValidationFailedException("code", error);
        }
        var lineage = code.Lineage().Select(c => c.Value).ToList();
        var found = await db.Regions.AsNoTracking().Where(r => lineage.Contains(r.Code))
            .Select(r => new RegionView(r.Code, r.Name, r.Level, r.ParentCode)).ToListAsync(ct).ConfigureAwait(false);
        if (found.All(r => r.Code != code.Value))
        {
            throw new NotFoundException("region", code.Value);
        }
        return new GetRegionAncestorsResult(found.OrderBy(r => r.Level).ToList());
    }
}
