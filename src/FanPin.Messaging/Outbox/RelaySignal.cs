namespace FanPin.Messaging.Outbox;

/// <summary>
/// Wakes the relay's workers. A worker takes <see cref="Next"/> before it claims, so a NOTIFY that arrives while
/// it is busy is not lost: the task it then waits on has already completed.
/// </summary>
internal sealed class RelaySignal
{
    private TaskCompletionSource _current = New();

    public Task Next => Volatile.Read(ref _current).Task;

    public void Set() => Interlocked.Exchange(ref _current, New()).TrySetResult();

    private static TaskCompletionSource New() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
