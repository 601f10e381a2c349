using FanPin.Monitoring.Domain.Events;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Monitoring.Infrastructure;

/// <summary>
/// THE hook where domain events leave monitoring. <see cref="MonitoringDbContext"/> calls <see cref="Stage"/>
/// inside <c>SaveChangesAsync</c>, before the state changes are written, so whatever it adds to the context is
/// committed in the same transaction as the change (or not at all). Every path that raises events (use cases,
/// the feed import and the set-based evaluation) saves through the context, so this is the only place events
/// become integration events.
/// </summary>
public interface IDomainEventStaging
{
    /// <summary>Adds the events (in the order raised) to the unit of work.</summary>
    void Stage(MonitoringDbContext context, IReadOnlyList<DomainEvent> events);
}

/// <summary>
/// Stages every domain event as its integration event (<see cref="MonitoringEventMapping"/>) in the messaging
/// library's outbox (<c>context.AddIntegrationEvent</c>); the relay publishes after the commit. The evaluation
/// saves each batch (up to thousands of events) through the context too: EF batches the outbox inserts into a few
/// statements, so there is no separate set-based path to keep in step.
/// </summary>
public sealed class OutboxStaging : IDomainEventStaging
{
    /// <inheritdoc />
    public void Stage(MonitoringDbContext context, IReadOnlyList<DomainEvent> events)
    {
        foreach (var domainEvent in events)
        {
            context.AddIntegrationEvent(MonitoringEventMapping.ToIntegrationEvent(domainEvent));
        }
    }
}
