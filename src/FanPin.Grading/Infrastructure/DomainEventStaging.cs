using System.Text.Json;
using FanPin.Grading.Domain;
using FanPin.Grading.Domain.Events;
using FanPin.IntegrationEvents;
using FanPin.Messaging.Persistence;
using FanPin.Messaging.PublicEvents;
using FanPin.Messaging.Serialization;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace FanPin.Grading.Infrastructure;

/// <summary>
/// THE hook where domain events leave grading. <see cref="GradingDbContext"/> calls <see cref="Stage"/> inside
/// <c>SaveChangesAsync</c>, after warning-log sequences are assigned and before the changes are written, so what
/// it adds to the context commits with the state change or not at all. The bulk re-grade calls
/// <see cref="StageBulkAsync"/> inside its chunk transaction with up to thousands of events.
/// </summary>
public interface IDomainEventStaging
{
    /// <summary>Adds the events (in the order raised) to the unit of work; household facts are the context's tracked ones.</summary>
    void Stage(GradingDbContext context, IReadOnlyList<DomainEvent> events);

    /// <summary>
    /// Bulk path: writes the events inside the open transaction of <paramref name="context"/>
    /// (<c>context.Database.CurrentTransaction</c>), set-based. <paramref name="households"/> are the facts of the
    /// households the events are about (as re-graded).
    /// </summary>
    Task StageBulkAsync(GradingDbContext context, IReadOnlyList<DomainEvent> events, IReadOnlyDictionary<Guid, HouseholdFacts> households, CancellationToken ct);
}

/// <summary>
/// Stages every published domain event (<see cref="GradingEventMapping"/>) as its integration event in the
/// messaging library's outbox; the relay publishes after the commit, on the bus and, for the public warning
/// events, on <c>fanpin.events</c> as CloudEvents.
/// </summary>
public sealed class OutboxStaging : IDomainEventStaging
{
    /// <inheritdoc />
    public void Stage(GradingDbContext context, IReadOnlyList<DomainEvent> events)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(events);
        var households = context.ChangeTracker.Entries<HouseholdFacts>().Select(e => e.Entity).ToDictionary(f => f.HouseholdId);
        foreach (var domainEvent in events)
        {
            if (GradingEventMapping.ToIntegrationEvent(domainEvent, households) is { } integrationEvent)
            {
                context.AddIntegrationEvent(integrationEvent);
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// The rows <c>AddIntegrationEvent</c> would write (same payload, partition key = household, a second row with
    /// the routing key for public events), by binary COPY: EF would insert them one statement each. The relay
    /// finds them by its one-second poll (its in-process wake-up follows EF commits of outbox entities).
    /// </remarks>
    public async Task StageBulkAsync(GradingDbContext context, IReadOnlyList<DomainEvent> events, IReadOnlyDictionary<Guid, HouseholdFacts> households, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(events);
        var rows = events.Select(e => GradingEventMapping.ToIntegrationEvent(e, households)).OfType<IntegrationEvent>().ToList();
        if (rows.Count == 0)
        {
            return;
        }
        var now = DateTimeOffset.UtcNow;
        var connection = (NpgsqlConnection)context.Database.GetDbConnection();
        await using var copy = await connection.BeginBinaryImportAsync($"""
            COPY {MessagingTables.QualifiedName<OutboxMessage>(context)} (event_id, event_type, destination, partition_key, routing_key, payload, correlation_id, created_at, next_attempt_at)
            FROM STDIN (FORMAT BINARY)
            """, ct).ConfigureAwait(false);
        foreach (var e in rows)
        {
            var type = e.GetType();
            var name = IntegrationEventTypes.NameOf(type);
            var payload = JsonSerializer.Serialize(e, type, EventJson.Options);
            var partition = DbContextOutboxExtensions.PartitionKeyOf(e);
            await WriteRowAsync(copy, e, name, OutboxDestination.Bus, partition, null, payload, now, ct).ConfigureAwait(false);
            if (IntegrationEventTypes.PublicEventOf(type) is { } info)
            {
                var routingKey = PublicRouting.RoutingKey(info, RegionCode.Parse(e.RegionCode));
                await WriteRowAsync(copy, e, name, OutboxDestination.PublicExchange, partition, routingKey, payload, now, ct).ConfigureAwait(false);
            }
        }
        await copy.CompleteAsync(ct).ConfigureAwait(false);
    }

    private static async Task WriteRowAsync(NpgsqlBinaryImporter copy, IntegrationEvent e, string eventType, OutboxDestination destination,
        string partition, string? routingKey, string payload, DateTimeOffset now, CancellationToken ct)
    {
        await copy.StartRowAsync(ct).ConfigureAwait(false);
        await copy.WriteAsync(e.EventId, NpgsqlDbType.Uuid, ct).ConfigureAwait(false);
        await copy.WriteAsync(eventType, NpgsqlDbType.Text, ct).ConfigureAwait(false);
        await copy.WriteAsync((short)destination, NpgsqlDbType.Smallint, ct).ConfigureAwait(false);
        await copy.WriteAsync(partition, NpgsqlDbType.Text, ct).ConfigureAwait(false);
        if (routingKey is null)
        {
            await copy.WriteNullAsync(ct).ConfigureAwait(false);
        }
        else
        {
            await copy.WriteAsync(routingKey, NpgsqlDbType.Text, ct).ConfigureAwait(false);
        }
        await copy.WriteAsync(payload, NpgsqlDbType.Text, ct).ConfigureAwait(false);
        await copy.WriteAsync(e.CorrelationId, NpgsqlDbType.Uuid, ct).ConfigureAwait(false);
        await copy.WriteAsync(now, NpgsqlDbType.TimestampTz, ct).ConfigureAwait(false);
        await copy.WriteAsync(now, NpgsqlDbType.TimestampTz, ct).ConfigureAwait(false);
    }
}
