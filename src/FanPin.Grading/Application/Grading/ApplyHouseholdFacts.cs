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

/// <summary>Stores the registry's facts about a household and re-grades it (one transaction).</summary>
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
    /// grade to Redis after the caller commits.
    /// </summary>
    public async Task<ApplyFactsResult> ApplyAsync(HouseholdFactsChanged input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var region = Validate(input);
        var facts = await regrader.LockOrCreateAsync(input.HouseholdId, region, ct).ConfigureAwait(false);
        if (facts.IsStaleRegistrySnapshot(input.RegistryVersion, input.OccurredAt))
        {
            return new ApplyFactsResult(false, facts.Grade, facts.Grade, facts.OpenWarningId, facts.GradeRuleId);
        }
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
        facts.RegistryVersion = input.RegistryVersion ?? facts.RegistryVersion;
        facts.RegistryAsOf = input.OccurredAt.ToUniversalTime();
        facts.UpdatedAt = input.OccurredAt.ToUniversalTime();
        return await RegradeAsync(facts, ct).ConfigureAwait(false);
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
        return await RegradeAsync(facts, ct).ConfigureAwait(false);
    }

    private async Task<ApplyFactsResult> RegradeAsync(HouseholdFacts facts, CancellationToken ct)
    {
        var outcome = await regrader.RegradeAsync(facts, GradeCause.HouseholdFacts, ct).ConfigureAwait(false);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        if (outcome.Changed)
        {
            var change = GradeProjectionChange.Of(facts);
            db.AfterCommit(token => projector.ProjectAsync([change], token));
        }
        return new ApplyFactsResult(true, outcome.From, outcome.To, facts.OpenWarningId, facts.GradeRuleId);
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
