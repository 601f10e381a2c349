using FanPin.Grading.Application.Common;
using FanPin.Grading.Domain;
using FanPin.Grading.Infrastructure;
using FanPin.Policies;

namespace FanPin.Grading.Application.Grading;

/// <summary>
/// The registry's current facts about a household (input, fed by the consumers of the registry's
/// HouseholdRegistered / HouseholdChanged / MemberChanged events from their household snapshot). A complete
/// snapshot: it replaces what grading knew.
/// </summary>
/// <param name="EventId">The source event's id (for tracing; consumers deduplicate by it before calling).</param>
/// <param name="OccurredAt">When the snapshot was true; older snapshots than the applied one are ignored.</param>
/// <param name="HouseholdId">The household.</param>
/// <param name="RegionCode">Its village (12 digits).</param>
/// <param name="Category">PovertyAlleviated or Ordinary.</param>
/// <param name="Status">Monitoring status.</param>
/// <param name="MonitoringType">Monitoring type, when monitored.</param>
/// <param name="RiskTypes">Risk types.</param>
/// <param name="MemberLabourAbilities">Each current member's labour ability.</param>
/// <param name="Dissolved">True when the household was dissolved (merged into another).</param>
/// <param name="RegistryVersion">The registry's household version, when known (orders snapshots better than time).</param>
public sealed record HouseholdFactsChanged(
    Guid EventId,
    DateTimeOffset OccurredAt,
    Guid HouseholdId,
    string RegionCode,
    HouseholdCategory Category,
    MonitoringStatus Status,
    MonitoringType? MonitoringType,
    IReadOnlyList<RiskType> RiskTypes,
    IReadOnlyList<LabourAbility> MemberLabourAbilities,
    bool Dissolved = false,
    long? RegistryVersion = null);

/// <summary>What applying facts did.</summary>
/// <param name="Applied">False when the snapshot was older than the one applied (nothing changed).</param>
/// <param name="PreviousGrade">Grade before.</param>
/// <param name="Grade">Grade after.</param>
/// <param name="WarningId">The open warning after (null when none).</param>
/// <param name="RuleId">The rule behind the current grade.</param>
public sealed record ApplyFactsResult(bool Applied, WarningGrade? PreviousGrade, WarningGrade? Grade, Guid? WarningId, string? RuleId);

/// <summary>
/// A part of the registry's facts that an event without the household's snapshot carries (HouseholdIdentified:
/// status, monitoring type, risk types; RiskEliminated: status): applied over what grading knows, unless a newer
/// snapshot was applied already (by time; such events have no household version).
/// </summary>
/// <param name="EventId">The source event's id.</param>
/// <param name="OccurredAt">When it happened.</param>
/// <param name="HouseholdId">The household.</param>
/// <param name="RegionCode">Its village (12 digits).</param>
/// <param name="Status">Monitoring status after the event.</param>
/// <param name="MonitoringType">Monitoring type; null: unchanged.</param>
/// <param name="RiskTypes">Risk types; null: unchanged.</param>
public sealed record HouseholdStatusChanged(
    Guid EventId,
    DateTimeOffset OccurredAt,
    Guid HouseholdId,
    string RegionCode,
    MonitoringStatus Status,
    MonitoringType? MonitoringType = null,
    IReadOnlyList<RiskType>? RiskTypes = null);

/// <summary>
/// Stores the registry's facts about a household and re-grades it (one transaction), or about many households at
/// once (<see cref="ApplyBatchAsync"/>: what the HouseholdRegistered and HouseholdChanged consumers do with a batch of
/// events).
/// </summary>
public sealed class ApplyHouseholdFacts(GradingDbContext db, HouseholdRegrader regrader, GradeProjector projector)
{
    /// <summary>Runs the use case in a transaction of its own.</summary>
    public async Task<ApplyFactsResult> HandleAsync(HouseholdFactsChanged input, CancellationToken ct = default)
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
    /// grade to Redis after the caller commits. A batch of one, so one household and a batch follow the same rules.
    /// </summary>
    public async Task<ApplyFactsResult> ApplyAsync(HouseholdFactsChanged input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        return (await ApplyNewestAsync([input], ct).ConfigureAwait(false))[input.HouseholdId];
    }

    /// <summary>A batch of snapshots (<see cref="ApplyBatchAsync"/>) in a transaction of its own.</summary>
    public async Task<IReadOnlyDictionary<Guid, ApplyFactsResult>> HandleBatchAsync(IReadOnlyList<HouseholdFactsChanged> inputs, CancellationToken ct = default)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        var results = await ApplyBatchAsync(inputs, ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return results;
    }

    /// <summary>
    /// A batch of snapshots inside the caller's open transaction (the batch consumer's, with its inbox rows), set-
    /// based, so that an import or a burst of changes costs one lock statement, one grading pass and one save rather
    /// than one transaction per event: every input is checked first (one bad input refuses the batch, and nothing is
    /// written); the households' facts rows are locked in id order in one statement; of several snapshots of one
    /// household only the newest is applied — the one the per-message path would have applied last, by
    /// <see cref="HouseholdFacts.IsStaleRegistrySnapshot"/> in delivery order — since the older ones would only add
    /// grade steps the newest undoes; the households are graded with one policy look-up and one query for their open
    /// warnings, and saved once. Grades are projected to Redis after the caller commits. Returns each household's
    /// result (<see cref="ApplyFactsResult.Applied"/> false when every snapshot of it was older than the applied one).
    /// </summary>
    public Task<IReadOnlyDictionary<Guid, ApplyFactsResult>> ApplyBatchAsync(IReadOnlyList<HouseholdFactsChanged> inputs, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return ApplyNewestAsync(inputs, ct);
    }

    /// <summary>The one path of both: the newest snapshot per household applied, one result per household.</summary>
    private async Task<IReadOnlyDictionary<Guid, ApplyFactsResult>> ApplyNewestAsync(IReadOnlyList<HouseholdFactsChanged> inputs, CancellationToken ct)
    {
        var regions = inputs.Select(Validate).ToList();
        // Delivery order within a household (GroupBy keeps it): the order the per-message path would have seen them in.
        var households = inputs.Zip(regions).GroupBy(p => p.First.HouseholdId).OrderBy(g => g.Key).ToList();
        var locked = await regrader.LockOrCreateAsync(households.Select(g => (g.Key, g.First().Second)).ToList(), ct).ConfigureAwait(false);
        var applied = new List<HouseholdFacts>(households.Count);
        foreach (var household in households)
        {
            var facts = locked[household.Key];
            // The per-message path's ordering, step by step: each snapshot not older than the last one kept moves the
            // row's version and time on, so the next is compared with it; the last one kept is the newest.
            (HouseholdFactsChanged Input, RegionCode Region)? newest = null;
            foreach (var (input, region) in household)
            {
                if (!facts.IsStaleRegistrySnapshot(input.RegistryVersion, input.OccurredAt))
                {
                    facts.RegistryVersion = input.RegistryVersion ?? facts.RegistryVersion;
                    facts.RegistryAsOf = input.OccurredAt.ToUniversalTime();
                    newest = (input, region);
                }
            }
            if (newest is { } kept)
            {
                Replace(facts, kept.Input, kept.Region);
                applied.Add(facts);
            }
        }
        var outcomes = await RegradeAndSaveAsync(applied, ct).ConfigureAwait(false);
        return households.Select(g => locked[g.Key]).ToDictionary(f => f.HouseholdId, f => outcomes.TryGetValue(f.HouseholdId, out var outcome)
            ? new ApplyFactsResult(true, outcome.From, outcome.To, f.OpenWarningId, f.GradeRuleId)
            : new ApplyFactsResult(false, f.Grade, f.Grade, f.OpenWarningId, f.GradeRuleId));
    }

    /// <summary>Applies a part of the registry's facts inside the caller's open transaction (see <see cref="HouseholdStatusChanged"/>).</summary>
    public async Task<ApplyFactsResult> ApplyStatusAsync(HouseholdStatusChanged input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var v = new Validator();
        v.Require(input.HouseholdId != Guid.Empty, "household_id", "is empty");
        var region = InputChecks.Region(input.RegionCode, v);
        v.ThrowIfInvalid();
        var facts = await regrader.LockOrCreateAsync(input.HouseholdId, region!.Value, ct).ConfigureAwait(false);
        if (facts.IsStaleRegistrySnapshot(null, input.OccurredAt))
        {
            return new ApplyFactsResult(false, facts.Grade, facts.Grade, facts.OpenWarningId, facts.GradeRuleId);
        }
        facts.Status = input.Status;
        facts.MonitoringType = input.MonitoringType ?? facts.MonitoringType;
        if (input.RiskTypes is { } riskTypes)
        {
            facts.RiskTypeMask = RiskTypeSet.ToMask(riskTypes);
        }
        facts.RegistryAsOf = input.OccurredAt.ToUniversalTime();
        facts.UpdatedAt = input.OccurredAt.ToUniversalTime();
        var outcome = (await RegradeAndSaveAsync([facts], ct).ConfigureAwait(false))[facts.HouseholdId];
        return new ApplyFactsResult(true, outcome.From, outcome.To, facts.OpenWarningId, facts.GradeRuleId);
    }

    /// <summary>The snapshot's facts (its version and time are already on the row, set while finding the newest).</summary>
    private static void Replace(HouseholdFacts facts, HouseholdFactsChanged input, RegionCode region)
    {
        var labour = LabourProfile.Of(input.MemberLabourAbilities);
        facts.RegionCode = region.Value;
        facts.Province = region.Value[..2];
        facts.Category = input.Category;
        facts.Status = input.Status;
        facts.MonitoringType = input.MonitoringType;
        facts.RiskTypeMask = RiskTypeSet.ToMask(input.RiskTypes);
        facts.Dissolved = input.Dissolved;
        facts.MembersFull = labour.Full;
        facts.MembersPartial = labour.Partial;
        facts.MembersLost = labour.Lost;
        facts.MembersNone = labour.None;
        facts.UpdatedAt = input.OccurredAt.ToUniversalTime();
    }

    /// <summary>
    /// Grades the changed (locked) households in one pass, saves once, and projects the grades that moved to Redis
    /// after the caller commits; the outcomes by household.
    /// </summary>
    private async Task<Dictionary<Guid, RegradeOutcome>> RegradeAndSaveAsync(IReadOnlyList<HouseholdFacts> applied, CancellationToken ct)
    {
        var outcomes = (await regrader.RegradeAsync(applied, GradeCause.HouseholdFacts, ct).ConfigureAwait(false))
            .Select((outcome, i) => (Facts: applied[i], Outcome: outcome)).ToDictionary(p => p.Facts.HouseholdId, p => p.Outcome);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        var changes = applied.Where(f => outcomes[f.HouseholdId].Changed).Select(GradeProjectionChange.Of).ToList();
        if (changes.Count > 0)
        {
            db.AfterCommit(token => projector.ProjectAsync(changes, token));
        }
        return outcomes;
    }

    private static RegionCode Validate(HouseholdFactsChanged input)
    {
        var v = new Validator();
        v.Require(input.HouseholdId != Guid.Empty, "household_id", "is empty");
        var region = InputChecks.Region(input.RegionCode, v);
        v.Require(Enum.IsDefined(input.Category), "category", $"'{input.Category}' is not a household category");
        v.Require(Enum.IsDefined(input.Status), "status", $"'{input.Status}' is not a monitoring status");
        v.Require(input.MonitoringType is null || Enum.IsDefined(input.MonitoringType.Value), "monitoring_type", $"'{input.MonitoringType}' is not a monitoring type");
        for (var i = 0; i < input.RiskTypes.Count; i++)
        {
            v.Require(Enum.IsDefined(input.RiskTypes[i]), $"risk_types[{i}]", $"'{input.RiskTypes[i]}' is not a risk type");
        }
        for (var i = 0; i < input.MemberLabourAbilities.Count; i++)
        {
            v.Require(Enum.IsDefined(input.MemberLabourAbilities[i]), $"member_labour_abilities[{i}]", $"'{input.MemberLabourAbilities[i]}' is not a labour ability");
        }
        v.ThrowIfInvalid();
        return region!.Value;
    }
}
