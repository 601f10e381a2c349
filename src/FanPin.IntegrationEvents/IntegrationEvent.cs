namespace FanPin.IntegrationEvents;

/// <summary>
/// What every integration event carries. Events are facts, named in the past tense, and never change once
/// published: a breaking change is a new record (or a new <see cref="SchemaVersion"/> with a new public type).
/// </summary>
/// <remarks>
/// All events live in this one namespace on purpose: MassTransit names exchanges after the namespace and type
/// (<c>FanPin.IntegrationEvents:WarningRaised</c>), so moving a record between folders must not rename its exchange.
/// </remarks>
public abstract record IntegrationEvent
{
    /// <summary>
    /// Unique id (UUIDv7, so ids sort by creation time). Consumers deduplicate on it; the public stream uses it
    /// as the CloudEvents <c>id</c>.
    /// </summary>
    public Guid EventId { get; init; } = Guid.CreateVersion7();

    /// <summary>When the fact happened, in UTC (offset zero).</summary>
    public DateTimeOffset OccurredAt { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>The 12-digit statistical division code the fact belongs to (a village for household facts).</summary>
    public required string RegionCode { get; init; }

    /// <summary>The household concerned; null only for facts about a region or a department (feeds).</summary>
    public required Guid? HouseholdId { get; init; }

    /// <summary>Ties together the events caused by one request or one upstream event (empty when none).</summary>
    public Guid CorrelationId { get; init; }

    /// <summary>Version of this record's shape; bumped with a new public CloudEvents type when a change breaks readers.</summary>
    public int SchemaVersion { get; init; } = 1;
}
