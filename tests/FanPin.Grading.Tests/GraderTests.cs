using FanPin.Grading.Domain;
using FanPin.Policies;

namespace FanPin.Grading.Tests;

/// <summary>
/// DOMAIN.md §7, rule by rule, as named cases (with their boundaries) of the pure grading function under the
/// default policy (poverty line 4,333 CNY × 1.5 = 6,499.50 CNY; rigid cost greater_than 1.0 × income; income drop
/// at_least 0.5; grade I labour [lost]; grade II [lost, none] with transfers ≥ 1.0; grade III [partial] or
/// unstable income) and two province variants.
/// </summary>
public class GraderTests
{
    private static readonly ProvincePolicy Default = DefaultPolicy.Policy;

    /// <summary>Sample A's 5,200 line: poverty line 3,467 CNY, so the grade I limit is 5,200.50 CNY.</summary>
    private static readonly ProvincePolicy Line5200 = PolicyDocument.Parse("""
        base: default
        province: "51"
        version: 1
        effective_from: 2024-01-01
        monitoring: { monitoring_line_fen: 520_000, poverty_line_fen: 346_700 }
        """);

    /// <summary>A province reading §7 grade III as "partial labour AND unstable income".</summary>
    private static readonly ProvincePolicy StrictThree = PolicyDocument.Parse("""
        base: default
        province: "45"
        version: 1
        effective_from: 2024-01-01
        grading: { grade_three: { unstable_income_suffices: false } }
        """);

    private static readonly Guid Household = Guid.Parse("0190a000-0000-7000-8000-000000000001");

    /// <summary>Two full-labour adults, a risk type (illness), no signals: flagged, but no rule grades it.</summary>
    private static GradingFacts Base => new()
    {
        HouseholdId = Household,
        RegionCode = "620102001001",
        RiskTypes = [RiskType.Illness],
        Labour = new LabourProfile(2, 0, 0, 0),
    };

    private static SignalMeasurements Signals(string code, long? perCapitaFen = null, long? lastYearFen = null, long? rigidFen = null,
        decimal? drop = null, decimal? transfer = null, bool unstable = false) => new()
        {
            Codes = [code],
            PerCapitaIncomeFen = perCapitaFen,
            LastYearIncomeFen = lastYearFen,
            RigidExpenditureFen = rigidFen,
            IncomeDropShare = drop,
            TransferIncomeShare = transfer,
            IncomeUnstable = unstable,
        };

    private sealed record Case(ProvincePolicy Policy, GradingFacts Facts, WarningGrade? Grade, string RuleId);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        // Grade I: complete loss of labour ability.
        ["I labour: the only adult lost labour, the others are children"] =
            new(Default, Base with { Labour = new(0, 0, 1, 2) }, WarningGrade.One, RuleIds.GradeOneLabourLost),
        ["I labour boundary: one member with partial labour keeps it out of grade I"] =
            new(Default, Base with { Labour = new(0, 1, 1, 0) }, WarningGrade.Three, RuleIds.GradeThreePartialLabour),
        // Grade I: large rigid expenditure (greater_than 1.0 × last year's income).
        ["I rigid cost: 30,000.01 CNY against 30,000 CNY of income"] =
            new(Default, Base with { Signals = Signals("RigidExpenditureAboveIncome", lastYearFen: 3_000_000, rigidFen: 3_000_001) }, WarningGrade.One, RuleIds.GradeOneRigidExpenditure),
        ["I rigid cost boundary: equal to income is not above it"] =
            new(Default, Base with { Signals = Signals("RigidExpenditureAboveIncome", lastYearFen: 3_000_000, rigidFen: 3_000_000) }, null, RuleIds.NoneNoRuleMatched),
        ["I rigid cost: any rigid cost exceeds no income at all"] =
            new(Default, Base with { Signals = Signals("RigidExpenditureAboveIncome", lastYearFen: 0, rigidFen: 100) }, WarningGrade.One, RuleIds.GradeOneRigidExpenditure),
        // Grade I: sharp income drop (at_least 0.5).
        ["I income drop boundary: exactly half lost is sharp (at_least)"] =
            new(Default, Base with { Signals = Signals("IncomeDrop", drop: 0.5m) }, WarningGrade.One, RuleIds.GradeOneIncomeDrop),
        ["I income drop boundary: 0.49 lost is not sharp"] =
            new(Default, Base with { Signals = Signals("IncomeDrop", drop: 0.49m) }, null, RuleIds.NoneNoRuleMatched),
        // Grade I: income below 1.5 × the poverty line.
        ["I low income boundary: 6,499.49 CNY is below 1.5 × 4,333 CNY"] =
            new(Default, Base with { Signals = Signals("IncomeBelowLine", perCapitaFen: 649_949) }, WarningGrade.One, RuleIds.GradeOneIncomeBelowFactor),
        ["I low income boundary: 6,499.50 CNY is not below 1.5 × 4,333 CNY"] =
            new(Default, Base with { Signals = Signals("IncomeBelowLine", perCapitaFen: 649_950) }, null, RuleIds.NoneNoRuleMatched),
        ["I low income under a 5,200 line province: 5,200.49 CNY is below 1.5 × 3,467 CNY"] =
            new(Line5200, Base with { Signals = Signals("IncomeBelowLine", perCapitaFen: 520_049) }, WarningGrade.One, RuleIds.GradeOneIncomeBelowFactor),
        ["I low income under a 5,200 line province: 5,800 CNY is not"] =
            new(Line5200, Base with { Signals = Signals("IncomeBelowLine", perCapitaFen: 580_000) }, null, RuleIds.NoneNoRuleMatched),
        // Grade II: no labour force, income only from transfers or dividends, a risk factor.
        ["II elderly couple living on transfers and dividends only"] =
            new(Default, Base with { Labour = new(0, 0, 0, 2), Signals = Signals("IncomeBelowLine", perCapitaFen: 700_000, transfer: 1.0m) }, WarningGrade.Two, RuleIds.GradeTwoNoLabourTransferIncome),
        ["II boundary: 99% of income from transfers is not 'only'"] =
            new(Default, Base with { Labour = new(0, 0, 0, 2), Signals = Signals("IncomeBelowLine", perCapitaFen: 700_000, transfer: 0.99m) }, null, RuleIds.NoneNoRuleMatched),
        ["II boundary: no labour force but the income structure is unknown"] =
            new(Default, Base with { Labour = new(0, 0, 0, 2) }, null, RuleIds.NoneNoRuleMatched),
        ["II boundary: a full-labour member means a labour force"] =
            new(Default, Base with { Labour = new(1, 0, 0, 2), Signals = Signals("IncomeBelowLine", perCapitaFen: 700_000, transfer: 1.0m) }, null, RuleIds.NoneNoRuleMatched),
        // Grade III: partial loss of labour, or unstable income, with a risk factor.
        ["III partial labour from illness, with a risk type"] =
            new(Default, Base with { Labour = new(0, 1, 0, 2) }, WarningGrade.Three, RuleIds.GradeThreePartialLabour),
        ["III unstable income with full labour"] =
            new(Default, Base with { Signals = Signals("UnstableIncome", unstable: true) }, WarningGrade.Three, RuleIds.GradeThreeUnstableIncome),
        ["III unstable income alone is not enough where the province requires partial labour"] =
            new(StrictThree, Base with { Signals = Signals("UnstableIncome", unstable: true) }, null, RuleIds.NoneNoRuleMatched),
        // Gates.
        ["none: labour lost but no risk factor at all"] =
            new(Default, Base with { RiskTypes = [], Labour = new(0, 0, 1, 0) }, null, RuleIds.NoneNoRiskFactor),
        ["none: a signal alone is a risk factor"] =
            new(Default, Base with { RiskTypes = [], Labour = new(0, 0, 1, 0), Signals = Signals("HousingUnsafe") }, WarningGrade.One, RuleIds.GradeOneLabourLost),
        ["none: risk eliminated clears whatever the signals say"] =
            new(Default, Base with { Status = MonitoringStatus.RiskEliminated, Labour = new(0, 0, 1, 0), Signals = Signals("IncomeBelowLine", perCapitaFen: 100_000) }, null, RuleIds.NoneRiskEliminated),
        ["none: a dissolved household is never graded"] =
            new(Default, Base with { Dissolved = true, Labour = new(0, 0, 1, 0) }, null, RuleIds.NoneDissolved),
        // Priority: the most severe rule decides.
        ["priority: lost labour on transfer income is grade I, not II"] =
            new(Default, Base with { Labour = new(0, 0, 1, 1), Signals = Signals("IncomeBelowLine", perCapitaFen: 700_000, transfer: 1.0m) }, WarningGrade.One, RuleIds.GradeOneLabourLost),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Rule(string name)
    {
        var c = Cases[name];
        var decision = Grader.Decide(c.Policy, c.Facts);
        Assert.Equal(c.Grade, decision.Grade);
        Assert.Equal(c.RuleId, decision.Reason.RuleId);
        Assert.Equal(c.Policy.Province, decision.Reason.PolicyProvince);
        Assert.Equal(c.Policy.Version, decision.Reason.PolicyVersion);
        Assert.False(string.IsNullOrWhiteSpace(decision.Reason.Summary));
    }

    [Fact]
    public void The_reason_names_the_inputs_and_the_policy_thresholds()
    {
        var decision = Grader.Decide(Default, Base with { Signals = Signals("IncomeBelowLine", perCapitaFen: 580_000) });
        Assert.Equal(RuleIds.GradeOneIncomeBelowFactor, decision.Reason.RuleId);
        Assert.Equal("580000", decision.Reason.Inputs["perCapitaIncomeFen"]);
        Assert.Equal("1.5", decision.Reason.Thresholds["grading.grade_one.income_below_poverty_line_factor"]);
        Assert.Equal("433300", decision.Reason.Thresholds["monitoring.poverty_line_fen"]);
        Assert.Equal("649950.0", decision.Reason.Thresholds["limitFen"]);
        Assert.Equal(["IncomeBelowLine", "riskType:Illness"], decision.Reason.RiskFactors);
    }

    [Fact]
    public void Other_matching_rules_are_listed_after_the_deciding_one()
    {
        var facts = Base with
        {
            Labour = new(0, 0, 1, 1),
            Signals = Signals("IncomeBelowLine", perCapitaFen: 100_000, transfer: 1.0m) with { IncomeDropShare = 0.6m },
        };
        var decision = Grader.Decide(Default, facts);
        Assert.Equal(RuleIds.GradeOneLabourLost, decision.Reason.RuleId);
        Assert.Equal([RuleIds.GradeOneIncomeDrop, RuleIds.GradeOneIncomeBelowFactor, RuleIds.GradeTwoNoLabourTransferIncome], decision.Reason.AlsoMatched);
    }

    [Fact]
    public void The_order_monitoring_lists_signals_in_never_changes_the_grade()
    {
        ReceivedRiskSignal low = new("IncomeBelowLine", new Dictionary<string, decimal> { ["perCapitaIncome"] = 5800m }, new Dictionary<string, decimal> { ["monitoringLine"] = 6500m });
        ReceivedRiskSignal drop = new("IncomeDrop", new Dictionary<string, decimal> { ["incomeDropShare"] = 0.2m, ["perCapitaIncome"] = 9999m }, new Dictionary<string, decimal>());
        var a = SignalMeasurements.Read([low, drop]);
        var b = SignalMeasurements.Read([drop, low]);
        Assert.Equal(a with { Codes = [] }, b with { Codes = [] });
        Assert.Equal(a.Codes, b.Codes);
        Assert.Equal(580_000, a.PerCapitaIncomeFen); // "IncomeBelowLine" sorts first: its input wins
        Assert.Equal(Grader.Decide(Default, Base with { Signals = a }), Grader.Decide(Default, Base with { Signals = b }), new DecisionComparer());
    }

    [Theory]
    [InlineData(0, 0, 0, 0, null)]
    [InlineData(1, 1, 1, 1, LabourAbility.Full)]
    [InlineData(0, 1, 1, 1, LabourAbility.Partial)]
    [InlineData(0, 0, 1, 3, LabourAbility.Lost)]
    [InlineData(0, 0, 0, 3, LabourAbility.None)]
    public void Labour_capacity_is_the_strongest_ability_with_age_only_counting_alone(int full, int partial, int lost, int none, LabourAbility? capacity) =>
        Assert.Equal(capacity, new LabourProfile(full, partial, lost, none).Capacity);

    [Fact]
    public void Amounts_arrive_in_cny_and_are_compared_in_fen()
    {
        var m = SignalMeasurements.Read([new ReceivedRiskSignal("RigidExpenditureAboveIncome",
            new Dictionary<string, decimal> { ["rigidExpenditure"] = 30000.005m, ["lastYearIncome"] = 30000m }, new Dictionary<string, decimal>())]);
        Assert.Equal(3_000_001, m.RigidExpenditureFen); // half a fen rounds away from zero
        Assert.Equal(3_000_000, m.LastYearIncomeFen);
        Assert.False(m.IncomeUnstable);
        Assert.True(SignalMeasurements.Read([new ReceivedRiskSignal("Any", new Dictionary<string, decimal> { ["incomeUnstable"] = 1m }, new Dictionary<string, decimal>())]).IncomeUnstable);
    }

    /// <summary>Decisions compare by grade and reason content (the reason's dictionaries are not value-equal records).</summary>
    private sealed class DecisionComparer : IEqualityComparer<GradeDecision>
    {
        public bool Equals(GradeDecision? x, GradeDecision? y) =>
            x is not null && y is not null && x.Grade == y.Grade && ReasonJson.Serialize(x.Reason) == ReasonJson.Serialize(y.Reason);

        public int GetHashCode(GradeDecision obj) => obj.Grade.GetHashCode();
    }
}
