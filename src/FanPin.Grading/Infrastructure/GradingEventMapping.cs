using FanPin.Grading.Domain;
using FanPin.Policies;
using D = FanPin.Grading.Domain.Events;
using I = FanPin.IntegrationEvents;

namespace FanPin.Grading.Infrastructure;

/// <summary>
/// Grading's domain events as the integration events other services read (FanPin.IntegrationEvents). Only the
/// four events of the public warning stream have one; the lifecycle steps that stay inside grading
/// (acknowledged, dispatched, assistance started) and policy publications map to null: they are not published
/// (docs/grading.md, "Events and THE hook").
/// </summary>
public static class GradingEventMapping
{
    /// <summary>
    /// The integration event of <paramref name="domainEvent"/>, or null when it is not published.
    /// <paramref name="households"/> are the household facts of the unit of work: raised and re-graded warnings
    /// carry the household's risk types, signal codes, category and members' labour from them, as they stand
    /// when the grade was decided.
    /// </summary>
    public static I.IntegrationEvent? ToIntegrationEvent(D.DomainEvent domainEvent, IReadOnlyDictionary<Guid, HouseholdFacts> households)
    {
        ArgumentNullException.ThrowIfNull(domainEvent);
        ArgumentNullException.ThrowIfNull(households);
        HouseholdFacts Facts() =>
            domainEvent.HouseholdId is { } id && households.TryGetValue(id, out var facts)
                ? facts
                : throw new InvalidOperationException($"{domainEvent.EventType} of household {domainEvent.HouseholdId}: its facts are not in the unit of work.");
        var occurredAt = domainEvent.OccurredAt.ToUniversalTime();
        return domainEvent switch
        {
            D.WarningRaised e => new I.WarningRaised
            {
                EventId = e.EventId, OccurredAt = occurredAt, RegionCode = e.RegionCode, HouseholdId = e.HouseholdId,
                WarningId = e.WarningId, Grade = GradeOf(e.Grade), ReasonRuleId = e.RuleId, Sequence = e.Sequence,
                RiskTypes = RiskTypesOf(Facts()), SignalCodes = SignalCodesOf(Facts()), HouseholdCategory = CategoryOf(Facts()),
                MemberLabourAbilities = LabourAbilitiesOf(Facts()),
            },
            D.WarningGradeChanged e => new I.WarningGradeChanged
            {
                EventId = e.EventId, OccurredAt = occurredAt, RegionCode = e.RegionCode, HouseholdId = e.HouseholdId,
                WarningId = e.WarningId, PreviousGrade = GradeOf(e.PreviousGrade), Grade = GradeOf(e.Grade), ReasonRuleId = e.RuleId, Sequence = e.Sequence,
                RiskTypes = RiskTypesOf(Facts()), SignalCodes = SignalCodesOf(Facts()), HouseholdCategory = CategoryOf(Facts()),
                MemberLabourAbilities = LabourAbilitiesOf(Facts()),
            },
            D.WarningEscalated e => new I.WarningEscalated
            {
                EventId = e.EventId, OccurredAt = occurredAt, RegionCode = e.RegionCode, HouseholdId = e.HouseholdId,
                WarningId = e.WarningId, Grade = GradeOf(e.Grade), ReasonRuleId = e.RuleId, EscalationLevel = e.EscalationLevel, Sequence = e.Sequence,
            },
            D.WarningCleared e => new I.WarningCleared
            {
                EventId = e.EventId, OccurredAt = occurredAt, RegionCode = e.RegionCode, HouseholdId = e.HouseholdId,
                WarningId = e.WarningId, PreviousGrade = GradeOf(e.Grade), ReasonRuleId = e.RuleId, Sequence = e.Sequence,
            },
            _ => null,
        };
    }

    /// <summary>The contract's grade (same numbers: I = 1, II = 2, III = 3).</summary>
    public static I.WarningGrade GradeOf(WarningGrade grade) => grade switch
    {
        WarningGrade.One => I.WarningGrade.I,
        WarningGrade.Two => I.WarningGrade.II,
        WarningGrade.Three => I.WarningGrade.III,
        _ => throw new ArgumentOutOfRangeException(nameof(grade), grade, "unknown warning grade"),
    };

    /// <summary>Risk types by the registry's names, in the registry's order.</summary>
    public static IReadOnlyList<string> RiskTypesOf(HouseholdFacts facts) =>
        RiskTypeSet.FromMask(facts.RiskTypeMask).Select(r => r.ToString()).ToList();

    /// <summary>Monitoring's codes of the latest evaluation, sorted (the set, not the order monitoring sent).</summary>
    public static IReadOnlyList<string> SignalCodesOf(HouseholdFacts facts) => [.. facts.SignalCodes.Order(StringComparer.Ordinal)];

    /// <summary>The category, or null while the registry has not told anything about the household.</summary>
    public static string? CategoryOf(HouseholdFacts facts) => facts.RegistryAsOf is null ? null : facts.Category.ToString();

    /// <summary>One entry per current member (grading keeps counts, so the list is in ability order, strongest first).</summary>
    public static IReadOnlyList<string> LabourAbilitiesOf(HouseholdFacts facts) =>
    [
        .. Enumerable.Repeat(nameof(LabourAbility.Full), facts.MembersFull),
        .. Enumerable.Repeat(nameof(LabourAbility.Partial), facts.MembersPartial),
        .. Enumerable.Repeat(nameof(LabourAbility.Lost), facts.MembersLost),
        .. Enumerable.Repeat(nameof(LabourAbility.None), facts.MembersNone),
    ];
}
