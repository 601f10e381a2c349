using FanPin.Grading.Infrastructure;
using FanPin.Grading.Infrastructure.Redis;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Grading.Application.Dashboard;

/// <summary>Build the projections that are missing.</summary>
public sealed record EnsureGradeProjectionsRequest;

/// <summary>The provinces rebuilt.</summary>
public sealed record EnsureGradeProjectionsResult(IReadOnlyList<string> Rebuilt);

/// <summary>
/// Rebuilds from PostgreSQL every province whose Redis projection is not marked built: at the first start against
/// an existing database, and after Redis lost its data. A system use case the re-grade service runs each tick;
/// until it has run, counts are served from PostgreSQL.
/// </summary>
public sealed class EnsureGradeProjections(GradingDbContext db, IGradeProjectionStore store, GradeProjectionRebuilder rebuilder)
{
    /// <summary>Runs the use case.</summary>
    public async Task<EnsureGradeProjectionsResult> HandleAsync(EnsureGradeProjectionsRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!store.IsConfigured)
        {
            return new EnsureGradeProjectionsResult([]);
        }
        var provinces = await db.HouseholdFacts.AsNoTracking().Select(f => f.Province).Distinct().ToListAsync(ct).ConfigureAwait(false);
        var rebuilt = new List<string>();
        foreach (var province in provinces.Order(StringComparer.Ordinal))
        {
            if (!await store.IsBuiltAsync(province, ct).ConfigureAwait(false))
            {
                await rebuilder.RebuildAsync(province, ct).ConfigureAwait(false);
                rebuilt.Add(province);
            }
        }
        return new EnsureGradeProjectionsResult(rebuilt);
    }
}
