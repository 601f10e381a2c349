using System.Diagnostics;

namespace FanPin.Testing;

/// <summary>Waiting for what the system reaches asynchronously (a consumer's commit, a relay's publish).</summary>
public static class Eventually
{
    /// <summary>
    /// Polls <paramref name="condition"/> until it holds. The bound (90 s by default) only ends a hung test: it is not
    /// an assertion about speed, which belongs to the benchmarks.
    /// </summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? bound = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var limit = bound ?? TimeSpan.FromSeconds(90);
        var watch = Stopwatch.StartNew();
        while (!await condition().ConfigureAwait(false))
        {
            if (watch.Elapsed > limit)
            {
                throw new TimeoutException($"gave up waiting for {what}");
            }
            await Task.Delay(50).ConfigureAwait(false);
        }
    }
}
