using FanPin.IntegrationEvents;
using FanPin.Messaging.Inbox;
using MassTransit;

namespace FanPin.Messaging.TestHost.Consumers;

/// <summary>A high-volume consumer: one transaction per batch of registrations.</summary>
public sealed class HouseholdRegisteredBatchConsumer(ScenarioDbContext db) : IdempotentBatchConsumer<HouseholdRegistered, ScenarioDbContext>(db)
{
    protected override Task HandleBatchAsync(IReadOnlyList<HouseholdRegistered> messages, ConsumeContext<Batch<HouseholdRegistered>> context, CancellationToken cancellationToken)
    {
        foreach (var message in messages)
        {
            Db.SideEffects.Add(new SideEffect { EventId = message.EventId, HouseholdId = message.HouseholdId ?? Guid.Empty, Consumer = ConsumerName, AppliedAt = DateTimeOffset.UtcNow });
        }
        return Task.CompletedTask;
    }
}
