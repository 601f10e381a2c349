using FanPin.Assistance.Domain;
using FanPin.Policies;

namespace FanPin.Assistance.Tests;

/// <summary>The pure functions: recommendations per risk type and labour ability, insurance payouts.</summary>
public sealed class RuleTests
{
    private static readonly LabourAbility[] Working = [LabourAbility.Full, LabourAbility.None];
    private static readonly LabourAbility[] Partial = [LabourAbility.Partial, LabourAbility.None];
    private static readonly LabourAbility[] NoOneWorks = [LabourAbility.Lost, LabourAbility.None];

    private static WarningInput Warning(RiskType[] risks, LabourAbility[] labour) =>
        new(Guid.NewGuid(), Guid.NewGuid(), RegionCode.Parse("620102001001"), WarningGrade.One, risks, labour, HouseholdCategory.Ordinary);

    private static string[] Codes(RiskType[] risks, LabourAbility[] labour) =>
        Recommender.Recommend(Warning(risks, labour), DefaultCatalogue.Measures).Select(r => r.Measure.Code).ToArray();

    public static TheoryData<RiskType, string, string[], string[]> Table => new()
    {
        // risk, labour, must contain, must not contain
        { RiskType.Illness, "working", ["medical.assistance", "medical.critical-illness", "social-security.minimum-living", "employment.public-welfare-job", "insurance.anti-poverty"], ["education.student-aid", "housing.renovation"] },
        { RiskType.Illness, "none", ["medical.assistance", "social-security.minimum-living", "social-security.extreme-poverty"], ["employment.public-welfare-job"] },
        { RiskType.Disability, "working", ["social-security.disability-allowance", "employment.public-welfare-job", "medical.assistance"], ["education.fee-waiver"] },
        { RiskType.Disability, "none", ["social-security.disability-allowance", "social-security.pension"], ["employment.public-welfare-job"] },
        { RiskType.Schooling, "working", ["education.student-aid", "education.fee-waiver", "education.study-loan"], ["medical.assistance", "social-security.extreme-poverty"] },
        { RiskType.Disaster, "working", ["housing.renovation", "social-security.temporary-assistance", "employment.work-for-relief", "industry.subsidy"], ["education.student-aid"] },
        { RiskType.Disaster, "none", ["housing.renovation", "social-security.emergency-relief"], ["employment.work-for-relief", "industry.subsidy"] },
        { RiskType.Accident, "partial", ["social-security.emergency-relief", "medical.assistance", "social-help.donation"], ["industry.microcredit"] },
        { RiskType.IndustryFailure, "working", ["industry.subsidy", "industry.microcredit", "employment.local-hiring", "motivation.guidance"], ["medical.critical-illness"] },
        { RiskType.IndustryFailure, "none", ["insurance.anti-poverty", "social-security.pension"], ["industry.subsidy", "industry.microcredit"] },
        { RiskType.UnstableEmployment, "working", ["employment.skills-training", "employment.labour-export", "relocation.stable-job"], ["water.repair"] },
        { RiskType.UnstableEmployment, "none", ["social-security.minimum-living"], ["employment.skills-training", "relocation.stable-job"] },
        { RiskType.SuddenEvent, "working", ["social-security.emergency-relief", "social-security.temporary-assistance"], ["education.dropout-control"] },
        { RiskType.Epidemic, "working", ["employment.local-hiring", "industry.consumption"], ["housing.renovation"] },
        { RiskType.LackOfLabour, "partial", ["social-security.minimum-living", "social-security.extreme-poverty", "social-security.pension"], ["medical.critical-illness"] },
        { RiskType.HousingSafety, "working", ["housing.renovation"], ["water.supply", "employment.subsidy"] },
        { RiskType.DrinkingWater, "none", ["water.repair", "water.supply"], ["housing.renovation"] },
        { RiskType.CompulsoryEducationGap, "working", ["education.dropout-control"], ["education.study-loan"] },
        { RiskType.MedicalInsuranceGap, "working", ["medical.premium-subsidy"], ["medical.critical-illness"] },
        { RiskType.Other, "working", ["motivation.guidance", "social-help.donation"], ["medical.assistance"] },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Recommends_measures_answering_the_risk_that_fit_the_labour(RiskType risk, string labour, string[] included, string[] excluded)
    {
        var abilities = labour switch { "working" => Working, "partial" => Partial, _ => NoOneWorks };
        var codes = Codes([risk], abilities);
        foreach (var code in included)
        {
            Assert.Contains(code, codes);
        }
        foreach (var code in excluded)
        {
            Assert.DoesNotContain(code, codes);
        }
        var byCode = DefaultCatalogue.Measures.ToDictionary(m => m.Code);
        var effective = Recommender.EffectiveRisks(Warning([risk], abilities));
        Assert.All(codes, c => Assert.True(byCode[c].RiskTypes.Intersect(effective).Any(), $"{c} answers none of the household's risks"));
        if (labour == "none")
        {
            Assert.All(codes, c => Assert.False(byCode[c].RequiresLabour, $"{c} needs labour but nobody can work"));
        }
    }

    [Fact]
    public void Every_risk_type_has_at_least_one_measure_with_and_without_labour()
    {
        foreach (var risk in Enum.GetValues<RiskType>())
        {
            Assert.NotEmpty(Codes([risk], Working));
            Assert.NotEmpty(Codes([risk], NoOneWorks));
        }
    }

    [Fact]
    public void A_household_without_labour_is_treated_as_lacking_labour_and_withdrawn_measures_are_never_proposed()
    {
        Assert.Contains(RiskType.LackOfLabour, Recommender.EffectiveRisks(Warning([RiskType.Schooling], NoOneWorks)));
        Assert.DoesNotContain(RiskType.LackOfLabour, Recommender.EffectiveRisks(Warning([RiskType.Schooling], Partial)));
        var withdrawn = DefaultCatalogue.Measures.Select(m => m.Code == "education.student-aid" ? WithActive(m, false) : m).ToList();
        var codes = Recommender.Recommend(Warning([RiskType.Schooling], Working), withdrawn).Select(r => r.Measure.Code).ToList();
        Assert.DoesNotContain("education.student-aid", codes);
        Assert.Contains("education.fee-waiver", codes);
    }

    [Fact]
    public void Answers_name_the_matching_risks_and_the_order_is_by_category_then_code()
    {
        var recs = Recommender.Recommend(Warning([RiskType.Illness, RiskType.Schooling], Working), DefaultCatalogue.Measures);
        var assistance = recs.Single(r => r.Measure.Code == "medical.assistance");
        Assert.Equal([RiskType.Illness], assistance.Answers);
        var keys = recs.Select(r => (r.Measure.Category, r.Measure.Code)).ToList();
        Assert.Equal(keys.OrderBy(k => k.Category).ThenBy(k => k.Code, StringComparer.Ordinal), keys);
    }

    private static MeasureType WithActive(MeasureType m, bool active)
    {
        var copy = MeasureType.Create(m.Code, m.Name, m.Category, m.ResponsibleDepartment, m.RiskTypes, m.RequiresLabour, m.DefaultDeadlineWorkingDays);
        copy.Active = active;
        return copy;
    }

    public static TheoryData<long, int, long, long, long> Payouts => new()
    {
        // per-capita income, persons, gap per person, share per person, total (default policy: line 6,500 CNY, 10%)
        { 500_000, 1, 150_000, 65_000, 215_000 },
        { 500_000, 4, 150_000, 65_000, 860_000 },
        { 0, 2, 650_000, 65_000, 1_430_000 },
        { 649_999, 3, 1, 65_000, 195_003 },
        { 650_000, 3, 0, 0, 0 },
        { 900_000, 5, 0, 0, 0 },
    };

    [Theory]
    [MemberData(nameof(Payouts))]
    public void Insurance_pays_the_gap_plus_a_tenth_of_the_line_per_person(long income, int persons, long gap, long share, long total)
    {
        var policy = DefaultPolicy.Policy;
        var b = InsurancePayout.Compute(policy, income, persons);
        Assert.Equal(650_000, b.MonitoringLineFen);
        Assert.Equal(0.10m, b.ShareOfLinePerPerson);
        Assert.Equal(gap, b.GapPerPersonFen);
        Assert.Equal(share, b.SharePerPersonFen);
        Assert.Equal(total, b.TotalFen);
        Assert.Equal(policy.Insurance.PayoutFen(policy.Monitoring, income, persons), b.TotalFen);
        Assert.Contains(InsurancePayout.Yuan(total), b.Arithmetic, StringComparison.Ordinal);
    }

    [Fact]
    public void Insurance_follows_the_province_line()
    {
        var policy = DefaultPolicy.Policy with { Monitoring = DefaultPolicy.Policy.Monitoring with { MonitoringLineFen = 520_000 } };
        var b = InsurancePayout.Compute(policy, 400_000, 2);
        Assert.Equal((120_000 + 52_000) * 2, b.TotalFen);
        Assert.Equal("(5200.00 − 4000.00) + 0.10 × 5200.00 = 1200.00 + 520.00 = 1720.00 per person; × 2 person(s) = 3440.00", b.Arithmetic);
    }
}
