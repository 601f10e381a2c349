using StackExchange.Redis;

namespace FanPin.Notification.Infrastructure;

/// <summary>A per-recipient rate limit (fixed windows).</summary>
public interface IRecipientRateLimiter
{
    /// <summary>Counts one message for the recipient in the current window; false when that exceeds <paramref name="limit"/>.</summary>
    Task<bool> TryAcquireAsync(string recipient, int limit, TimeSpan window, DateTimeOffset now);
}

/// <summary>
/// The limit on Redis: INCR of <c>{prefix}notification:rate:{recipient}:{window}</c>, expiring with its window, so
/// every replica counts together. Redis holds only the counters; a lost key lets a few more messages through.
/// </summary>
public sealed class RedisRateLimiter(Func<IConnectionMultiplexer> redis, string keyPrefix) : IRecipientRateLimiter
{
    /// <inheritdoc />
    public async Task<bool> TryAcquireAsync(string recipient, int limit, TimeSpan window, DateTimeOffset now)
    {
        var index = now.ToUnixTimeMilliseconds() / (long)window.TotalMilliseconds;
        var key = $"{keyPrefix}notification:rate:{recipient}:{index}";
        var database = redis().GetDatabase();
        var count = await database.StringIncrementAsync(key).ConfigureAwait(false);
        if (count == 1)
        {
            await database.KeyExpireAsync(key, window + TimeSpan.FromMinutes(1)).ConfigureAwait(false);
        }
        return count <= limit;
    }
}
