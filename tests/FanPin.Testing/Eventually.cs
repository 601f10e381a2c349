using System.Diagnostics;

namespace FanPin.Testing;

/// <summary>
/// Waits for a condition that the system reaches asynchronously (a consumer's commit, a relay's publish). The timeout
/// only bounds a hung test; it is generous and never what a test asserts.
/// </summary>
public static class Eventually
{
    /// <summary>Polls <paramref name="condition"/> until it holds; <paramref name="describe"/> adds the state to the timeout's message.</summary>
    public static async Task WaitAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null, Func<Task<string>>? describe = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var limit = timeout ?? TimeSpan.FromSeconds(90);
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > limit)
            {
                var state = describe is null ? "" : " State: " + await describe();
                throw new TimeoutException($"Gave up waiting for {what} after {limit.TotalSeconds:0} s.{state}");
            }
            await Task.Delay(100);
        }
    }
}
