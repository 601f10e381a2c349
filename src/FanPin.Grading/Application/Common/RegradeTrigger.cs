namespace FanPin.Grading.Application.Common;

/// <summary>Lets a publication wake the re-grade service at once instead of at its next tick.</summary>
public sealed class RegradeTrigger
{
    private TaskCompletionSource _signal = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Asks for a re-grade run soon.</summary>
    public void Request() => Interlocked.Exchange(ref _signal, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Completes at the next request.</summary>
    public Task WaitAsync() => Volatile.Read(ref _signal).Task;
}
