namespace FanPin.Messaging.Outbox;

/// <summary>Exponential backoff with jitter for failed publishes.</summary>
public static class OutboxBackoff
{
    /// <summary>
    /// The delay before attempt <paramref name="failures"/> + 1: initial × 2^(failures − 1), capped at max, then
    /// −20 %..+0 % jitter so that the relays of several replicas do not retry in lock step after an outage.
    /// </summary>
    public static TimeSpan Delay(int failures, TimeSpan initial, TimeSpan max, double random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failures, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(random, 0.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(random, 1.0);
        var exponent = Math.Min(failures - 1, 30);
        var ticks = Math.Min(initial.Ticks * Math.Pow(2, exponent), max.Ticks);
        return TimeSpan.FromTicks((long)(ticks * (1.0 - 0.2 * random)));
    }
}
