using System.Collections.Concurrent;
using FanPin.IntegrationEvents;
using FanPin.Messaging.Inbox;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Messaging.TestHost.Consumers;

/// <summary>
/// A consumer with two failure modes: <c>ChangeKind == "Flaky"</c> times out on its first two attempts (transient:
/// retried in memory), and any event whose household is not in <c>known_household</c> is refused (a data error:
/// no retry, straight to the error queue, until an operator adds the household and replays).
/// </summary>
public sealed class MemberChangedConsumer(ScenarioDbContext db) : IdempotentConsumer<MemberChanged, ScenarioDbContext>(db)
{
    /// <summary>Attempts per event id, for the tests' assertions on retry behaviour.</summary>
    public static ConcurrentDictionary<Guid, int> Attempts { get; } = new();

    protected override async Task HandleAsync(MemberChanged message, ConsumeContext<MemberChanged> context, CancellationToken cancellationToken)
    {
        var attempt = Attempts.AddOrUpdate(message.EventId, 1, (_, n) => n + 1);
        if (message.ChangeKind == "Flaky" && attempt <= 2)
        {
            throw new TimeoutException($"simulated timeout, attempt {attempt}");
        }
        var household = message.HouseholdId ?? Guid.Empty;
        if (!await Db.KnownHouseholds.AnyAsync(h => h.HouseholdId == household, cancellationToken))
        {
            throw new InvalidOperationException($"poison: household {household} is not in the registry");
        }
        Db.SideEffects.Add(new SideEffect { EventId = message.EventId, HouseholdId = household, Consumer = ConsumerName, AppliedAt = DateTimeOffset.UtcNow });
    }
}
