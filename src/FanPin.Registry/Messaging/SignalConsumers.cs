using FanPin.IntegrationEvents;
using FanPin.Messaging.Inbox;
using FanPin.Registry.Application.Signals;
using FanPin.Registry.Infrastructure;
using MassTransit;

namespace FanPin.Registry.Messaging;

/// <summary>
/// Monitoring's <see cref="RiskSignalsDetected"/> → <see cref="HandleRiskSignalsDetected.HandleBatchAsync"/>, in
/// batches: a household not monitored gets an identification case with source "SystemSignal". A feed wave announces
/// thousands of households; one set-based transaction per batch (one inbox statement, a handful of queries, one
/// save and commit) instead of one per event is what lets the registry keep up with it. Once per event (the inbox
/// rows and the cases commit together; the event id is also the case's source reference). Business outcomes never
/// throw: an event that does not apply (household monitored, unknown, merged) is acknowledged and logged. A failed
/// save (a household changed meanwhile, a deadlock) rolls the whole batch back and MassTransit retries it; the retry
/// finds the household a candidate.
/// </summary>
public sealed partial class RiskSignalsDetectedConsumer(RegistryDbContext db, HandleRiskSignalsDetected useCase, ILogger<RiskSignalsDetectedConsumer> logger)
    : IdempotentBatchConsumer<RiskSignalsDetected, RegistryDbContext>(db)
{
    /// <inheritdoc />
    protected override string ConsumerName => "registry.RiskSignalsDetected";

    /// <inheritdoc />
    protected override async Task HandleBatchAsync(IReadOnlyList<RiskSignalsDetected> messages, ConsumeContext<Batch<RiskSignalsDetected>> context,
        CancellationToken cancellationToken)
    {
        var applicable = new List<RiskSignalsDetectedMessage>(messages.Count);
        foreach (var message in messages)
        {
            if (message.HouseholdId is not { } household)
            {
                LogNotApplicable(logger, message.EventId, "RiskSignalsDetected", "the event names no household");
                continue;
            }
            applicable.Add(new RiskSignalsDetectedMessage(message.EventId, household, message.OccurredAt, message.Signals.Select(s => s.Code).ToList(), null));
        }
        if (applicable.Count == 0)
        {
            return;
        }
        var results = await useCase.HandleBatchAsync(applicable, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < applicable.Count; i++)
        {
            LogOutcome(logger, applicable[i].EventId, "RiskSignalsDetected", results[i].Outcome, results[i].CaseId, results[i].Reason);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{EventType} {EventId}: {Outcome} (case {CaseId}): {Reason}")]
    internal static partial void LogOutcome(ILogger logger, Guid eventId, string eventType, SignalOutcome outcome, Guid? caseId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{EventType} {EventId} does not apply: {Reason}")]
    internal static partial void LogNotApplicable(ILogger logger, Guid eventId, string eventType, string reason);
}

/// <summary>
/// Assistance's <see cref="RiskEliminationProposed"/> → <see cref="HandleRiskEliminationProposed"/>: a monitored
/// household whose income has been stable long enough gets a closing case with source "SystemProposal". Once per
/// event, as above. A proposal without <see cref="RiskEliminationProposed.IncomeStableSince"/> does not apply.
/// </summary>
public sealed class RiskEliminationProposedConsumer(RegistryDbContext db, HandleRiskEliminationProposed useCase, ILogger<RiskEliminationProposedConsumer> logger)
    : IdempotentConsumer<RiskEliminationProposed, RegistryDbContext>(db)
{
    /// <inheritdoc />
    protected override string ConsumerName => "registry.RiskEliminationProposed";

    /// <inheritdoc />
    protected override async Task HandleAsync(RiskEliminationProposed message, ConsumeContext<RiskEliminationProposed> context, CancellationToken cancellationToken)
    {
        if (message.HouseholdId is not { } household || message.IncomeStableSince is not { } stableSince)
        {
            RiskSignalsDetectedConsumer.LogNotApplicable(logger, message.EventId, "RiskEliminationProposed",
                message.HouseholdId is null ? "the event names no household" : "the proposal gives no income-stable-since date");
            return;
        }
        var summary = string.IsNullOrWhiteSpace(message.Summary) ? "proposed by assistance: " + string.Join(", ", message.Basis) : message.Summary;
        var result = await useCase.HandleAsync(new RiskEliminationProposedMessage(message.EventId, household, stableSince, summary), cancellationToken)
            .ConfigureAwait(false);
        RiskSignalsDetectedConsumer.LogOutcome(logger, message.EventId, "RiskEliminationProposed", result.Outcome, result.CaseId, result.Reason);
    }
}
