using System.Text.Json;
using FanPin;
using FanPin.IntegrationEvents;
using FanPin.Messaging.PublicEvents;
using FanPin.Messaging.Persistence;
using FanPin.Messaging.Serialization;

namespace Microsoft.EntityFrameworkCore;

/// <summary>Adding an event to the outbox: the one way a service publishes.</summary>
public static class DbContextOutboxExtensions
{
    /// <summary>
    /// Adds the event to the outbox. Nothing is sent now: the row is inserted by the next <c>SaveChanges</c>, in
    /// the same transaction as the state change, and the relay publishes it after the commit. So an event exists
    /// if and only if its state change was committed. Public events get a second row for the public exchange.
    /// </summary>
    /// <exception cref="ArgumentException">The region code is not 12 valid digits, the time is not UTC, or the id is empty.</exception>
    public static void AddIntegrationEvent(this DbContext dbContext, IntegrationEvent integrationEvent)
    {
        ArgumentNullException.ThrowIfNull(integrationEvent);
        var region = Validate(integrationEvent);
        var type = integrationEvent.GetType();
        var payload = JsonSerializer.Serialize(integrationEvent, type, EventJson.Options);
        var now = DateTimeOffset.UtcNow;
        var partition = PartitionKeyOf(integrationEvent);
        var outbox = dbContext.Set<OutboxMessage>();
        FanPin.Messaging.Outbox.OutboxCommitInterceptor.MarkPending(dbContext);
        outbox.Add(Row(OutboxDestination.Bus, null));
        if (IntegrationEventTypes.PublicEventOf(type) is { } info)
        {
            outbox.Add(Row(OutboxDestination.PublicExchange, PublicRouting.RoutingKey(info, region)));
        }

        OutboxMessage Row(OutboxDestination destination, string? routingKey) => new()
        {
            EventId = integrationEvent.EventId,
            EventType = IntegrationEventTypes.NameOf(type),
            Destination = destination,
            PartitionKey = partition,
            RoutingKey = routingKey,
            Payload = payload,
            CorrelationId = integrationEvent.CorrelationId,
            CreatedAt = now,
            NextAttemptAt = now,
        };
    }

    /// <summary>Events of one household are published in outbox order; events without a household are ordered per region.</summary>
    public static string PartitionKeyOf(IntegrationEvent integrationEvent) =>
        integrationEvent.HouseholdId is { } household ? household.ToString("N") : "region:" + integrationEvent.RegionCode;

    private static RegionCode Validate(IntegrationEvent e)
    {
        if (!RegionCode.TryParse(e.RegionCode, out var region, out var error))
        {
            throw new ArgumentException($"{e.GetType().Name}.RegionCode {error}.", nameof(e));
        }
        if (e.OccurredAt.Offset != TimeSpan.Zero)
        {
            throw new ArgumentException($"{e.GetType().Name}.OccurredAt must be UTC (offset zero), not {e.OccurredAt:O}.", nameof(e));
        }
        if (e.EventId == Guid.Empty)
        {
            throw new ArgumentException($"{e.GetType().Name}.EventId is empty.", nameof(e));
        }
        return region;
    }
}
