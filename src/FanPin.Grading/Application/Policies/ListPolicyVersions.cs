using FanPin.Grading.Application.Common;
using FanPin.Grading.Infrastructure;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Grading.Application.Policies;

/// <summary>The versions a province published.</summary>
/// <param name="Province">2-digit province; empty: the caller's.</param>
public sealed record ListPolicyVersionsRequest(string? Province = null);

/// <summary>One version, without its document.</summary>
public sealed record PolicyVersionSummary(int Version, DateOnly EffectiveFrom, string Title, DateTimeOffset PublishedAt, string PublishedBy, bool InForce);

/// <summary>The versions, oldest first; none when the province uses the built-in default.</summary>
public sealed record ListPolicyVersionsResult(string Province, IReadOnlyList<PolicyVersionSummary> Versions);

/// <summary>Lists a province's published versions and marks the one in force today.</summary>
public sealed class ListPolicyVersions(GradingDbContext db, GradingClock clock)
{
    /// <summary>Runs the use case.</summary>
    public async Task<ListPolicyVersionsResult> HandleAsync(Caller caller, ListPolicyVersionsRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(request);
        var v = new Validator();
        var province = string.IsNullOrEmpty(request.Province) ? GradingAccess.ProvinceOf(caller) : InputChecks.Province(request.Province, v);
        v.ThrowIfInvalid();
        GradingAccess.DemandProvince(caller, province!);
        var rows = await db.PolicyVersions.AsNoTracking().Where(p => p.Province == province).OrderBy(p => p.Version)
            .Select(p => new { p.Version, p.EffectiveFrom, p.Title, p.PublishedAt, p.PublishedBy })
            .ToListAsync(ct).ConfigureAwait(false);
        var today = clock.Today;
        var inForce = rows.LastOrDefault(r => r.EffectiveFrom <= today)?.Version;
        return new ListPolicyVersionsResult(province!, rows
            .Select(r => new PolicyVersionSummary(r.Version, r.EffectiveFrom, r.Title, r.PublishedAt, r.PublishedBy, r.Version == inForce))
            .ToList());
    }
}
