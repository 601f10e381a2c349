namespace FanPin.Grading.Domain;

/// <summary>Warning grade (分级预警, DOMAIN.md §7). The number is the grade; lower is more severe.</summary>
public enum WarningGrade
{
    /// <summary>Ⅰ级 红色 (red): on the verge of (returning to) poverty (濒临返贫致贫).</summary>
    One = 1,
    /// <summary>Ⅱ级 黄色 (yellow): extremely vulnerable (极易).</summary>
    Two = 2,
    /// <summary>Ⅲ级 蓝色 (blue): vulnerable (容易).</summary>
    Three = 3,
}

/// <summary>Where a warning stands (DOMAIN.md §7: raised → 交办 → under assistance → 解除 or escalated when overdue).</summary>
public enum WarningStatus
{
    /// <summary>Raised by grading; nobody has taken it yet.</summary>
    Raised = 1,
    /// <summary>The county dispatch centre has acknowledged it.</summary>
    Acknowledged = 2,
    /// <summary>Handed to the township and named departments (清单交办).</summary>
    Dispatched = 3,
    /// <summary>Assistance measures are under way (帮扶中); the response deadline is met.</summary>
    InAssistance = 4,
    /// <summary>Cleared (解除预警): risk eliminated or no rule grades the household any more. Final.</summary>
    Cleared = 5,
    /// <summary>The response deadline passed (限时办结): handed one level up.</summary>
    Escalated = 6,
}

/// <summary>Where a household stands in monitoring (DOMAIN.md §3), as the registry reports it.</summary>
public enum MonitoringStatus
{
    /// <summary>Registered, not monitored.</summary>
    NotMonitored = 1,
    /// <summary>Under identification.</summary>
    Candidate = 2,
    /// <summary>Monitored (监测对象).</summary>
    Monitored = 3,
    /// <summary>风险消除: still tracked; grading clears its warning.</summary>
    RiskEliminated = 4,
}

/// <summary>Monitoring type (监测对象类型), for monitored households.</summary>
public enum MonitoringType
{
    /// <summary>脱贫不稳定户.</summary>
    UnstablePostPoverty = 1,
    /// <summary>边缘易致贫户.</summary>
    MarginalAtRisk = 2,
    /// <summary>突发严重困难户.</summary>
    SuddenSevereHardship = 3,
}

/// <summary>
/// Risk types (风险类型/致贫返贫原因), the registry's vocabulary (same names and values, so the consumers map by
/// name). Stored as a bit mask: bit n-1 for value n.
/// </summary>
public enum RiskType
{
    /// <summary>因病.</summary>
    Illness = 1,
    /// <summary>因残.</summary>
    Disability = 2,
    /// <summary>因学.</summary>
    Schooling = 3,
    /// <summary>因灾.</summary>
    Disaster = 4,
    /// <summary>因意外事故.</summary>
    Accident = 5,
    /// <summary>因产业失败.</summary>
    IndustryFailure = 6,
    /// <summary>因务工就业不稳.</summary>
    UnstableEmployment = 7,
    /// <summary>因突发事件.</summary>
    SuddenEvent = 8,
    /// <summary>因疫情.</summary>
    Epidemic = 9,
    /// <summary>缺劳动力.</summary>
    LackOfLabour = 10,
    /// <summary>住房安全.</summary>
    HousingSafety = 11,
    /// <summary>饮水安全.</summary>
    DrinkingWater = 12,
    /// <summary>义务教育保障.</summary>
    CompulsoryEducationGap = 13,
    /// <summary>基本医疗保障.</summary>
    MedicalInsuranceGap = 14,
    /// <summary>其他.</summary>
    Other = 15,
}

/// <summary>Sets of risk types as a bit mask (one integer column).</summary>
public static class RiskTypeSet
{
    /// <summary>The mask of a set.</summary>
    public static int ToMask(IEnumerable<RiskType> types) => types.Aggregate(0, (mask, t) => mask | Bit(t));

    /// <summary>The bit of one type.</summary>
    public static int Bit(RiskType type) => 1 << ((int)type - 1);

    /// <summary>The set of a mask, in enum order.</summary>
    public static IReadOnlyList<RiskType> FromMask(int mask) =>
        Enum.GetValues<RiskType>().Where(t => (mask & Bit(t)) != 0).ToList();
}

/// <summary>What moved a warning (its history, <c>warning_transitions</c>).</summary>
public enum WarningAction
{
    /// <summary>Grading raised it.</summary>
    Raised = 1,
    /// <summary>Grading changed its grade (upgrade or downgrade, same warning).</summary>
    GradeChanged = 2,
    /// <summary>The county acknowledged it.</summary>
    Acknowledged = 3,
    /// <summary>Handed to the township and departments.</summary>
    Dispatched = 4,
    /// <summary>Assistance started.</summary>
    AssistanceStarted = 5,
    /// <summary>Its deadline passed: one level up.</summary>
    Escalated = 6,
    /// <summary>Cleared.</summary>
    Cleared = 7,
}

/// <summary>Why a household was (re)graded (<c>grade_changes.cause</c>).</summary>
public enum GradeCause
{
    /// <summary>Registry facts changed (category, members, status, risk types).</summary>
    HouseholdFacts = 1,
    /// <summary>Monitoring sent new risk signals.</summary>
    RiskSignals = 2,
    /// <summary>A new policy version came into force (bulk re-grade).</summary>
    PolicyChange = 3,
}

/// <summary>Escalation levels (one level up each time a deadline passes), as the public events number them.</summary>
public static class EscalationLevels
{
    /// <summary>Not escalated: the township and county handle it.</summary>
    public const int None = 0;

    /// <summary>The county dispatch centre's leadership.</summary>
    public const int County = 1;

    /// <summary>The city (市/州).</summary>
    public const int City = 2;

    /// <summary>The province: the top; a warning overdue here stays on the overdue list.</summary>
    public const int Province = 3;
}
