using FanPin.Grading.Application.Grading;
using FanPin.Grading.Infrastructure;
using FanPin.IntegrationEvents;
using FanPin.Messaging.Inbox;
using MassTransit;

namespace FanPin.Grading.Messaging;

/// <summary>
/// Monitoring's <see cref="RiskSignalsDetected"/> → <see cref="ApplyRiskSignals.ApplyBatchAsync"/>, in batches: each
/// household's signals are replaced by its newest event's (an empty list: none fires any more, so the household may
/// be downgraded or cleared) and it is re-graded. A feed wave announces tens of thousands of households; one
/// set-based transaction per batch (one inbox statement, one lock statement, one save) instead of one per household
/// is what lets grading keep up with it. Once per event (inbox); an evaluation older than the one applied changes
/// nothing. A message grading cannot read fails its whole batch, which goes to the error queue with the exception
/// (replayable with <c>fanpin messages replay</c> once grading reads it).
/// </summary>
public sealed class RiskSignalsDetectedConsumer(GradingDbContext db, ApplyRiskSignals useCase)
    : IdempotentBatchConsumer<RiskSignalsDetected, GradingDbContext>(db)
{
    /// <inheritdoc />
    protected override string ConsumerName => "grading.RiskSignalsDetected";

    /// <inheritdoc />
    protected override Task HandleBatchAsync(IReadOnlyList<RiskSignalsDetected> messages, ConsumeContext<Batch<RiskSignalsDetected>> context,
        CancellationToken cancellationToken) =>
        useCase.ApplyBatchAsync(messages.Select(InputMapping.SignalsOf).ToList(), cancellationToken);
}

/// <summary>
/// The registry's <see cref="HouseholdRegistered"/> → <see cref="ApplyHouseholdFacts.ApplyBatchAsync"/>, in batches: an
/// import announces up to 100,000 households at once, and one set-based transaction per batch (one inbox statement,
/// one lock statement, one save) instead of one per household keeps up with it. The newest snapshot of each
/// household is applied; rows are locked in household id order, so two concurrent batches never deadlock.
/// </summary>
public sealed class HouseholdRegisteredConsumer(GradingDbContext db, ApplyHouseholdFacts useCase)
    : IdempotentBatchConsumer<HouseholdRegistered, GradingDbContext>(db)
{
    /// <inheritdoc />
    protected override string ConsumerName => "grading.HouseholdRegistered";

    /// <inheritdoc />
    protected override Task HandleBatchAsync(IReadOnlyList<HouseholdRegistered> messages, ConsumeContext<Batch<HouseholdRegistered>> context,
        CancellationToken cancellationToken) =>
        useCase.ApplyBatchAsync(messages.Select(m => InputMapping.FactsOf(m, m.Household)).ToList(), cancellationToken);
}

/// <summary>
/// The registry's <see cref="HouseholdChanged"/> (its snapshot) → <see cref="ApplyHouseholdFacts.ApplyBatchAsync"/>, in
/// batches, as <see cref="HouseholdRegisteredConsumer"/>: under load one transaction per event locked each household's
/// facts row on its own and contended with the signal batches for the same rows; one set-based transaction per batch
/// takes them once, in id order. Of several snapshots of one household only the newest (by the registry's version)
/// is applied; one older than the applied one changes nothing. A message grading cannot read fails its whole batch
/// (error queue, replayable once grading reads it).
/// </summary>
public sealed class HouseholdChangedConsumer(GradingDbContext db, ApplyHouseholdFacts useCase)
    : IdempotentBatchConsumer<HouseholdChanged, GradingDbContext>(db)
{
    /// <inheritdoc />
    protected override string ConsumerName => "grading.HouseholdChanged";

    /// <inheritdoc />
    protected override Task HandleBatchAsync(IReadOnlyList<HouseholdChanged> messages, ConsumeContext<Batch<HouseholdChanged>> context,
        CancellationToken cancellationToken) =>
        useCase.ApplyBatchAsync(messages.Select(m => InputMapping.FactsOf(m, m.Household)).ToList(), cancellationToken);
}

/// <summary>The registry's <see cref="MemberChanged"/> (its household snapshot: members' labour) → <see cref="ApplyHouseholdFacts"/>.</summary>
public sealed class MemberChangedConsumer(GradingDbContext db, ApplyHouseholdFacts useCase)
    : IdempotentConsumer<MemberChanged, GradingDbContext>(db)
{
    /// <inheritdoc />
    protected override string ConsumerName => "grading.MemberChanged";

    /// <inheritdoc />
    protected override Task HandleAsync(MemberChanged message, ConsumeContext<MemberChanged> context, CancellationToken cancellationToken) =>
        useCase.ApplyAsync(InputMapping.FactsOf(message, message.Household), cancellationToken);
}

/// <summary>
/// The registry's <see cref="HouseholdIdentified"/> → monitored, with its monitoring type and risk types
/// (<see cref="ApplyHouseholdFacts.ApplyStatusAsync"/>; the HouseholdChanged of the same commit carries the same).
/// </summary>
public sealed class HouseholdIdentifiedConsumer(GradingDbContext db, ApplyHouseholdFacts useCase)
    : IdempotentConsumer<HouseholdIdentified, GradingDbContext>(db)
{
    /// <inheritdoc />
    protected override string ConsumerName => "grading.HouseholdIdentified";

    /// <inheritdoc />
    protected override Task HandleAsync(HouseholdIdentified message, ConsumeContext<HouseholdIdentified> context, CancellationToken cancellationToken) =>
        useCase.ApplyStatusAsync(InputMapping.StatusOf(message), cancellationToken);
}

/// <summary>The registry's <see cref="RiskEliminated"/> → status RiskEliminated, which clears the household's warning.</summary>
public sealed class RiskEliminatedConsumer(GradingDbContext db, ApplyHouseholdFacts useCase)
    : IdempotentConsumer<RiskEliminated, GradingDbContext>(db)
{
    /// <inheritdoc />
    protected override string ConsumerName => "grading.RiskEliminated";

    /// <inheritdoc />
    protected override Task HandleAsync(RiskEliminated message, ConsumeContext<RiskEliminated> context, CancellationToken cancellationToken) =>
        useCase.ApplyStatusAsync(InputMapping.StatusOf(message), cancellationToken);
}
