using System.Diagnostics;
using FanPin.Grpc;
using Xunit.Sdk;

namespace FanPin.EndToEnd.Tests.Harness;

/// <summary>
/// Waiting for asynchronous steps (outbox relay, consumers, workers): poll until the probe answers, bounded. A step
/// that does not happen fails naming the step, what it waits for (which service's wiring) and the last observation.
/// </summary>
public static class Eventually
{
    /// <summary>The default bound: generous for a loaded 2-core machine, short enough for the suite's 5 minutes.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>What the services logged lately (errors and warnings), appended to a failed step's message.</summary>
    public static Func<string> ServiceLog { get; set; } = () => "";

    /// <summary>
    /// Polls <paramref name="probe"/> until it returns a value (not null). <paramref name="step"/> names the
    /// procedure step, <paramref name="waitsFor"/> the wiring that makes it happen.
    /// </summary>
    public static async Task<T> Until<T>(string step, string waitsFor, Func<Task<(T? Value, string Observed)>> probe, TimeSpan? timeout = null)
        where T : class
    {
        var watch = Stopwatch.StartNew();
        var limit = timeout ?? DefaultTimeout;
        var observed = "nothing yet";
        while (true)
        {
            try
            {
                var (value, seen) = await probe();
                if (value is not null)
                {
                    return value;
                }
                observed = seen;
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.NotFound or StatusCode.Unavailable or StatusCode.FailedPrecondition)
            {
                observed = $"{ex.StatusCode}: {ex.Status.Detail}";
            }
            if (watch.Elapsed > limit)
            {
                throw new XunitException($"STEP FAILED: {step} did not happen within {limit.TotalSeconds:0} s.\n  Waits for: {waitsFor}\n  Last observed: {observed}\n  Services' recent errors and warnings:\n{ServiceLog()}");
            }
            await Task.Delay(500);
        }
    }

    /// <summary>As <see cref="Until{T}"/> for a condition.</summary>
    public static async Task That(string step, string waitsFor, Func<Task<(bool Done, string Observed)>> probe, TimeSpan? timeout = null) =>
        await Until<object>(step, waitsFor, async () =>
        {
            var (done, seen) = await probe();
            return (done ? new object() : null, seen);
        }, timeout);

    /// <summary>Runs a synchronous step that must succeed, naming it when it does not.</summary>
    public static async Task<T> Step<T>(string step, Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (RpcException ex)
        {
            throw new XunitException($"STEP FAILED: {step}: {ex.StatusCode}: {ex.Status.Detail}");
        }
    }
}
