using System.Text.Json;
using System.Text.Json.Serialization;
using FanPin.Assistance.Domain;

namespace FanPin.Assistance.Infrastructure;

/// <summary>
/// THE hook where domain events leave the assistance service. <see cref="AssistanceDbContext"/> calls
/// <see cref="Stage"/> inside <c>SaveChangesAsync</c>, so whatever it adds is committed with the change. The
/// integrator replaces <see cref="DomainEventJournal"/> by a staging that maps each event to its integration
/// event and adds it to the messaging library's outbox.
/// </summary>
public interface IDomainEventStaging
{
    /// <summary>Adds the events (in the order raised) to the unit of work.</summary>
    void Stage(AssistanceDbContext context, IReadOnlyList<DomainEvent> events);
}

/// <summary>A staged event row (<c>domain_events</c>).</summary>
public sealed class StagedDomainEvent
{
    /// <summary>Order of staging.</summary>
    public long Sequence { get; set; }

    /// <summary>The event's id.</summary>
    public Guid EventId { get; set; }

    /// <summary>Type name, e.g. <c>TaskOverdue</c>.</summary>
    public string EventType { get; set; } = "";

    /// <summary>When it happened.</summary>
    public DateTimeOffset OccurredAt { get; set; }

    /// <summary>The household's village.</summary>
    public string RegionCode { get; set; } = "";

    /// <summary>The household.</summary>
    public Guid HouseholdId { get; set; }

    /// <summary>The event as JSON (camelCase, enums as names).</summary>
    public string Payload { get; set; } = "{}";
}

/// <summary>The staging used until the outbox library is merged: each event becomes a <c>domain_events</c> row in the same transaction.</summary>
public sealed class DomainEventJournal : IDomainEventStaging
{
    /// <summary>How payloads are written.</summary>
    public static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <inheritdoc />
    public void Stage(AssistanceDbContext context, IReadOnlyList<DomainEvent> events)
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
}
