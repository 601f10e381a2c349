using System.Diagnostics;

namespace FanPin.Messaging.Tests.Support;

/// <summary>
/// Waits for a condition that the system reaches asynchronously. The timeout only bounds a hung test; it is
/// generous and never what a test asserts.
/// </summary>
internal static class Eventually
{
    public static async Task WaitAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null, Func<Task<string>>? describe = null)
    {
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
