using FanPin.IntegrationEvents;
using FanPin.Messaging.Inbox;
using MassTransit;

namespace FanPin.Messaging.TestHost.Consumers;

/// <summary>Applies one side effect per event: the idempotent-consumer pattern at its plainest.</summary>
public sealed class HouseholdChangedConsumer(ScenarioDbContext db) : IdempotentConsumer<HouseholdChanged, ScenarioDbContext>(db)
{
    protected override Task HandleAsync(HouseholdChanged message, ConsumeContext<HouseholdChanged> context, CancellationToken cancellationToken)
    {
        Db.SideEffects.Add(new SideEffect
        {
            EventId = message.EventId,
            HouseholdId = message.HouseholdId ?? Guid.Empty,
            Consumer = ConsumerName,
            AppliedAt = DateTimeOffset.UtcNow,
        });
        return Task.CompletedTask;
    }
}
