using FanPin.Policies;

namespace FanPin.Assistance.Domain;

/// <summary>
/// A household's latest warning, as the grading service announces it (WarningRaised / WarningGradeChanged):
/// the input of recommendations and the precondition of a plan.
/// </summary>
public sealed record WarningInput(
    Guid WarningId,
    Guid HouseholdId,
    RegionCode Region,
    WarningGrade Grade,
    IReadOnlyList<RiskType> RiskTypes,
    IReadOnlyList<LabourAbility> MemberLabour,
    HouseholdCategory Category);

/// <summary>A proposed measure and the household's risk types it answers.</summary>
public sealed record Recommendation(MeasureType Measure, IReadOnlyList<RiskType> Answers);

/// <summary>"缺什么补什么": which catalogue measures fit a household (pure).</summary>
public static class Recommender
{
    /// <summary>True when some member can work (full or partial labour ability).</summary>
    public static bool HasLabour(IEnumerable<LabourAbility> members) => members.Any(m => m is LabourAbility.Full or LabourAbility.Partial);

    /// <summary>
    /// The household's risk types, plus "lack of labour" when no member can work (the warning may not name it).
    /// </summary>
    public static IReadOnlyList<RiskType> EffectiveRisks(WarningInput warning)
    {
        var risks = warning.RiskTypes.ToHashSet();
        if (!HasLabour(warning.MemberLabour))
        {
            risks.Add(RiskType.LackOfLabour);
        }
        return risks.Order().ToList();
    }

    /// <summary>
    /// Active measures answering at least one effective risk type; measures that need labour are left out when
    /// nobody can work. Ordered by category, then code.
    /// </summary>
    public static IReadOnlyList<Recommendation> Recommend(WarningInput warning, IEnumerable<MeasureType> catalogue)
    {
        var risks = EffectiveRisks(warning);
        var hasLabour = HasLabour(warning.MemberLabour);
        return catalogue
            .Where(m => m.Active && (hasLabour || !m.RequiresLabour))
            .Select(m => new Recommendation(m, m.RiskTypes.Intersect(risks).Order().ToList()))
            .Where(r => r.Answers.Count > 0)
            .OrderBy(r => r.Measure.Category).ThenBy(r => r.Measure.Code, StringComparer.Ordinal)
            .ToList();
    }
}
