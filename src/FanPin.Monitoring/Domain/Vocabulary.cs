using FanPin.Policies;

namespace FanPin.Monitoring.Domain;

/// <summary>What a monthly record measures: income, a productive cost or a rigid cost (DOMAIN.md §4).</summary>
public enum RecordKind
{
    /// <summary>Income (收入).</summary>
    Income = 1,
    /// <summary>Productive cost (生产经营性支出), subtracted from income.</summary>
    ProductiveCost = 2,
    /// <summary>Rigid cost (刚性支出): illness, schooling, disaster, accident.</summary>
    RigidCost = 3,
}

/// <summary>
/// The category of a monthly amount. The values are stored; never renumber them. Each belongs to one
/// <see cref="RecordKind"/> (<see cref="RecordCategories.KindOf"/>).
/// </summary>
public enum RecordCategory
{
    /// <summary>工资性收入: wages, including public-welfare jobs and work-for-relief.</summary>
    Wage = 1,
    /// <summary>经营净收入: business and farming income as received (its productive costs are recorded separately).</summary>
    BusinessNet = 2,
    /// <summary>财产净收入: rents, land transfer, interest.</summary>
    PropertyNet = 3,
    /// <summary>转移净收入: low-income allowance, pensions, subsidies, industry dividends.</summary>
    TransferNet = 4,
    /// <summary>生产经营性支出: seeds, fertiliser, feed, tools of the household's own business.</summary>
    ProductiveCost = 10,
    /// <summary>医疗自付: medical costs paid by the household after insurance.</summary>
    MedicalSelfPaid = 20,
    /// <summary>教育支出: schooling costs (fees, board, transport).</summary>
    Schooling = 21,
    /// <summary>灾害损失: self-borne disaster loss.</summary>
    DisasterLoss = 22,
    /// <summary>意外事故: self-borne accident costs.</summary>
    Accident = 23,
}

/// <summary>Who provided a record (信息来源).</summary>
public enum RecordSource
{
    /// <summary>A village cadre or helper, from screening or a visit.</summary>
    Cadre = 1,
    /// <summary>The farmer's own declaration (entered by a cadre).</summary>
    Farmer = 2,
    /// <summary>A department's monthly feed.</summary>
    DepartmentFeed = 3,
}

/// <summary>Facts about <see cref="RecordCategory"/>.</summary>
public static class RecordCategories
{
    /// <summary>The four income categories.</summary>
    public static readonly IReadOnlyList<RecordCategory> Income =
        [RecordCategory.Wage, RecordCategory.BusinessNet, RecordCategory.PropertyNet, RecordCategory.TransferNet];

    /// <summary>The four rigid cost categories.</summary>
    public static readonly IReadOnlyList<RecordCategory> Rigid =
        [RecordCategory.MedicalSelfPaid, RecordCategory.Schooling, RecordCategory.DisasterLoss, RecordCategory.Accident];

    /// <summary>Every category.</summary>
    public static readonly IReadOnlyList<RecordCategory> All = [.. Income, RecordCategory.ProductiveCost, .. Rigid];

    /// <summary>The kind a category belongs to.</summary>
    public static RecordKind KindOf(RecordCategory category) => category switch
    {
        RecordCategory.Wage or RecordCategory.BusinessNet or RecordCategory.PropertyNet or RecordCategory.TransferNet => RecordKind.Income,
        RecordCategory.ProductiveCost => RecordKind.ProductiveCost,
        RecordCategory.MedicalSelfPaid or RecordCategory.Schooling or RecordCategory.DisasterLoss or RecordCategory.Accident => RecordKind.RigidCost,
        _ => throw new ArgumentOutOfRangeException(nameof(category), category, "unknown record category"),
    };

    /// <summary>True for a defined category value.</summary>
    public static bool IsDefined(RecordCategory category) => All.Contains(category);
}

/// <summary>The guarantee indicators (两不愁三保障及饮水安全, DOMAIN.md §4), as gap codes.</summary>
public enum GuaranteeGap
{
    /// <summary>不愁吃不愁穿 not assured.</summary>
    FoodAndClothing = 1,
    /// <summary>A school-age child is out of school (义务教育保障).</summary>
    CompulsoryEducation = 2,
    /// <summary>A member is not in basic medical insurance (基本医疗保障).</summary>
    MedicalInsurance = 3,
    /// <summary>The main home is rated unsafe (住房安全).</summary>
    HousingSafety = 4,
    /// <summary>Drinking water fails quantity, quality, convenience or supply (饮水安全).</summary>
    DrinkingWater = 5,
}

/// <summary>The household facts the monitoring service keeps from the registry (read model).</summary>
public enum HouseholdStatus
{
    /// <summary>Registered, not monitored.</summary>
    NotMonitored = 1,
    /// <summary>Under identification.</summary>
    Candidate = 2,
    /// <summary>Monitored: has a responsible helper who must visit.</summary>
    Monitored = 3,
    /// <summary>Risk eliminated, still tracked.</summary>
    RiskEliminated = 4,
}

/// <summary>Outcome of one feed row.</summary>
public enum FeedRowOutcome
{
    /// <summary>Applied: created or superseded a record, snapshot or fact.</summary>
    Applied = 1,
    /// <summary>Matched and valid, but identical to what is already recorded.</summary>
    Unchanged = 2,
    /// <summary>Invalid (bad ID number, unknown item, negative amount, month in the future, ...).</summary>
    Invalid = 3,
    /// <summary>Valid, but no registered member has this ID number in that month.</summary>
    Unmatched = 4,
    /// <summary>Repeats an earlier row of the same feed (same person, item, month and reference).</summary>
    Duplicate = 5,
    /// <summary>The person's household lies outside the feed's region scope.</summary>
    OutsideScope = 6,
}

/// <summary>Names of the exclusion facts as the registry's data comparison reads them.</summary>
public static class ExclusionKinds
{
    /// <summary>All kinds a feed can report.</summary>
    public static readonly IReadOnlyList<ExclusionKind> All =
        [ExclusionKind.HighEndCar, ExclusionKind.CommercialHousing, ExclusionKind.Company, ExclusionKind.NegligentSupporter];
}
