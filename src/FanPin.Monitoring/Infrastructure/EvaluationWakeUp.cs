namespace FanPin.Monitoring.Infrastructure;

/// <summary>
/// Wakes the evaluation worker when this process has just queued households (a feed import committed), so a steady
/// stream of feeds is evaluated at once instead of after the worker's idle poll (up to
/// <see cref="MonitoringWorkerOptions.EvaluationPollInterval"/>, which was most of a row's latency to the subscriber
/// when the queue ran dry between feeds). The poll stays, for queue rows other processes or paths add.
/// </summary>
public sealed class EvaluationWakeUp
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the next <see cref="Wake"/> after it was read.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    /// <summary>Wakes whoever waits on the current <see cref="Next"/>.</summary>
    public void Wake() =>
        Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
