using FanPin.IntegrationEvents;
using FanPin.Messaging.Hosting;
using FanPin.Messaging.Inbox;
using FanPin.Monitoring.Application.Registry;
using FanPin.Monitoring.Domain;
using FanPin.Monitoring.Infrastructure;
using FanPin.Policies;
using MassTransit;

namespace FanPin.Monitoring.Messaging;

/// <summary>
/// The registry's events → monitoring's read model (<c>known_households</c>, <c>known_members</c>) through the use
/// cases <see cref="ApplyHouseholdFacts"/> and <see cref="ApplyMemberChange"/>. Every consumer is idempotent (inbox
/// row and read-model change commit together), and the use cases ignore older facts than the stored ones, so
/// redeliveries and out-of-order deliveries converge. A household or member change that matters queues the household
/// for evaluation.
/// </summary>
public static class RegistryConsumers
{
    /// <summary>
    /// Registers the consumers. HouseholdRegistered is consumed in batches: a registry import of 100,000 households
    /// emits 100,000 of them, and one transaction per batch is several times faster than one per event.
    /// </summary>
    public static void Add(FanPinMessagingBuilder messaging)
    {
        ArgumentNullException.ThrowIfNull(messaging);
        messaging.AddBatchConsumer<HouseholdRegisteredConsumer>(messageLimit: 100, timeLimitMs: 50, concurrency: 2);
        messaging.AddConsumer<HouseholdChangedConsumer>();
        messaging.AddConsumer<MemberChangedConsumer>();
        messaging.AddConsumer<HouseholdIdentifiedConsumer>();
        messaging.AddConsumer<RiskEliminatedConsumer>();
    }

    /// <summary>The household facts of an event carrying a snapshot.</summary>
    public static HouseholdFactsChange FactsOf(IntegrationEvent e, HouseholdSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(snapshot);
        return new HouseholdFactsChange(HouseholdOf(e), e.RegionCode, Parse<HouseholdCategory>(snapshot.Category, "household.category"),
            Parse<HouseholdStatus>(snapshot.Status, "household.status"), e.OccurredAt);
    }

    /// <summary>A registration: the snapshot's facts and every member, registered with the household.</summary>
    public static RegisteredHousehold RegistrationOf(HouseholdRegistered message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var snapshot = message.Household ?? throw new InvalidOperationException($"HouseholdRegistered {message.EventId} carries no household snapshot.");
        return new RegisteredHousehold(FactsOf(message, snapshot), snapshot.Members.Select(m => MemberOf(message, m, MembershipChange.Registered, null)).ToList());
    }

    /// <summary>A current member of a snapshot, as registered with (or updated in) the household.</summary>
    public static MemberChange MemberOf(IntegrationEvent e, RegistryMember member, MembershipChange change, DateOnly? effectiveOn)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(member);
        return new MemberChange(member.MemberId, HouseholdOf(e), e.RegionCode, HashOf(member), change, effectiveOn,
            Parse<LabourAbility>(member.LabourAbility, "member.labourAbility"), e.OccurredAt);
    }

    /// <summary>
    /// How a registry member change affects membership: joins and departures take effect on their date (the
    /// per-capita denominator counts months of membership), a correction only updates facts.
    /// </summary>
    public static MembershipChange MembershipOf(string changeKind) => changeKind switch
    {
        "Born" or "MarriedIn" or "MovedIn" => MembershipChange.Joined,
        "Died" or "MarriedOut" or "MovedOut" => MembershipChange.Left,
        "Changed" => MembershipChange.Updated,
        _ => throw new InvalidOperationException($"MemberChanged.changeKind \"{changeKind}\" is not a known change kind."),
    };

    /// <summary>The registry's keyed ID hash: 64 hex digits (lower case on the wire) → 32 bytes.</summary>
    public static byte[] HashOf(RegistryMember member)
    {
        ArgumentNullException.ThrowIfNull(member);
        var hash = Convert.FromHexString(member.IdNumberHash);
        return hash.Length == IdNumberHasher.HashSize
            ? hash
            : throw new InvalidOperationException($"member {member.MemberId}: idNumberHash is {hash.Length} bytes, not {IdNumberHasher.HashSize}.");
    }

    internal static Guid HouseholdOf(IntegrationEvent e) =>
        e.HouseholdId ?? throw new InvalidOperationException($"{e.GetType().Name} {e.EventId} names no household.");

    private static T Parse<T>(string value, string field) where T : struct, Enum =>
        Enum.TryParse<T>(value, ignoreCase: false, out var parsed) && Enum.IsDefined(parsed)
            ? parsed
            : throw new InvalidOperationException($"{field} \"{value}\" is not a known {typeof(T).Name}.");
}

/// <summary>
/// HouseholdRegistered (created, imported, split off) → the household's facts and every member, registered with
/// it. Batches of up to 100 events, one transaction each, applied set-based (<see cref="ApplyRegisteredHouseholds"/>).
/// </summary>
public sealed class HouseholdRegisteredConsumer(MonitoringDbContext db, ApplyRegisteredHouseholds registrations)
    : IdempotentBatchConsumer<HouseholdRegistered, MonitoringDbContext>(db)
{
    /// <inheritdoc />
    protected override string ConsumerName => "monitoring.HouseholdRegistered";

    /// <inheritdoc />
    protected override async Task HandleBatchAsync(IReadOnlyList<HouseholdRegistered> messages, ConsumeContext<Batch<HouseholdRegistered>> context,
        CancellationToken cancellationToken) =>
        await registrations.HandleAsync(messages.Select(RegistryConsumers.RegistrationOf).ToList(), cancellationToken).ConfigureAwait(false);
}

/// <summary>HouseholdChanged → category, status and village; the current members' facts (labour ability) from the snapshot.</summary>
public sealed class HouseholdChangedConsumer(MonitoringDbContext db, ApplyHouseholdFacts facts, ApplyMemberChange members)
    : IdempotentConsumer<HouseholdChanged, MonitoringDbContext>(db)
{
    /// <inheritdoc />
    protected override string ConsumerName => "monitoring.HouseholdChanged";

    /// <inheritdoc />
    protected override async Task HandleAsync(HouseholdChanged message, ConsumeContext<HouseholdChanged> context, CancellationToken cancellationToken)
    {
        var snapshot = message.Household ?? throw new InvalidOperationException($"HouseholdChanged {message.EventId} carries no household snapshot.");
        await facts.HandleAsync(RegistryConsumers.FactsOf(message, snapshot), cancellationToken).ConfigureAwait(false);
        foreach (var member in snapshot.Members)
        {
            await members.HandleAsync(RegistryConsumers.MemberOf(message, member, MembershipChange.Updated, null), cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>
/// MemberChanged → the member joined or left on its date, or its facts changed. Household facts from the snapshot
/// come first, so a member event arriving before its household's still finds the household known.
/// </summary>
public sealed class MemberChangedConsumer(MonitoringDbContext db, ApplyHouseholdFacts facts, ApplyMemberChange members)
    : IdempotentConsumer<MemberChanged, MonitoringDbContext>(db)
{
    /// <inheritdoc />
    protected override string ConsumerName => "monitoring.MemberChanged";

    /// <inheritdoc />
    protected override async Task HandleAsync(MemberChanged message, ConsumeContext<MemberChanged> context, CancellationToken cancellationToken)
    {
        if (message.Household is { } snapshot)
        {
            await facts.HandleAsync(RegistryConsumers.FactsOf(message, snapshot), cancellationToken).ConfigureAwait(false);
        }
        var member = message.Member ?? message.Household?.Members.FirstOrDefault(m => m.MemberId == message.MemberId)
            ?? throw new InvalidOperationException($"MemberChanged {message.EventId} carries no facts of member {message.MemberId}.");
        var change = RegistryConsumers.MembershipOf(message.ChangeKind);
        // A join or departure without a date took effect when the registry recorded it.
        var effectiveOn = change is MembershipChange.Joined or MembershipChange.Left
            ? message.EffectiveOn ?? DateOnly.FromDateTime(message.OccurredAt.ToOffset(TimeSpan.FromHours(8)).DateTime)
            : message.EffectiveOn;
        await members.HandleAsync(RegistryConsumers.MemberOf(message, member, change, effectiveOn), cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>HouseholdIdentified → status Monitored (visit compliance counts monitored households).</summary>
public sealed class HouseholdIdentifiedConsumer(MonitoringDbContext db, ApplyHouseholdFacts facts)
    : IdempotentConsumer<HouseholdIdentified, MonitoringDbContext>(db)
{
    /// <inheritdoc />
    protected override string ConsumerName => "monitoring.HouseholdIdentified";

    /// <inheritdoc />
    protected override Task HandleAsync(HouseholdIdentified message, ConsumeContext<HouseholdIdentified> context, CancellationToken cancellationToken) =>
        facts.HandleAsync(new HouseholdFactsChange(RegistryConsumers.HouseholdOf(message), message.RegionCode, null, HouseholdStatus.Monitored, message.OccurredAt),
            cancellationToken);
}

/// <summary>RiskEliminated → status RiskEliminated (still tracked, no longer visited as monitored).</summary>
public sealed class RiskEliminatedConsumer(MonitoringDbContext db, ApplyHouseholdFacts facts)
    : IdempotentConsumer<RiskEliminated, MonitoringDbContext>(db)
{
    /// <inheritdoc />
    protected override string ConsumerName => "monitoring.RiskEliminated";

    /// <inheritdoc />
    protected override Task HandleAsync(RiskEliminated message, ConsumeContext<RiskEliminated> context, CancellationToken cancellationToken) =>
        facts.HandleAsync(new HouseholdFactsChange(RegistryConsumers.HouseholdOf(message), message.RegionCode, null, HouseholdStatus.RiskEliminated, message.OccurredAt),
            cancellationToken);
}
