using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using FanPin.Policies;

namespace FanPin.Monitoring.Domain;

/// <summary>What an evaluation reads about one household (loaded set-based for a batch of households).</summary>
/// <param name="HouseholdId">The household.</param>
/// <param name="RegionCode">Its village.</param>
/// <param name="Category">Its category (thresholds may differ by category).</param>
/// <param name="Members">Memberships (current and former).</param>
/// <param name="Ledger">Current monthly amounts.</param>
/// <param name="Guarantees">Current guarantee indicators.</param>
/// <param name="Exclusions">Exclusion facts.</param>
public sealed record HouseholdFacts(
    Guid HouseholdId,
    string RegionCode,
    HouseholdCategory Category,
    IReadOnlyList<MemberSpan> Members,
    MonthlyLedger Ledger,
    GuaranteeIndicators Guarantees,
    IReadOnlyList<ExclusionFactView> Exclusions);

/// <summary>The income summary of a household for a reference month (GetIncomeSummary and every signal's inputs).</summary>
/// <param name="ReferenceMonth">The month evaluated in.</param>
/// <param name="IncomeWindow">The income window.</param>
/// <param name="CostWindow">The window of rigid costs and warning lines.</param>
/// <param name="IncomeByCategoryFen">Income of each category over the income window.</param>
/// <param name="ProductiveCostsFen">Productive costs over the income window.</param>
/// <param name="DisposableIncomeFen">Income minus productive costs over the income window.</param>
/// <param name="IncomeMonthsRecorded">Months of the income window with an income or productive-cost record; 0 means income is unknown.</param>
/// <param name="MemberMonths">Member-months in the income window (the denominator × 12).</param>
/// <param name="CurrentMembers">Members on the last day of the reference month.</param>
/// <param name="PerCapitaIncomeFen">Per-capita annual disposable income; null without member-months.</param>
/// <param name="MonitoringLineFen">The line.</param>
/// <param name="PovertyLineFen">The poverty line (grade I compares with a multiple of it).</param>
/// <param name="RigidCostsByCategoryFen">Rigid costs of each category over the cost window.</param>
/// <param name="RigidCostsFen">All rigid costs over the cost window.</param>
/// <param name="RigidToIncomeRatio">Rigid costs / disposable income; null when income is not positive.</param>
/// <param name="IncomeDropRatio">Share of per-capita income lost; null without an earlier period to compare.</param>
/// <param name="IncomeDropRecent">The recent months of the drop.</param>
/// <param name="IncomeDropEarlier">The same months a year earlier.</param>
/// <param name="TransferIncomeShare">Transfer income / gross income; null without positive gross income.</param>
public sealed record IncomeSummary(
    YearMonth ReferenceMonth,
    MonthRange IncomeWindow,
    MonthRange CostWindow,
    IReadOnlyDictionary<RecordCategory, long> IncomeByCategoryFen,
    long ProductiveCostsFen,
    long DisposableIncomeFen,
    int IncomeMonthsRecorded,
    int MemberMonths,
    int CurrentMembers,
    long? PerCapitaIncomeFen,
    long MonitoringLineFen,
    long PovertyLineFen,
    IReadOnlyDictionary<RecordCategory, long> RigidCostsByCategoryFen,
    long RigidCostsFen,
    decimal? RigidToIncomeRatio,
    decimal? IncomeDropRatio,
    MonthRange IncomeDropRecent,
    MonthRange IncomeDropEarlier,
    decimal? TransferIncomeShare);

/// <summary>The outcome of evaluating one household: summary, signals, gaps, exclusions and a fingerprint to compare with the last one.</summary>
/// <param name="HouseholdId">The household.</param>
/// <param name="RegionCode">Its village.</param>
/// <param name="Category">Its category.</param>
/// <param name="PolicyProvince">Province of the policy applied.</param>
/// <param name="PolicyVersion">Version of the policy applied.</param>
/// <param name="Summary">The income summary.</param>
/// <param name="Signals">Signals that fired, ordered by code.</param>
/// <param name="GuaranteeGaps">Guarantee gaps.</param>
/// <param name="Exclusions">Exclusion facts.</param>
/// <param name="LabourAbilities">Labour abilities of the current members that the registry reported.</param>
/// <param name="Fingerprint">SHA-256 of what others act on (signals, exclusions, labour abilities, category).</param>
public sealed record HouseholdEvaluation(
    Guid HouseholdId,
    string RegionCode,
    HouseholdCategory Category,
    string PolicyProvince,
    int PolicyVersion,
    IncomeSummary Summary,
    IReadOnlyList<RiskSignal> Signals,
    IReadOnlyList<GuaranteeGap> GuaranteeGaps,
    IReadOnlyList<ExclusionFactView> Exclusions,
    IReadOnlyList<LabourAbility> LabourAbilities,
    byte[] Fingerprint)
{
    /// <summary>True when there is something to tell (a signal or an exclusion fact).</summary>
    public bool HasFindings => Signals.Count > 0 || Exclusions.Count > 0;
}

/// <summary>
/// Evaluates one household against the province policy in force (pure: every threshold comes from the policy,
/// every input from <see cref="HouseholdFacts"/>). docs/monitoring.md lists each rule with its policy key.
/// </summary>
public static class HouseholdEvaluator
{
    /// <summary>The income summary for <paramref name="reference"/>.</summary>
    public static IncomeSummary Summarise(HouseholdFacts facts, MonitoringPolicy policy, YearMonth reference)
    {
        var window = MonthWindows.Income(policy, reference);
        var costs = MonthWindows.Costs(reference);
        var (recent, earlier) = MonthWindows.Drop(reference, policy.IncomeDropMonths);
        var ledger = facts.Ledger;
        var incomeByCategory = RecordCategories.Income.ToDictionary(c => c, c => ledger.Sum(c, window));
        var productive = ledger.Sum(RecordCategory.ProductiveCost, window);
        var disposable = incomeByCategory.Values.Sum() - productive;
        var memberMonths = MemberMonths.Count(facts.Members, window);
        var rigidByCategory = RecordCategories.Rigid.ToDictionary(c => c, c => ledger.Sum(c, costs));
        var rigid = rigidByCategory.Values.Sum();
        var gross = incomeByCategory.Values.Sum();
        return new IncomeSummary(
            reference,
            window,
            costs,
            incomeByCategory,
            productive,
            disposable,
            ledger.MonthsRecorded([.. RecordCategories.Income, RecordCategory.ProductiveCost], window),
            memberMonths,
            facts.Members.Count(m => m.IsMemberOn(reference.LastDay)),
            Indicators.PerCapitaIncome(disposable, memberMonths),
            policy.MonitoringLineFen,
            policy.PovertyLineFen,
            rigidByCategory,
            rigid,
            Indicators.RigidToIncome(rigid, disposable),
            Indicators.Round4(ExactDrop(facts, recent, earlier)),
            recent,
            earlier,
            Indicators.TransferShare(incomeByCategory[RecordCategory.TransferNet], gross));
    }

    private static decimal? ExactDrop(HouseholdFacts facts, MonthRange recent, MonthRange earlier) => Indicators.IncomeDrop(
        facts.Ledger.DisposableIncome(recent), MemberMonths.Count(facts.Members, recent),
        facts.Ledger.DisposableIncome(earlier), MemberMonths.Count(facts.Members, earlier));

    /// <summary>Evaluates the household in <paramref name="reference"/> under <paramref name="policy"/>.</summary>
    public static HouseholdEvaluation Evaluate(HouseholdFacts facts, ProvincePolicy policy, YearMonth reference)
    {
        var monitoring = policy.Monitoring;
        var summary = Summarise(facts, monitoring, reference);
        var signals = new List<RiskSignal>();
        // Income rules need a known income: a household nobody has recorded any income for is not "below the line"
        // (that would flag every registered household); its costs and guarantee gaps still count.
        var incomeKnown = summary.IncomeMonthsRecorded > 0;
        if (incomeKnown && summary.PerCapitaIncomeFen is { } perCapita && Indicators.IsBelowLine(perCapita, monitoring.MonitoringLineFen))
        {
            signals.Add(new RiskSignal(SignalCodes.IncomeBelowLine,
                Map(("perCapitaIncomeFen", perCapita), ("disposableIncomeFen", summary.DisposableIncomeFen), ("memberMonths", summary.MemberMonths),
                    ("incomeMonthsRecorded", summary.IncomeMonthsRecorded)),
                Map(("monitoringLineFen", monitoring.MonitoringLineFen)),
                ComparisonNames.LessThan, "monitoring.monitoring_line_fen",
                $"per-capita disposable income {Cny(perCapita)} over {summary.IncomeWindow} is below the monitoring line {Cny(monitoring.MonitoringLineFen)}"));
        }
        if (incomeKnown && summary.RigidCostsFen > 0
            && Indicators.RigidExceedsIncome(summary.RigidCostsFen, summary.DisposableIncomeFen, monitoring.RigidExpenditureToIncome))
        {
            var inputs = new Dictionary<string, decimal> { ["rigidCostsFen"] = summary.RigidCostsFen, ["disposableIncomeFen"] = summary.DisposableIncomeFen };
            if (summary.RigidToIncomeRatio is { } ratio)
            {
                inputs["ratio"] = ratio;
            }
            signals.Add(new RiskSignal(SignalCodes.RigidExpenditureAboveIncome, inputs,
                Map(("ratio", monitoring.RigidExpenditureToIncome.Ratio)),
                ComparisonNames.Of(monitoring.RigidExpenditureToIncome.Comparison), "monitoring.rigid_expenditure_to_income",
                $"rigid costs {Cny(summary.RigidCostsFen)} over {summary.CostWindow} against income {Cny(summary.DisposableIncomeFen)} over {summary.IncomeWindow}"
                + (summary.RigidToIncomeRatio is { } r ? $" (ratio {Fraction(r)}, threshold {Fraction(monitoring.RigidExpenditureToIncome.Ratio)})" : " (no positive income)")));
        }
        // DOMAIN.md §4: a household above the line, without stable income and with spending clearly above income,
        // may also be taken in (when the province admits it and defines "stable").
        if (incomeKnown && monitoring.AdmitAboveLineWithoutStableIncome && monitoring.StableIncomeMinMonths is { } minMonths
            && summary.PerCapitaIncomeFen is { } aboveLine && !Indicators.IsBelowLine(aboveLine, monitoring.MonitoringLineFen)
            && facts.Ledger.MonthsWithIncome(summary.IncomeWindow) is var monthsWithIncome && !Indicators.IsStable(monthsWithIncome, minMonths)
            && Indicators.RigidExceedsIncome(summary.RigidCostsFen, summary.DisposableIncomeFen, monitoring.RigidExpenditureToIncome))
        {
            signals.Add(new RiskSignal(SignalCodes.UnstableIncome,
                Map(("perCapitaIncomeFen", aboveLine), ("monthsWithIncome", monthsWithIncome), ("rigidCostsFen", summary.RigidCostsFen),
                    ("disposableIncomeFen", summary.DisposableIncomeFen)),
                Map(("monitoringLineFen", monitoring.MonitoringLineFen), ("stableIncomeMinMonths", minMonths), ("ratio", monitoring.RigidExpenditureToIncome.Ratio)),
                ComparisonNames.LessThan, "monitoring.stable_income_min_months",
                $"per-capita income {Cny(aboveLine)} is not below the line {Cny(monitoring.MonitoringLineFen)}, but only {monthsWithIncome} of the months of {summary.IncomeWindow} "
                + $"brought income (stable from {minMonths}) and rigid costs {Cny(summary.RigidCostsFen)} clearly exceed income {Cny(summary.DisposableIncomeFen)}"));
        }
        if (ExactDrop(facts, summary.IncomeDropRecent, summary.IncomeDropEarlier) is { } exactDrop && monitoring.IncomeDrop.IsCrossed(exactDrop)
            && summary.IncomeDropRatio is { } drop)
        {
            signals.Add(new RiskSignal(SignalCodes.IncomeDrop,
                Map(("dropRatio", drop), ("months", monitoring.IncomeDropMonths)),
                Map(("ratio", monitoring.IncomeDrop.Ratio)),
                ComparisonNames.Of(monitoring.IncomeDrop.Comparison), "monitoring.income_drop",
                $"per-capita income of {summary.IncomeDropRecent} is {Fraction(drop)} below {summary.IncomeDropEarlier} (threshold {Fraction(monitoring.IncomeDrop.Ratio)})"));
        }
        AddWarningLine(signals, SignalCodes.MedicalCostAboveWarningLine, "monitoring.warning_lines.medical_self_paid", "self-paid medical costs",
            summary.RigidCostsByCategoryFen[RecordCategory.MedicalSelfPaid], monitoring.WarningLines.MedicalSelfPaid, facts.Category, summary.CostWindow);
        AddWarningLine(signals, SignalCodes.DisasterLossAboveWarningLine, "monitoring.warning_lines.disaster_loss", "self-borne disaster loss",
            summary.RigidCostsByCategoryFen[RecordCategory.DisasterLoss], monitoring.WarningLines.DisasterLoss, facts.Category, summary.CostWindow);
        AddWarningLine(signals, SignalCodes.SchoolingCostAboveWarningLine, "monitoring.warning_lines.schooling", "schooling costs",
            summary.RigidCostsByCategoryFen[RecordCategory.Schooling], monitoring.WarningLines.Schooling, facts.Category, summary.CostWindow);
        var gaps = GuaranteeGaps.Find(facts.Guarantees, policy.Guarantees);
        foreach (var gap in gaps)
        {
            signals.Add(new RiskSignal(SignalCodes.Of(gap.Gap), gap.Inputs, gap.Thresholds, "", gap.PolicyKey, gap.Explanation));
        }
        signals.Sort((a, b) => string.CompareOrdinal(a.Code, b.Code));
        var exclusions = facts.Exclusions
            .OrderBy(e => e.Kind).ThenBy(e => e.Department, StringComparer.Ordinal).ThenBy(e => e.Month).ThenBy(e => e.Reference, StringComparer.Ordinal)
            .ToList();
        var abilities = facts.Members
            .Where(m => m.IsMemberOn(reference.LastDay) && m.LabourAbility is not null)
            .Select(m => m.LabourAbility!.Value)
            .Order()
            .ToList();
        return new HouseholdEvaluation(facts.HouseholdId, facts.RegionCode, facts.Category, policy.Province, policy.Version, summary,
            signals, gaps.Select(g => g.Gap).ToList(), exclusions, abilities, Fingerprint(facts.Category, signals, exclusions, abilities));
    }

    /// <summary>
    /// Crossing when the amount passes the policy's line for the household's category (just at the line
    /// crosses only an "at_least" line).
    /// </summary>
    private static void AddWarningLine(List<RiskSignal> signals, string code, string policyKey, string what, long amountFen,
        Threshold line, HouseholdCategory category, MonthRange window)
    {
        if (amountFen <= 0 || !line.IsCrossed(amountFen, category))
        {
            return;
        }
        var threshold = line.AmountFen.For(category);
        signals.Add(new RiskSignal(code, Map(("amountFen", amountFen)), Map(("amountFen", threshold)), ComparisonNames.Of(line.Comparison), policyKey,
            $"{what} {Cny(amountFen)} over {window} {(line.Comparison == Comparison.AtLeast ? "reach" : "exceed")} the warning line {Cny(threshold)}"));
    }

    /// <summary>
    /// The fingerprint of what grading and the registry act on. Amounts and ratios are written invariantly
    /// and keys sorted, so the same findings always give the same bytes.
    /// </summary>
    public static byte[] Fingerprint(HouseholdCategory category, IReadOnlyList<RiskSignal> signals, IReadOnlyList<ExclusionFactView> exclusions,
        IReadOnlyList<LabourAbility> abilities)
    {
        var text = new StringBuilder();
        text.Append("category=").Append((int)category).Append('\n');
        foreach (var signal in signals)
        {
            text.Append("signal=").Append(signal.Code).Append('|').Append(signal.Comparison).Append('|').Append(signal.PolicyKey);
            foreach (var (name, value) in signal.Inputs.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                text.Append("|i:").Append(name).Append('=').Append(Normalise(value));
            }
            foreach (var (name, value) in signal.Thresholds.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                text.Append("|t:").Append(name).Append('=').Append(Normalise(value));
            }
            text.Append('\n');
        }
        foreach (var e in exclusions)
        {
            text.Append("exclusion=").Append((int)e.Kind).Append('|').Append(e.Department).Append('|').Append(e.Month)
                .Append('|').Append(e.AmountFen?.ToString(CultureInfo.InvariantCulture) ?? "").Append('|').Append(e.Reference).Append('\n');
        }
        text.Append("labour=").Append(string.Join(',', abilities.Select(a => (int)a))).Append('\n');
        return SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()));
    }

    /// <summary>1.0 and 1 are the same value: decimals keep their scale, the fingerprint must not.</summary>
    private static string Normalise(decimal value) => (value / 1.0000000000000000000000000000m).ToString(CultureInfo.InvariantCulture);

    private static Dictionary<string, decimal> Map(params (string Name, decimal Value)[] entries) => entries.ToDictionary(e => e.Name, e => e.Value);

    private static string Cny(long fen) => (fen / 100m).ToString("#,0.00", CultureInfo.InvariantCulture) + " CNY";

    private static string Fraction(decimal value) => value.ToString("0.####", CultureInfo.InvariantCulture);
}
