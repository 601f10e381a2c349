using System.Globalization;
using FanPin.Policies;

namespace FanPin.Grading.Domain;

/// <summary>
/// The grading function (DOMAIN.md §7): policy + household facts → grade + reason. Pure and deterministic, so a
/// grade can be recomputed and explained at any time, a draft policy can be tried without side effects (what-if),
/// and a bulk re-grade gives exactly what one-by-one grading would.
/// </summary>
/// <remarks>
/// Rules run in a fixed order, most severe first; the first that matches decides and the others that match are
/// listed in <see cref="GradeReason.AlsoMatched"/>. Every rule needs a risk factor (a monitoring signal or a
/// registry risk type): §7 says so for II and III, and for I the conditions are themselves what monitoring
/// signals, so a household nobody flagged is never graded on its labour alone.
/// </remarks>
public static class Grader
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Grades one household under <paramref name="policy"/>.</summary>
    public static GradeDecision Decide(ProvincePolicy policy, GradingFacts facts)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(facts);
        if (facts.Dissolved)
        {
            return None(policy, RuleIds.NoneDissolved, "The household was dissolved.", []);
        }
        if (facts.Status == MonitoringStatus.RiskEliminated)
        {
            return None(policy, RuleIds.NoneRiskEliminated, "The county marked the risk eliminated (风险消除); the household stays under watch.", []);
        }
        var riskFactors = RiskFactors(facts);
        if (riskFactors.Count == 0)
        {
            return None(policy, RuleIds.NoneNoRiskFactor, "No risk factor: no monitoring signal and no risk type.", riskFactors);
        }
        var matches = Rules.Select(rule => rule(policy, facts)).OfType<RuleMatch>().ToList();
        if (matches.Count == 0)
        {
            return None(policy, RuleIds.NoneNoRuleMatched, "Risk factors are present but no grade rule matches.", riskFactors, LabourInputs(facts.Labour));
        }
        var first = matches[0];
        return new GradeDecision(first.Grade, new GradeReason
        {
            RuleId = first.RuleId,
            Summary = first.Summary,
            Inputs = first.Inputs,
            Thresholds = first.Thresholds,
            AlsoMatched = matches.Skip(1).Select(m => m.RuleId).ToList(),
            RiskFactors = riskFactors,
            PolicyProvince = policy.Province,
            PolicyVersion = policy.Version,
        });
    }

    /// <summary>A rule that matched: the grade it gives and what it read.</summary>
    internal sealed record RuleMatch(
        WarningGrade Grade,
        string RuleId,
        string Summary,
        SortedDictionary<string, string> Inputs,
        SortedDictionary<string, string> Thresholds);

    /// <summary>The rules in priority order (most severe first).</summary>
    internal static readonly IReadOnlyList<Func<ProvincePolicy, GradingFacts, RuleMatch?>> Rules =
    [
        GradeOneLabourLost,
        GradeOneRigidExpenditure,
        GradeOneIncomeDrop,
        GradeOneIncomeBelowFactor,
        GradeTwoNoLabourTransferIncome,
        GradeThreePartialLabour,
        GradeThreeUnstableIncome,
    ];

    /// <summary>Risk factors: monitoring's signal codes, then the registry's risk types as <c>riskType:Name</c>.</summary>
    public static IReadOnlyList<string> RiskFactors(GradingFacts facts) =>
        [.. facts.Signals.Codes, .. facts.RiskTypes.Distinct().Order().Select(t => "riskType:" + t)];

    internal static RuleMatch? GradeOneLabourLost(ProvincePolicy policy, GradingFacts facts)
    {
        var abilities = policy.Grading.GradeOne.LabourAbilities;
        if (facts.Labour.Capacity is not { } capacity || !abilities.Contains(capacity))
        {
            return null;
        }
        return new RuleMatch(WarningGrade.One, RuleIds.GradeOneLabourLost,
            $"Complete loss of labour ability: the household's labour capacity is {Name(capacity)}.",
            LabourInputs(facts.Labour),
            Thresholds(("grading.grade_one.labour_abilities", Names(abilities))));
    }

    internal static RuleMatch? GradeOneRigidExpenditure(ProvincePolicy policy, GradingFacts facts)
    {
        var rule = policy.Grading.GradeOne.RigidExpenditureToIncome;
        if (facts.Signals.RigidExpenditureFen is not { } rigid || facts.Signals.LastYearIncomeFen is not { } income)
        {
            return null;
        }
        var inputs = Inputs(("rigidExpenditureFen", Fen(rigid)), ("lastYearIncomeFen", Fen(income)));
        bool crossed;
        if (income <= 0)
        {
            // No income at all: any rigid cost exceeds it, whatever the ratio.
            crossed = rigid > 0;
        }
        else
        {
            var ratio = (decimal)rigid / income;
            inputs["ratio"] = decimal.Round(ratio, 6).ToString(Invariant);
            crossed = rule.IsCrossed(ratio);
        }
        return crossed
            ? new RuleMatch(WarningGrade.One, RuleIds.GradeOneRigidExpenditure,
                $"Rigid expenditure {Cny(rigid)} against last year's income {Cny(income)} crosses {Describe(rule)}.",
                inputs, Thresholds(("grading.grade_one.rigid_expenditure_to_income", Describe(rule))))
            : null;
    }

    internal static RuleMatch? GradeOneIncomeDrop(ProvincePolicy policy, GradingFacts facts)
    {
        var rule = policy.Grading.GradeOne.IncomeDrop;
        if (facts.Signals.IncomeDropShare is not { } drop || !rule.IsCrossed(drop))
        {
            return null;
        }
        return new RuleMatch(WarningGrade.One, RuleIds.GradeOneIncomeDrop,
            $"Income dropped by {drop.ToString(Invariant)} of its level, crossing {Describe(rule)}.",
            Inputs(("incomeDropShare", drop.ToString(Invariant))),
            Thresholds(("grading.grade_one.income_drop", Describe(rule))));
    }

    internal static RuleMatch? GradeOneIncomeBelowFactor(ProvincePolicy policy, GradingFacts facts)
    {
        var factor = policy.Grading.GradeOne.IncomeBelowPovertyLineFactor;
        var povertyLine = policy.Monitoring.PovertyLineFen;
        var limit = factor * povertyLine;
        if (facts.Signals.PerCapitaIncomeFen is not { } income || income >= limit)
        {
            return null;
        }
        return new RuleMatch(WarningGrade.One, RuleIds.GradeOneIncomeBelowFactor,
            $"Per-capita income {Cny(income)} is below {factor.ToString(Invariant)} × the poverty line {Cny(povertyLine)} = {Cny(limit)}.",
            Inputs(("perCapitaIncomeFen", Fen(income))),
            Thresholds(
                ("grading.grade_one.income_below_poverty_line_factor", factor.ToString(Invariant)),
                ("monitoring.poverty_line_fen", Fen(povertyLine)),
                ("limitFen", limit.ToString(Invariant))));
    }

    internal static RuleMatch? GradeTwoNoLabourTransferIncome(ProvincePolicy policy, GradingFacts facts)
    {
        var rule = policy.Grading.GradeTwo;
        if (facts.Labour.Capacity is not { } capacity || !rule.LabourAbilities.Contains(capacity)
            || facts.Signals.TransferIncomeShare is not { } share || share < rule.MinTransferIncomeShare)
        {
            return null;
        }
        var inputs = LabourInputs(facts.Labour);
        inputs["transferIncomeShare"] = share.ToString(Invariant);
        return new RuleMatch(WarningGrade.Two, RuleIds.GradeTwoNoLabourTransferIncome,
            $"No labour force ({Name(capacity)}) and {share.ToString(Invariant)} of income from transfers or dividends (at least {rule.MinTransferIncomeShare.ToString(Invariant)}).",
            inputs,
            Thresholds(
                ("grading.grade_two.labour_abilities", Names(rule.LabourAbilities)),
                ("grading.grade_two.min_transfer_income_share", rule.MinTransferIncomeShare.ToString(Invariant))));
    }

    internal static RuleMatch? GradeThreePartialLabour(ProvincePolicy policy, GradingFacts facts)
    {
        var abilities = policy.Grading.GradeThree.LabourAbilities;
        if (facts.Labour.Capacity is not { } capacity || !abilities.Contains(capacity))
        {
            return null;
        }
        return new RuleMatch(WarningGrade.Three, RuleIds.GradeThreePartialLabour,
            $"Partial loss of labour: the household's labour capacity is {Name(capacity)}, and a risk factor is present.",
            LabourInputs(facts.Labour),
            Thresholds(("grading.grade_three.labour_abilities", Names(abilities))));
    }

    internal static RuleMatch? GradeThreeUnstableIncome(ProvincePolicy policy, GradingFacts facts)
    {
        if (!policy.Grading.GradeThree.UnstableIncomeSuffices || !facts.Signals.IncomeUnstable)
        {
            return null;
        }
        return new RuleMatch(WarningGrade.Three, RuleIds.GradeThreeUnstableIncome,
            "Unstable income, and a risk factor is present.",
            Inputs(("incomeUnstable", "true")),
            Thresholds(("grading.grade_three.unstable_income_suffices", "true")));
    }

    private static GradeDecision None(ProvincePolicy policy, string ruleId, string summary, IReadOnlyList<string> riskFactors,
        SortedDictionary<string, string>? inputs = null) =>
        new(null, new GradeReason
        {
            RuleId = ruleId,
            Summary = summary,
            Inputs = inputs ?? new SortedDictionary<string, string>(StringComparer.Ordinal),
            RiskFactors = riskFactors,
            PolicyProvince = policy.Province,
            PolicyVersion = policy.Version,
        });

    private static SortedDictionary<string, string> LabourInputs(LabourProfile labour) => Inputs(
        ("labourCapacity", labour.Capacity is { } c ? Name(c) : "unknown"),
        ("membersFull", labour.Full.ToString(Invariant)),
        ("membersPartial", labour.Partial.ToString(Invariant)),
        ("membersLost", labour.Lost.ToString(Invariant)),
        ("membersNone", labour.None.ToString(Invariant)));

    private static SortedDictionary<string, string> Inputs(params (string Key, string Value)[] pairs)
    {
        var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in pairs)
        {
            map[key] = value;
        }
        return map;
    }

    private static SortedDictionary<string, string> Thresholds(params (string Key, string Value)[] pairs) => Inputs(pairs);

    private static string Name(LabourAbility ability) => ability.ToString().ToLowerInvariant();

    private static string Names(IEnumerable<LabourAbility> abilities) => string.Join(", ", abilities.Select(Name));

    private static string Describe(RatioThreshold rule) =>
        $"{(rule.Comparison == Comparison.AtLeast ? "at_least" : "greater_than")} {rule.Ratio.ToString(Invariant)}";

    private static string Fen(long fen) => fen.ToString(Invariant);

    private static string Cny(decimal fen) => (fen / 100m).ToString("#,0.00", Invariant) + " CNY";
}
