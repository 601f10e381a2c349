using System.Globalization;
using FanPin.Grpc;

namespace FanPin.Cli;

/// <summary>
/// Sends an import again when the service went away in the middle of it (a restart, a dropped connection). Safe
/// because every import is idempotent by its id: a feed or household batch whose transaction was rolled back with the
/// dying process is imported afresh under the same id, one that had committed is answered with its first outcome
/// (rows already imported are skipped, never applied twice). Refusals (INVALID_ARGUMENT, PERMISSION_DENIED, ...)
/// are the caller's to see and are not retried.
/// </summary>
public static class ImportRetry
{
    /// <summary>How often an import is tried in all, by default: enough to outlast a service restart with backoff.</summary>
    public const int DefaultAttempts = 20;

    /// <summary>
    /// True when the failure says the service or the connection went away, not that the import was refused: the
    /// channel reports a refused or broken connection as UNAVAILABLE; a process killed mid-call can also end the stream
    /// as INTERNAL, UNKNOWN or ABORTED, or with DEADLINE_EXCEEDED while it restarts.
    /// </summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        RpcException rpc => rpc.StatusCode is StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown or StatusCode.Aborted or StatusCode.DeadlineExceeded,
        IOException or HttpRequestException => true,
        _ => false,
    };

    /// <summary>The wait before attempt <paramref name="attempt"/> (2, 3, ...): 1 s, 2 s, 4 s, then 5 s.</summary>
    public static TimeSpan Delay(int attempt) => TimeSpan.FromSeconds(Math.Min(5, Math.Pow(2, Math.Max(0, attempt - 2))));

    /// <summary>
    /// Runs <paramref name="import"/> until it succeeds, fails for a reason that is not transient, or
    /// <paramref name="attempts"/> are used up (the last failure is thrown). <paramref name="progress"/> gets one line
    /// per retry naming <paramref name="what"/>, the failure and the attempt.
    /// </summary>
    public static async Task<T> RunAsync<T>(string what, Func<CancellationToken, Task<T>> import, Action<string>? progress = null,
        int attempts = DefaultAttempts, Func<TimeSpan, CancellationToken, Task>? wait = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(import);
        wait ??= Task.Delay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var result = await import(ct).ConfigureAwait(false);
                if (attempt > 1)
                {
                    progress?.Invoke(string.Create(CultureInfo.InvariantCulture, $"{what}: done on attempt {attempt}"));
                }
                return result;
            }
            catch (Exception ex) when (IsTransient(ex) && attempt < attempts && !ct.IsCancellationRequested)
            {
                var delay = Delay(attempt + 1);
                var reason = ex is RpcException rpc ? $"{rpc.StatusCode}: {rpc.Status.Detail}" : ex.Message;
                progress?.Invoke(string.Create(CultureInfo.InvariantCulture,
                    $"{what}: the service went away ({reason}); sending it again under the same id in {delay.TotalSeconds:0} s (attempt {attempt + 1} of {attempts})"));
                await wait(delay, ct).ConfigureAwait(false);
            }
        }
    }
}
