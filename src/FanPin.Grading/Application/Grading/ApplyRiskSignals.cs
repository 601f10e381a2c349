using System.Text.Json;
using FanPin.Grading.Application.Common;
using FanPin.Grading.Domain;
using FanPin.Grading.Infrastructure;

namespace FanPin.Grading.Application.Grading;

/// <summary>
/// Monitoring's latest evaluation of a household (input, fed by RiskSignalsDetectedConsumer from RiskSignalsDetected: the same
/// fields). A complete snapshot of the signals that fire now: an empty list means none fires any more. Amounts in
/// the inputs are CNY; shares are 0–1 (docs/grading.md, "Inputs").
/// </summary>
/// <param name="EventId">The source event's id.</param>
/// <param name="OccurredAt">When monitoring evaluated; older evaluations than the applied one are ignored.</param>
/// <param name="HouseholdId">The household.</param>
/// <param name="RegionCode">Its village (12 digits).</param>
/// <param name="PolicyVersion">The policy version monitoring's rules came from (kept for explanations).</param>
/// <param name="Signals">The signals that fire.</param>
public sealed record RiskSignalsReceived(
    Guid EventId,
    DateTimeOffset OccurredAt,
    Guid HouseholdId,
    string RegionCode,
    string? PolicyVersion,
    IReadOnlyList<ReceivedRiskSignal> Signals);

/// <summary>
/// Stores monitoring's latest signals for a household and re-grades it (one transaction), or for many households at
/// once (<see cref="ApplyBatchAsync"/>: what the consumer does with a batch of events).
/// </summary>
public sealed class ApplyRiskSignals(GradingDbContext db, HouseholdRegrader regrader, GradeProjector projector)
{
    /// <summary>Runs the use case in a transaction of its own.</summary>
    public async Task<ApplyFactsResult> HandleAsync(RiskSignalsReceived input, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        Validate(input);
        await using var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        var result = await ApplyAsync(input, ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return result;
    }

    /// <summary>
    /// The same inside the caller's open transaction (a consumer's, with its inbox row): saves, and projects the
    /// grade to Redis after the caller commits.
    /// </summary>
    public async Task<ApplyFactsResult> ApplyAsync(RiskSignalsReceived input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        return (await ApplyNewestAsync([input], ct).ConfigureAwait(false))[0];
    }

    /// <summary>A batch of evaluations (<see cref="ApplyBatchAsync"/>) in a transaction of its own.</summary>
    public async Task<int> HandleBatchAsync(IReadOnlyList<RiskSignalsReceived> inputs, CancellationToken ct = default)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        var applied = await ApplyBatchAsync(inputs, ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return applied;
    }

    /// <summary>
    /// A batch of evaluations inside the caller's open transaction (the batch consumer's, with its inbox rows), set-
    /// based: every input is checked first (one bad input refuses the batch, and nothing is written); of several
    /// evaluations of one household only the newest is applied (the older ones would only add grade steps the newest
    /// undoes at once); the households' facts rows are locked in id order in one statement, graded with one policy
    /// look-up and one query for their open warnings, and saved once. Grades are projected to Redis after the
    /// caller commits. Returns the households whose signals were applied (not older than the applied ones).
    /// </summary>
    public async Task<int> ApplyBatchAsync(IReadOnlyList<RiskSignalsReceived> inputs, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return (await ApplyNewestAsync(inputs, ct).ConfigureAwait(false)).Count(r => r.Applied);
    }

    /// <summary>The one path of both: the newest input per household applied, one result per household in id order.</summary>
    private async Task<IReadOnlyList<ApplyFactsResult>> ApplyNewestAsync(IReadOnlyList<RiskSignalsReceived> inputs, CancellationToken ct)
    {
        var regions = inputs.Select(Validate).ToList();
        var newest = inputs.Zip(regions)
            .GroupBy(p => p.First.HouseholdId)
            .Select(g => g.MaxBy(p => p.First.OccurredAt))
            .OrderBy(p => p.First.HouseholdId)
            .ToList();
        var locked = await regrader.LockOrCreateAsync(newest.Select(p => (p.First.HouseholdId, p.Second)).ToList(), ct).ConfigureAwait(false);
        var applied = new List<HouseholdFacts>(newest.Count);
        foreach (var (input, _) in newest)
        {
            var facts = locked[input.HouseholdId];
            if (facts.IsStaleSignals(input.OccurredAt))
            {
                continue;
            }
            facts.ApplySignals(SignalMeasurements.Read(input.Signals), JsonSerializer.Serialize(input.Signals, ReasonJson.Options), input.PolicyVersion,
                input.OccurredAt.ToUniversalTime());
            facts.UpdatedAt = input.OccurredAt.ToUniversalTime();
            applied.Add(facts);
        }
        var outcomes = (await regrader.RegradeAsync(applied, GradeCause.RiskSignals, ct).ConfigureAwait(false))
            .Select((outcome, i) => (Facts: applied[i], Outcome: outcome)).ToDictionary(p => p.Facts.HouseholdId, p => p.Outcome);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        var changes = applied.Where(f => outcomes[f.HouseholdId].Changed).Select(GradeProjectionChange.Of).ToList();
        if (changes.Count > 0)
        {
            db.AfterCommit(token => projector.ProjectAsync(changes, token));
        }
        return newest.Select(p => locked[p.First.HouseholdId] is var facts && outcomes.TryGetValue(facts.HouseholdId, out var outcome)
                ? new ApplyFactsResult(true, outcome.From, outcome.To, facts.OpenWarningId, facts.GradeRuleId)
                : new ApplyFactsResult(false, facts.Grade, facts.Grade, facts.OpenWarningId, facts.GradeRuleId))
            .ToList();
    }

    private static RegionCode Validate(RiskSignalsReceived input)
    {
        var v = new Validator();
        v.Require(input.HouseholdId != Guid.Empty, "household_id", "is empty");
        var region = InputChecks.Region(input.RegionCode, v);
        for (var i = 0; i < input.Signals.Count; i++)
        {
            var signal = input.Signals[i];
            v.Require(!string.IsNullOrWhiteSpace(signal.Code), $"signals[{i}].code", "is empty");
            foreach (var share in SignalVocabulary.ShareInputs)
            {
                if (signal.Inputs.TryGetValue(share, out var value))
                {
                    v.Require(value is >= 0m and <= 1m, $"signals[{i}].inputs.{share}", $"{value} is not a share between 0 and 1");
                }
            }
        }
        v.ThrowIfInvalid();
        return region!.Value;
    }
}
