namespace FanPin.Messaging.Outbox;

/// <summary>How the relay claims, publishes, retries and prunes.</summary>
public sealed class OutboxRelayOptions
{
    /// <summary>Run the relay in this process (a read-only replica or a tool may turn it off).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Rows claimed per transaction.</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>Claim loops per process. Each holds its own claim; two never publish the same row.</summary>
    public int Workers { get; set; } = 2;

    /// <summary>Partitions (households) published concurrently within a batch; each partition is published in order.</summary>
    public int MaxPublishConcurrency { get; set; } = 256;

    /// <summary>Confirming AMQP channels the relay publishes on (round robin).</summary>
    public int PublisherChannels { get; set; } = 4;

    /// <summary>How long one publish may wait for the broker's confirm before it counts as failed.</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Fallback poll when no NOTIFY arrives (lost listen connection, rows whose backoff ended).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Delay after the first failed publish; doubled per further failure, up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryInitialDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest delay between attempts. A row is never given up: an event must not vanish.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often the backlog gauges are refreshed.</summary>
    public TimeSpan StatsInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The outbox health check reports Degraded when the oldest unpublished row is older than this.</summary>
    public TimeSpan BacklogAgeWarning { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often published outbox rows and old inbox rows are deleted.</summary>
    public TimeSpan PruneInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Published outbox rows are kept this long (for diagnosis and re-publication by hand).</summary>
    public TimeSpan PublishedRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// Inbox rows are kept this long. It must exceed the longest time a duplicate can still arrive (error-queue
    /// replays included), else a late duplicate would be processed again.
    /// </summary>
    public TimeSpan InboxRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// Fault-injection hook for tests: runs after a batch was published and before it is marked and committed,
    /// the window in which a crash makes the relay publish the batch again after a restart.
    /// </summary>
    internal Func<IReadOnlyList<OutboxRecord>, CancellationToken, Task>? AfterPublishBeforeCommit { get; set; }
}
