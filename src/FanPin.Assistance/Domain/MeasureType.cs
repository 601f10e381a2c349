namespace FanPin.Assistance.Domain;

/// <summary>
/// One version of a catalogue entry: what the measure is, who carries it out, which risk types it answers,
/// whether the household needs someone able to work, and its default deadline in working days. Versions are
/// never changed; an edit publishes the next version and later plans use it.
/// </summary>
public sealed class MeasureType
{
    /// <summary>Department value meaning "the household's township carries it out".</summary>
    public const string Township = "township";

    /// <summary>Stable code, e.g. <c>employment.public-welfare-job</c>.</summary>
    public string Code { get; set; } = "";

    /// <summary>Version (1, 2, ...).</summary>
    public int Version { get; set; }

    /// <summary>Display name.</summary>
    public string Name { get; set; } = "";

    /// <summary>Category.</summary>
    public MeasureCategory Category { get; set; }

    /// <summary>Responsible department code or <see cref="Township"/>.</summary>
    public string ResponsibleDepartment { get; set; } = "";

    /// <summary>Risk types answered.</summary>
    public List<RiskType> RiskTypes { get; set; } = [];

    /// <summary>Needs a member with full or partial labour ability.</summary>
    public bool RequiresLabour { get; set; }

    /// <summary>Default deadline in working days.</summary>
    public int DefaultDeadlineWorkingDays { get; set; }

    /// <summary>False when withdrawn.</summary>
    public bool Active { get; set; } = true;

    /// <summary>True for the latest version of the code.</summary>
    public bool IsCurrent { get; set; } = true;

    /// <summary>When this version was published.</summary>
    public DateTimeOffset PublishedAt { get; set; }

    /// <summary>Who published it.</summary>
    public string PublishedBy { get; set; } = "";

    /// <summary>A new entry (version 1 until stored as the next version of an existing code).</summary>
    public static MeasureType Create(string code, string name, MeasureCategory category, string department, IEnumerable<RiskType> risks,
        bool requiresLabour, int deadlineWorkingDays) => new()
    {
        Code = code,
        Version = 1,
        Name = name,
        Category = category,
        ResponsibleDepartment = department,
        RiskTypes = risks.Distinct().Order().ToList(),
        RequiresLabour = requiresLabour,
        DefaultDeadlineWorkingDays = deadlineWorkingDays,
        PublishedBy = "seed",
    };
}

/// <summary>The catalogue seeded from DOMAIN.md §8 (the first version of every code; province admins edit it afterwards).</summary>
public static class DefaultCatalogue
{
    private static readonly RiskType[] IncomeShocks =
        [RiskType.Illness, RiskType.Disability, RiskType.Disaster, RiskType.Accident, RiskType.IndustryFailure, RiskType.UnstableEmployment, RiskType.SuddenEvent, RiskType.Epidemic];

    /// <summary>The seeded entries.</summary>
    public static IReadOnlyList<MeasureType> Measures { get; } =
    [
        // 产业帮扶
        MeasureType.Create("industry.skills-training", "产业技能培训 Industry skills training", MeasureCategory.Industry, "agriculture", [RiskType.IndustryFailure, RiskType.Disaster, RiskType.Epidemic], true, 20),
        MeasureType.Create("industry.leading-firm", "龙头企业/合作社带动 Leading firms and cooperatives", MeasureCategory.Industry, "agriculture", [RiskType.IndustryFailure, RiskType.Disaster, RiskType.Epidemic], true, 30),
        MeasureType.Create("industry.subsidy", "产业奖补 Industry subsidy", MeasureCategory.Industry, "agriculture", [RiskType.IndustryFailure, RiskType.Disaster, RiskType.Epidemic], true, 20),
        MeasureType.Create("industry.microcredit", "扶贫小额信贷 Microcredit", MeasureCategory.Industry, "agriculture", [RiskType.IndustryFailure, RiskType.Disaster], true, 15),
        MeasureType.Create("industry.consumption", "消费帮扶 Consumption assistance", MeasureCategory.Industry, "agriculture", [RiskType.IndustryFailure, RiskType.Epidemic], true, 20),
        // 就业帮扶
        MeasureType.Create("employment.skills-training", "就业技能培训 Employment skills training", MeasureCategory.Employment, "human-resources", [RiskType.UnstableEmployment, RiskType.Epidemic], true, 20),
        MeasureType.Create("employment.labour-export", "有组织劳务输出 Organised labour export", MeasureCategory.Employment, "human-resources", [RiskType.UnstableEmployment, RiskType.Epidemic], true, 20),
        MeasureType.Create("employment.local-hiring", "就近就地就业 Local hiring", MeasureCategory.Employment, "human-resources", [RiskType.UnstableEmployment, RiskType.Epidemic, RiskType.IndustryFailure], true, 15),
        MeasureType.Create("employment.public-welfare-job", "公益性岗位 Public-welfare job", MeasureCategory.Employment, MeasureType.Township, [RiskType.UnstableEmployment, RiskType.Illness, RiskType.Disability], true, 10),
        MeasureType.Create("employment.work-for-relief", "以工代赈 Work for relief", MeasureCategory.Employment, "development-reform", [RiskType.UnstableEmployment, RiskType.Disaster], true, 20),
        MeasureType.Create("employment.subsidy", "就业补贴 Employment subsidy", MeasureCategory.Employment, "human-resources", [RiskType.UnstableEmployment], true, 15),
        // 综合保障 (for those without labour)
        MeasureType.Create("social-security.minimum-living", "低保 Minimum living guarantee", MeasureCategory.SocialSecurity, "civil-affairs", [RiskType.LackOfLabour, RiskType.Illness, RiskType.Disability], false, 15),
        MeasureType.Create("social-security.extreme-poverty", "特困供养 Extreme poverty support", MeasureCategory.SocialSecurity, "civil-affairs", [RiskType.LackOfLabour], false, 15),
        MeasureType.Create("social-security.temporary-assistance", "临时救助 Temporary assistance", MeasureCategory.SocialSecurity, "civil-affairs", [RiskType.Disaster, RiskType.Accident, RiskType.SuddenEvent, RiskType.Illness, RiskType.Epidemic], false, 5),
        MeasureType.Create("social-security.pension", "养老保险代缴 Pension insurance", MeasureCategory.SocialSecurity, "human-resources", [RiskType.LackOfLabour], false, 20),
        MeasureType.Create("social-security.disability-allowance", "残疾人两项补贴 Disability allowances", MeasureCategory.SocialSecurity, "disabled-persons-federation", [RiskType.Disability], false, 15),
        MeasureType.Create("social-security.emergency-relief", "急难救助 Emergency relief", MeasureCategory.SocialSecurity, "civil-affairs", [RiskType.Accident, RiskType.SuddenEvent, RiskType.Disaster], false, 3),
        // 医疗保障
        MeasureType.Create("medical.premium-subsidy", "医保参保资助 Insurance premium subsidy", MeasureCategory.Medical, "medical-insurance", [RiskType.MedicalInsuranceGap, RiskType.Illness], false, 10),
        MeasureType.Create("medical.critical-illness", "大病保险 Critical illness insurance", MeasureCategory.Medical, "medical-insurance", [RiskType.Illness], false, 10),
        MeasureType.Create("medical.assistance", "医疗救助 Medical assistance", MeasureCategory.Medical, "medical-insurance", [RiskType.Illness, RiskType.Disability, RiskType.Accident], false, 10),
        // 教育帮扶
        MeasureType.Create("education.student-aid", "学生资助 Student aid", MeasureCategory.Education, "education", [RiskType.Schooling], false, 20),
        MeasureType.Create("education.fee-waiver", "学费减免 Fee waiver", MeasureCategory.Education, "education", [RiskType.Schooling], false, 20),
        MeasureType.Create("education.study-loan", "助学贷款 Study loan", MeasureCategory.Education, "education", [RiskType.Schooling], false, 20),
        MeasureType.Create("education.dropout-control", "控辍保学 Dropout control", MeasureCategory.Education, "education", [RiskType.CompulsoryEducationGap], false, 10),
        // 住房, 饮水
        MeasureType.Create("housing.renovation", "危房改造 Dangerous-house renovation", MeasureCategory.Housing, "housing", [RiskType.HousingSafety, RiskType.Disaster], false, 60),
        MeasureType.Create("water.repair", "饮水工程维修 Water works repair", MeasureCategory.Water, "water", [RiskType.DrinkingWater], false, 15),
        MeasureType.Create("water.supply", "应急供水 Water supply", MeasureCategory.Water, "water", [RiskType.DrinkingWater, RiskType.Disaster], false, 5),
        // 防返贫保险
        MeasureType.Create("insurance.anti-poverty", "防返贫保险 Anti-poverty insurance payout", MeasureCategory.Insurance, MeasureType.Township, IncomeShocks, false, 20),
        // 扶志扶智, 社会帮扶
        MeasureType.Create("motivation.guidance", "扶志扶智 Motivation and guidance", MeasureCategory.Motivation, MeasureType.Township, [RiskType.UnstableEmployment, RiskType.IndustryFailure, RiskType.Other], true, 20),
        MeasureType.Create("social-help.donation", "社会帮扶 Donations, crowdfunding, pairing", MeasureCategory.SocialHelp, MeasureType.Township, [RiskType.Illness, RiskType.Disaster, RiskType.Accident, RiskType.SuddenEvent, RiskType.Other], false, 20),
        // 易地搬迁后续扶持
        MeasureType.Create("relocation.stable-job", "搬迁户稳定就业 One stable job per relocated household", MeasureCategory.RelocationFollowUp, "development-reform", [RiskType.UnstableEmployment], true, 30),
    ];
}
