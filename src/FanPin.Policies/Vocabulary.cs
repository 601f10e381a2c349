namespace FanPin.Policies;

/// <summary>Household category (户类别, DOMAIN.md §3). Some thresholds differ by category.</summary>
public enum HouseholdCategory
{
    /// <summary>脱贫户: a registered household that has left poverty.</summary>
    PovertyAlleviated = 1,
    /// <summary>一般农户: any other rural household.</summary>
    Ordinary = 2,
}

/// <summary>Labour ability of a member (劳动能力, DOMAIN.md §3).</summary>
public enum LabourAbility
{
    /// <summary>普通劳动力.</summary>
    Full = 1,
    /// <summary>弱/半劳动力.</summary>
    Partial = 2,
    /// <summary>丧失劳动力.</summary>
    Lost = 3,
    /// <summary>无劳动力: minor, elderly, student.</summary>
    None = 4,
}

/// <summary>How an amount is compared with a threshold: provinces write "over 5,000" or "5,000 and more".</summary>
public enum Comparison
{
    /// <summary>Crossed when the amount is strictly greater (超过).</summary>
    GreaterThan = 1,
    /// <summary>Crossed when the amount is equal or greater (≥, 达到).</summary>
    AtLeast = 2,
}

/// <summary>Which 12 months of income count (DOMAIN.md §4).</summary>
public enum IncomeWindowRule
{
    /// <summary>计算周期为上年度本月到本年度上月: from the same month last year to last month, counted from the month of discovery.</summary>
    SameMonthLastYearToLastMonth = 1,
    /// <summary>The previous calendar year.</summary>
    PreviousCalendarYear = 2,
}

/// <summary>Safety grade of a dwelling (房屋安全等级); C and D are unsafe by default.</summary>
public enum HousingSafetyGrade
{
    /// <summary>A: safe.</summary>
    A = 1,
    /// <summary>B: safe with minor defects.</summary>
    B = 2,
    /// <summary>C: partly dangerous.</summary>
    C = 3,
    /// <summary>D: dangerous as a whole.</summary>
    D = 4,
}

/// <summary>Whether a duration counts calendar days or working days.</summary>
public enum DayCounting
{
    /// <summary>Every day counts (公示期5天).</summary>
    Calendar = 1,
    /// <summary>Weekends and holidays are skipped, 调休 working weekend days count.</summary>
    Working = 2,
}

/// <summary>When the identification decision deadline starts to run.</summary>
public enum DeadlineStart
{
    /// <summary>From the day the case is opened (one deadline, e.g. 20 working days).</summary>
    CaseOpened = 1,
    /// <summary>From the day home verification is completed (e.g. 5 + 15 working days).</summary>
    VerificationCompleted = 2,
}

/// <summary>How often monitored households are assessed for closing (DOMAIN.md §9).</summary>
public enum AssessmentCadence
{
    /// <summary>Every fourth quarter (每年第四季度).</summary>
    FourthQuarter = 1,
    /// <summary>Every N months (e.g. 每2个月).</summary>
    EveryMonths = 2,
}

/// <summary>Exclusions found by data comparison (原则上不纳入, DOMAIN.md §3).</summary>
public enum ExclusionKind
{
    /// <summary>Owns and regularly uses a high-end car.</summary>
    HighEndCar = 1,
    /// <summary>Bought commercial housing in a town (relocation for demolition excepted).</summary>
    CommercialHousing = 2,
    /// <summary>Registered a company employing others with high returns.</summary>
    Company = 3,
    /// <summary>Has supporters (赡养/抚养/扶养人) able but failing their legal duty.</summary>
    NegligentSupporter = 4,
}

/// <summary>Which line the insurance payout's per-person share is taken of.</summary>
public enum PayoutLine
{
    /// <summary>The monitoring line.</summary>
    MonitoringLine = 1,
    /// <summary>The national poverty line.</summary>
    PovertyLine = 2,
}

/// <summary>The departments that push data feeds (DOMAIN.md §1); the same names as the <c>dept</c> token claim.</summary>
public static class Departments
{
    /// <summary>民政.</summary>
    public const string CivilAffairs = "civil-affairs";
    /// <summary>医保.</summary>
    public const string MedicalInsurance = "medical-insurance";
    /// <summary>卫健.</summary>
    public const string Health = "health";
    /// <summary>住建.</summary>
    public const string Housing = "housing";
    /// <summary>教育.</summary>
    public const string Education = "education";
    /// <summary>残联.</summary>
    public const string DisabledPersonsFederation = "disabled-persons-federation";
    /// <summary>公安.</summary>
    public const string PublicSecurity = "public-security";
    /// <summary>应急管理.</summary>
    public const string EmergencyManagement = "emergency-management";
    /// <summary>人社.</summary>
    public const string HumanResources = "human-resources";
    /// <summary>水利.</summary>
    public const string Water = "water";
    /// <summary>市场监管.</summary>
    public const string MarketSupervision = "market-supervision";
    /// <summary>农业农村.</summary>
    public const string Agriculture = "agriculture";

    /// <summary>Every known department.</summary>
    public static readonly IReadOnlyList<string> All =
    [
        CivilAffairs, MedicalInsurance, Health, Housing, Education, DisabledPersonsFederation, PublicSecurity,
        EmergencyManagement, HumanResources, Water, MarketSupervision, Agriculture,
    ];
}
