using FanPin.Assistance.Application.Tasks;
using StackExchange.Redis;

namespace FanPin.Assistance.Infrastructure;

/// <summary>
/// The overdue-scan lock on Redis (SET NX with expiry through <c>LockTake</c>; released only by its holder
/// through <c>LockRelease</c>). The expiry bounds how long a crashed instance blocks the others.
/// </summary>
public sealed class RedisScanLock(Func<IConnectionMultiplexer> redis, string key, TimeSpan expiry) : IScanLock
{
    private readonly string _token = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    /// <summary>The key.</summary>
    public string Key => key;

    /// <inheritdoc />
    public async Task<IAsyncDisposable?> TryAcquireAsync(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var database = redis().GetDatabase();
        return await database.LockTakeAsync(key, _token, expiry).ConfigureAwait(false) ? new Held(database, key, _token) : null;
    }

    private sealed class Held(IDatabase database, string key, string token) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await database.LockReleaseAsync(key, token).ConfigureAwait(false);
    }
}
