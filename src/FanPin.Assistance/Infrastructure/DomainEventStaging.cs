using FanPin.Assistance.Domain;
using Microsoft.EntityFrameworkCore;
using D = FanPin.Assistance.Domain;
using I = FanPin.IntegrationEvents;

namespace FanPin.Assistance.Infrastructure;

/// <summary>
/// THE hook where domain events leave the assistance service. <see cref="AssistanceDbContext"/> calls
/// <see cref="Stage"/> inside <c>SaveChangesAsync</c>, so whatever it adds is committed with the change.
/// </summary>
public interface IDomainEventStaging
{
    /// <summary>Adds the events (in the order raised) to the unit of work.</summary>
    void Stage(AssistanceDbContext context, IReadOnlyList<DomainEvent> events);
}

/// <summary>
/// Stages each domain event that others must hear about as its integration event in the messaging library's
/// outbox (<see cref="DbContextOutboxExtensions.AddIntegrationEvent"/>); the relay publishes after the commit.
/// Events with no integration event (<see cref="D.TaskCompleted"/>) stay inside the service.
/// </summary>
public sealed class OutboxStaging : IDomainEventStaging
{
    /// <inheritdoc />
    public void Stage(AssistanceDbContext context, IReadOnlyList<DomainEvent> events)
    {
        foreach (var domainEvent in events)
        {
            if (AssistanceEventMapping.ToIntegrationEvent(domainEvent) is { } integrationEvent)
            {
                context.AddIntegrationEvent(integrationEvent);
            }
        }
    }
}

/// <summary>Each assistance domain event as the integration event other services read (enums by name).</summary>
public static class AssistanceEventMapping
{
    /// <summary>Why a proposal is made, as the contract's basis codes.</summary>
    public static readonly IReadOnlyList<string> EliminationBasis = ["AllMeasuresDone", "IncomeStableAboveLine", "GuaranteeGapsClosed"];

    /// <summary>
    /// The integration event of <paramref name="domainEvent"/>, or null for an event that stays internal
    /// (TaskCompleted: nobody outside needs it; the plan's effect is announced by RiskEliminationProposed).
    /// </summary>
    public static I.IntegrationEvent? ToIntegrationEvent(D.DomainEvent domainEvent)
    {
        ArgumentNullException.ThrowIfNull(domainEvent);
        var occurredAt = domainEvent.OccurredAt.ToUniversalTime();
        return domainEvent switch
        {
            D.TaskAssigned e => new I.TaskAssigned
            {
                EventId = e.EventId, OccurredAt = occurredAt, RegionCode = e.RegionCode, HouseholdId = e.HouseholdId,
                TaskId = e.TaskId, PlanId = e.PlanId, MeasureCode = e.MeasureCode, AssigneeKind = e.AssigneeKind.ToString(), Assignee = e.Assignee, DueDate = e.DueOn,
            },
            D.TaskOverdue e => new I.TaskOverdue
            {
                EventId = e.EventId, OccurredAt = occurredAt, RegionCode = e.RegionCode, HouseholdId = e.HouseholdId,
                TaskId = e.TaskId, PlanId = e.PlanId, AssigneeKind = e.AssigneeKind.ToString(), Assignee = e.Assignee, DueDate = e.DueOn,
            },
            D.RiskEliminationProposed e => new I.RiskEliminationProposed
            {
                EventId = e.EventId, OccurredAt = occurredAt, RegionCode = e.RegionCode, HouseholdId = e.HouseholdId,
                PlanId = e.PlanId, Basis = EliminationBasis, IncomeStableSince = e.IncomeStableSince, Summary = e.Summary,
            },
            D.TaskCompleted => null,
            _ => throw new InvalidOperationException($"No integration event mapping for the domain event {domainEvent.EventType}."),
        };
    }
}
