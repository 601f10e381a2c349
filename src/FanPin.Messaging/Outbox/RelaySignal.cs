namespace FanPin.Messaging.Outbox;

/// <summary>
/// Wakes the relay's workers: set by the commit interceptor (this process committed outbox rows) and by NOTIFY
/// (another process did). A worker takes <see cref="Next"/> before it claims, so a wake-up that arrives while it
/// is busy is not lost: the task it then waits on has already completed. Many wake-ups fold into one.
/// </summary>
internal sealed class RelaySignal
{
    private TaskCompletionSource _current = New();

    public Task Next => Volatile.Read(ref _current).Task;

    public void Set() => Interlocked.Exchange(ref _current, New()).TrySetResult();

    private static TaskCompletionSource New() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
