using FanPin.IntegrationEvents;
using FanPin.Messaging.Inbox;
using MassTransit;

namespace FanPin.Messaging.TestHost.Consumers;

/// <summary>Records the grade it read, so a test sees that enums survive the relay's envelope.</summary>
public sealed class WarningRaisedConsumer(ScenarioDbContext db) : IdempotentConsumer<WarningRaised, ScenarioDbContext>(db)
{
    protected override Task HandleAsync(WarningRaised message, ConsumeContext<WarningRaised> context, CancellationToken cancellationToken)
    {
        Db.SideEffects.Add(new SideEffect { EventId = message.EventId, HouseholdId = message.HouseholdId ?? Guid.Empty, Consumer = $"grade:{message.Grade}", AppliedAt = DateTimeOffset.UtcNow });
        return Task.CompletedTask;
    }
}
