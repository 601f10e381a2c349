using System.Text.Json;
using System.Text.Json.Serialization;
using FanPin.Registry.Domain.Events;

namespace FanPin.Registry.Infrastructure;

/// <summary>
/// THE hook where domain events leave the registry. <see cref="RegistryDbContext"/> calls
/// <see cref="Stage"/> inside <c>SaveChangesAsync</c>, before the state changes are written, so whatever
/// this adds to the context is committed in the same transaction as the change (or not at all). The
/// integrator replaces <see cref="DomainEventJournal"/> by a staging that maps each event to its integration
/// event and adds it to the messaging library's outbox; bulk imports stage set-based through
/// <see cref="StageImportSql"/>.
/// </summary>
public interface IDomainEventStaging
{
    /// <summary>Adds the events (in the order raised) to the unit of work.</summary>
    void Stage(RegistryDbContext context, IReadOnlyList<DomainEvent> events);

    /// <summary>
    /// SQL run in the import transaction after the households of a batch are inserted: stages one
    /// <see cref="HouseholdRegistered"/> per household of the batch (parameter <c>@batch_id</c>, <c>@now</c>).
    /// </summary>
    string StageImportSql { get; }
}

/// <summary>A staged event row (<c>domain_events</c>): the durable journal of everything the registry announced.</summary>
public sealed class StagedDomainEvent
{
    /// <summary>Order of staging.</summary>
    public long Sequence { get; set; }

    /// <summary>The event's id.</summary>
    public Guid EventId { get; set; }

    /// <summary>Type name, e.g. <c>HouseholdRegistered</c>.</summary>
    public string EventType { get; set; } = "";

    /// <summary>When it happened.</summary>
    public DateTimeOffset OccurredAt { get; set; }

    /// <summary>The household's village.</summary>
    public string RegionCode { get; set; } = "";

    /// <summary>The household.</summary>
    public Guid HouseholdId { get; set; }

    /// <summary>The whole event as JSON (camelCase, enums as names).</summary>
    public string Payload { get; set; } = "{}";
}

/// <summary>
/// The staging used until the outbox library is merged: every event becomes a row of <c>domain_events</c>
/// in the same transaction. A relay can publish from it in <see cref="StagedDomainEvent.Sequence"/> order.
/// </summary>
public sealed class DomainEventJournal : IDomainEventStaging
{
    /// <summary>How payloads are written.</summary>
    public static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <inheritdoc />
    public void Stage(RegistryDbContext context, IReadOnlyList<DomainEvent> events)
    {
        foreach (var e in events)
        {
            context.DomainEvents.Add(new StagedDomainEvent
            {
                EventId = e.EventId,
                EventType = e.EventType,
                OccurredAt = e.OccurredAt,
                RegionCode = e.RegionCode,
                HouseholdId = e.HouseholdId,
                Payload = JsonSerializer.Serialize(e, e.GetType(), PayloadJson),
            });
        }
    }

    /// <inheritdoc />
    public string StageImportSql => """
        INSERT INTO domain_events (event_id, event_type, occurred_at, region_code, household_id, payload)
        SELECT e.event_id, 'HouseholdRegistered', @now, e.region_code, e.id,
               jsonb_build_object('eventId', e.event_id, 'eventType', 'HouseholdRegistered', 'occurredAt', @now,
                                  'regionCode', e.region_code, 'householdId', e.id, 'category', e.category,
                                  'status', e.status, 'memberCount', e.member_count, 'origin', 'import:' || @batch_id)
        FROM (SELECT gen_random_uuid() AS event_id, h.id, h.region_code, h.category, h.status, h.member_count
              FROM households h WHERE h.import_batch_id = @batch_id ORDER BY h.region_code, h.id) e
        """;
}
