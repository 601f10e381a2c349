using FanPin.Grading.Infrastructure.Redis;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace FanPin.Grading.Application.Common;

/// <summary>
/// Updates the Redis projection after a commit. Redis is a cache: a failure here never fails the use case
/// (PostgreSQL has committed); it is logged, and <c>RebuildGradeProjection</c> restores consistency. Because each
/// update carries the household's grade version, a later successful update also repairs that household.
/// </summary>
public sealed partial class GradeProjector(IGradeProjectionStore store, ILogger<GradeProjector> logger)
{
    /// <summary>Projects the changes; never throws for Redis failures.</summary>
    public async Task ProjectAsync(IReadOnlyList<GradeProjectionChange> changes, CancellationToken ct)
    {
        if (changes.Count == 0 || !store.IsConfigured)
        {
            return;
        }
        try
        {
            await store.ApplyAsync(changes, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogProjectionFailed(logger, ex, changes.Count);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning,
        Message = "Projecting {Count} grade changes to Redis failed; dashboard counts are stale until RebuildGradeProjection runs")]
    private static partial void LogProjectionFailed(ILogger logger, Exception exception, int count);
}
