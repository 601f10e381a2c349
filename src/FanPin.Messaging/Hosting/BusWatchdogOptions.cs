namespace FanPin.Messaging.Hosting;

/// <summary>When the bus watchdog gives up on MassTransit's own reconnection.</summary>
public sealed class BusWatchdogOptions
{
    /// <summary>Watch at all.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often the bus health is checked.</summary>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long the bus may stay unhealthy while the broker is demonstrably reachable. MassTransit retries its
    /// connection at most every 30 s, so the default gives it three chances.
    /// </summary>
    public TimeSpan StuckAfter { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>Stop the host when the bus is stuck (its supervisor restarts it); otherwise only report unhealthy.</summary>
    public bool StopApplicationWhenStuck { get; set; } = true;
}
