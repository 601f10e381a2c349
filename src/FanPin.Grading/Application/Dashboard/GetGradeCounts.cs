using FanPin.Grading.Application.Common;
using FanPin.Grading.Domain;
using FanPin.Grading.Infrastructure;
using FanPin.Grading.Infrastructure.Redis;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace FanPin.Grading.Application.Dashboard;

/// <summary>Households per grade in a region.</summary>
/// <param name="RegionPrefix">A region prefix inside the caller's scope; empty: the whole scope.</param>
public sealed record GetGradeCountsRequest(string? RegionPrefix = null);

/// <summary>Counts per grade (grades without households count 0) and where they came from ("redis" or "postgres").</summary>
public sealed record GetGradeCountsResult(string RegionPrefix, long One, long Two, long Three, string Source);

/// <summary>
/// Dashboard counts: from the Redis projection (one hash read, pipelined with the built mark), or from PostgreSQL when
/// no cache is configured, the projection is not built yet, or Redis does not answer (slower, always right).
/// </summary>
public sealed partial class GetGradeCounts(GradingDbContext db, IGradeProjectionStore store, ILogger<GetGradeCounts> logger)
{
    /// <summary>Runs the use case.</summary>
    public async Task<GetGradeCountsResult> HandleAsync(Caller caller, GetGradeCountsRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(request);
        var v = new Validator();
        var requested = InputChecks.Prefix(request.RegionPrefix, v);
        v.ThrowIfInvalid();
        var prefix = RegionScope.Narrow(caller, requested);
        if (store.IsConfigured)
        {
            try
            {
                // Counts are trusted only once the province's projection was built from PostgreSQL.
                var built = store.IsBuiltAsync(prefix.Value[..2], ct);
                var counts = store.GetCountsAsync(prefix, ct);
                if (await built.ConfigureAwait(false))
                {
                    return Result(prefix, await counts.ConfigureAwait(false), "redis");
                }
                await counts.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                LogFallback(logger, ex);
            }
        }
        return Result(prefix, await CountInDatabaseAsync(db, prefix, ct).ConfigureAwait(false), "postgres");
    }

    /// <summary>Counts per grade from PostgreSQL (the record the projection must equal).</summary>
    public static async Task<IReadOnlyDictionary<WarningGrade, long>> CountInDatabaseAsync(GradingDbContext db, RegionPrefix prefix, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var value = prefix.Value;
        var rows = await db.HouseholdFacts.AsNoTracking()
            .Where(f => f.RegionCode.StartsWith(value) && f.Grade != null)
            .GroupBy(f => f.Grade!.Value)
            .Select(g => new { Grade = g.Key, Count = g.LongCount() })
            .ToListAsync(ct).ConfigureAwait(false);
        return rows.ToDictionary(r => r.Grade, r => r.Count);
    }

    private static GetGradeCountsResult Result(RegionPrefix prefix, IReadOnlyDictionary<WarningGrade, long> counts, string source) =>
        new(prefix.Value, counts.GetValueOrDefault(WarningGrade.One), counts.GetValueOrDefault(WarningGrade.Two), counts.GetValueOrDefault(WarningGrade.Three), source);

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Redis did not answer for grade counts; counting in PostgreSQL")]
    private static partial void LogFallback(ILogger logger, Exception exception);
}
