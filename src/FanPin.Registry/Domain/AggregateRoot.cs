using FanPin.Registry.Domain.Events;

namespace FanPin.Registry.Domain;

/// <summary>An aggregate that records the domain events of its state changes until they are saved.</summary>
public abstract class AggregateRoot
{
    // Events of several aggregates saved together keep the order they were raised in (a case opened
    // before the household change it caused), so each carries a process-wide ticket.
    private static long _ticket;
    private readonly List<(long Ticket, DomainEvent Event)> _domainEvents = [];

    /// <summary>Events raised since the last save.</summary>
    public IReadOnlyList<DomainEvent> DomainEvents => _domainEvents.Select(e => e.Event).ToList();

    internal IEnumerable<(long Ticket, DomainEvent Event)> TicketedEvents => _domainEvents;

    /// <summary>Records an event.</summary>
    protected void Raise(DomainEvent domainEvent) => _domainEvents.Add((Interlocked.Increment(ref _ticket), domainEvent));

    /// <summary>Called once the events are staged for saving.</summary>
    internal void ClearDomainEvents() => _domainEvents.Clear();
}
