using FanPin.Policies;
using FanPin.Registry.Application.Common;
using FanPin.Registry.Domain;
using FanPin.Registry.Infrastructure;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Registry.Application.Households;

/// <summary>Households below a region prefix, filtered, a page at a time (cursor paging).</summary>
public sealed record ListHouseholdsRequest(
    string? RegionPrefix,
    HouseholdCategory? Category = null,
    MonitoringStatus? Status = null,
    MonitoringType? MonitoringType = null,
    RiskType? RiskType = null,
    int PageSize = 0,
    string? PageToken = null);

/// <summary>A household in a list (no members: lists must stay cheap).</summary>
public sealed record HouseholdSummary(
    Guid Id,
    string RegionCode,
    string HeadName,
    int MemberCount,
    HouseholdCategory Category,
    MonitoringStatus Status,
    MonitoringType? MonitoringType,
    IReadOnlyList<RiskType> RiskTypes,
    string? HelperName);

/// <summary>A page; <see cref="NextPageToken"/> is empty on the last page.</summary>
public sealed record ListHouseholdsResult(IReadOnlyList<HouseholdSummary> Households, string NextPageToken);

/// <summary>
/// Lists households in (region code, id) order from the covering index; the token carries the last key, so
/// pages stay stable while households are added elsewhere. No prefix means the caller's whole scope.
/// </summary>
public sealed class ListHouseholds(RegistryDbContext db)
{
    /// <summary>Runs the use case.</summary>
    public async Task<ListHouseholdsResult> HandleAsync(Caller caller, ListHouseholdsRequest request, CancellationToken ct = default)
    {
        RegionScope.DemandRole(caller, "read households", RegistryAccess.Read);
        var errors = new FieldErrors();
        RegionPrefix? requested = null;
        if (!string.IsNullOrEmpty(request.RegionPrefix))
        {
            if (RegionPrefix.TryParse(request.RegionPrefix, out var p, out var error))
            {
                requested = p;
            }
            else
            {
                errors.Add("region_prefix", error);
            }
        }
        var size = PageTokens.PageSize(request.PageSize, errors);
        string afterRegion = "";
        var afterId = Guid.Empty;
        if (!string.IsNullOrEmpty(request.PageToken) && !PageTokens.TryDecode(request.PageToken, out afterRegion, out afterId))
        {
            errors.Add("page_token", "is not a token this service returned");
        }
        errors.ThrowIfAny();
        var prefix = RegionScope.Narrow(caller, requested).Value;

        var query = db.Households.FromSqlInterpolated($"""
            SELECT * FROM households
            WHERE region_code LIKE {prefix + "%"} AND dissolved_on IS NULL AND (region_code, id) > ({afterRegion}, {afterId})
            """).AsNoTracking();
        if (request.Category is { } category)
        {
            query = query.Where(h => h.Category == category);
        }
        if (request.Status is { } status)
        {
            query = query.Where(h => h.Status == status);
        }
        if (request.MonitoringType is { } type)
        {
            query = query.Where(h => h.MonitoringType == type);
        }
        if (request.RiskType is { } risk)
        {
            var bit = RiskTypeSet.Bit(risk);
            query = query.Where(h => (h.RiskTypeMask & bit) != 0);
        }
        var page = await query.OrderBy(h => h.RegionCode).ThenBy(h => h.Id).Take(size + 1)
            .Select(h => new { h.Id, h.RegionCode, h.HeadName, h.MemberCount, h.Category, h.Status, h.MonitoringType, h.RiskTypeMask, HelperName = h.Helper == null ? null : h.Helper.Name })
            .ToListAsync(ct).ConfigureAwait(false);
        var items = page.Take(size)
            .Select(h => new HouseholdSummary(h.Id, h.RegionCode, h.HeadName, h.MemberCount, h.Category, h.Status, h.MonitoringType, RiskTypeSet.FromMask(h.RiskTypeMask), h.HelperName))
            .ToList();
        var next = page.Count > size ? PageTokens.Encode(items[^1].RegionCode, items[^1].Id) : "";
        return new ListHouseholdsResult(items, next);
    }
}
