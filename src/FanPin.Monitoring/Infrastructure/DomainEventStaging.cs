using System.Text.Json;
using FanPin.Monitoring.Domain.Events;

namespace FanPin.Monitoring.Infrastructure;

/// <summary>
/// THE hook where domain events leave monitoring. <see cref="MonitoringDbContext"/> calls <see cref="Stage"/>
/// inside <c>SaveChangesAsync</c>, before the state changes are written, so whatever it adds to the context is
/// committed in the same transaction as the change (or not at all). Every path that raises events (use cases,
/// the feed import and the set-based evaluation) saves through the context, so this is the only place to
/// change. The integrator replaces <see cref="DomainEventJournal"/> by a staging that maps each event to its
/// integration event (<see cref="RiskSignalsDetected"/> → FanPin.IntegrationEvents.RiskSignalsDetected,
/// <see cref="FeedOverdue"/> → FeedOverdue, <see cref="FeedAnomaly"/> → FeedAnomaly) and adds it to the outbox
/// (<c>context.AddIntegrationEvent(...)</c>).
/// </summary>
public interface IDomainEventStaging
{
    /// <summary>Adds the events (in the order raised) to the unit of work.</summary>
    void Stage(MonitoringDbContext context, IReadOnlyList<DomainEvent> events);
}

/// <summary>A staged event row (<c>domain_events</c>): the journal of everything monitoring announced.</summary>
public sealed class StagedDomainEvent
{
    /// <summary>Order of staging.</summary>
    public long Sequence { get; set; }

    /// <summary>The event's id.</summary>
    public Guid EventId { get; set; }

    /// <summary>Type name, e.g. <c>RiskSignalsDetected</c>.</summary>
    public string EventType { get; set; } = "";

    /// <summary>When it happened.</summary>
    public DateTimeOffset OccurredAt { get; set; }

    /// <summary>Region code.</summary>
    public string RegionCode { get; set; } = "";

    /// <summary>The household, if any.</summary>
    public Guid? HouseholdId { get; set; }

    /// <summary>The whole event as JSON (camelCase, enums as names).</summary>
    public string Payload { get; set; } = "{}";
}

/// <summary>
/// The staging used until the outbox library is merged: every event becomes a row of <c>domain_events</c> in the
/// same transaction.
/// </summary>
public sealed class DomainEventJournal : IDomainEventStaging
{
    /// <inheritdoc />
    public void Stage(MonitoringDbContext context, IReadOnlyList<DomainEvent> events)
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
                Payload = JsonSerializer.Serialize(e, e.GetType(), MonitoringJson.Options),
            });
        }
    }
}
