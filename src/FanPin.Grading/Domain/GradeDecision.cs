namespace FanPin.Grading.Domain;

/// <summary>The outcome of grading one household: a grade (or none) and why.</summary>
public sealed record GradeDecision(WarningGrade? Grade, GradeReason Reason);

/// <summary>
/// Why a household has its grade, in the terms a county explains to an inspector (DOMAIN.md §7): the rule that
/// decided (its id names the policy keys it reads, docs/grading.md), the inputs it read, the thresholds it
/// compared them with, the other rules that also matched, the risk factors present, and the policy version.
/// Values are strings in invariant culture so the reason serialises the same everywhere.
/// </summary>
public sealed record GradeReason
{
    /// <summary>The deciding rule, e.g. <c>grade-one.income-below-poverty-line-factor</c>, or a <c>none.*</c> rule.</summary>
    public required string RuleId { get; init; }

    /// <summary>One sentence for people.</summary>
    public required string Summary { get; init; }

    /// <summary>The facts the rule read, by name (amounts in fen).</summary>
    public IReadOnlyDictionary<string, string> Inputs { get; init; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The policy values it compared them with, by policy key.</summary>
    public IReadOnlyDictionary<string, string> Thresholds { get; init; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Lower-priority rules that matched too.</summary>
    public IReadOnlyList<string> AlsoMatched { get; init; } = [];

    /// <summary>Risk factors present: signal codes and the registry's risk types.</summary>
    public IReadOnlyList<string> RiskFactors { get; init; } = [];

    /// <summary>The policy's province ("00" for the built-in default).</summary>
    public required string PolicyProvince { get; init; }

    /// <summary>The policy version.</summary>
    public required int PolicyVersion { get; init; }
}

/// <summary>Rule ids (stable: they are stored with every grade and published with every warning event).</summary>
public static class RuleIds
{
    /// <summary>Grade I: complete loss of labour ability. Key: <c>grading.grade_one.labour_abilities</c>.</summary>
    public const string GradeOneLabourLost = "grade-one.labour-lost";

    /// <summary>Grade I: rigid expenditure over last year's income. Key: <c>grading.grade_one.rigid_expenditure_to_income</c>.</summary>
    public const string GradeOneRigidExpenditure = "grade-one.rigid-expenditure";

    /// <summary>Grade I: sharp income drop. Key: <c>grading.grade_one.income_drop</c>.</summary>
    public const string GradeOneIncomeDrop = "grade-one.income-drop";

    /// <summary>Grade I: income below factor × poverty line. Keys: <c>grading.grade_one.income_below_poverty_line_factor</c>, <c>monitoring.poverty_line_fen</c>.</summary>
    public const string GradeOneIncomeBelowFactor = "grade-one.income-below-poverty-line-factor";

    /// <summary>Grade II: no labour force and income only from transfers or dividends. Keys: <c>grading.grade_two.*</c>.</summary>
    public const string GradeTwoNoLabourTransferIncome = "grade-two.no-labour-transfer-income";

    /// <summary>Grade III: partial loss of labour. Key: <c>grading.grade_three.labour_abilities</c>.</summary>
    public const string GradeThreePartialLabour = "grade-three.partial-labour";

    /// <summary>Grade III: unstable income. Key: <c>grading.grade_three.unstable_income_suffices</c>.</summary>
    public const string GradeThreeUnstableIncome = "grade-three.unstable-income";

    /// <summary>No grade: the registry marked the risk eliminated (风险消除).</summary>
    public const string NoneRiskEliminated = "none.risk-eliminated";

    /// <summary>No grade: the household was dissolved.</summary>
    public const string NoneDissolved = "none.household-dissolved";

    /// <summary>No grade: no risk factor (no signal, no risk type).</summary>
    public const string NoneNoRiskFactor = "none.no-risk-factor";

    /// <summary>No grade: risk factors, but no grade rule matched.</summary>
    public const string NoneNoRuleMatched = "none.no-rule-matched";

    /// <summary>Escalation of an overdue warning (not a grading rule; the reason of WarningEscalated).</summary>
    public const string EscalationOverdue = "escalation.response-overdue";
}
