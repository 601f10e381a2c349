namespace FanPin.Assistance.Domain;

/// <summary>Category of a measure (DOMAIN.md §8).</summary>
public enum MeasureCategory
{
    /// <summary>产业帮扶.</summary>
    Industry = 1,
    /// <summary>就业帮扶.</summary>
    Employment = 2,
    /// <summary>综合保障.</summary>
    SocialSecurity = 3,
    /// <summary>医疗保障.</summary>
    Medical = 4,
    /// <summary>教育帮扶.</summary>
    Education = 5,
    /// <summary>住房安全.</summary>
    Housing = 6,
    /// <summary>饮水安全.</summary>
    Water = 7,
    /// <summary>防返贫保险.</summary>
    Insurance = 8,
    /// <summary>扶志扶智.</summary>
    Motivation = 9,
    /// <summary>社会帮扶.</summary>
    SocialHelp = 10,
    /// <summary>易地搬迁后续扶持.</summary>
    RelocationFollowUp = 11,
}

/// <summary>Risk types (风险类型), numbered as in the registry.</summary>
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

/// <summary>Warning grade (分级预警).</summary>
public enum WarningGrade
{
    /// <summary>Ⅰ级 红色.</summary>
    One = 1,
    /// <summary>Ⅱ级 黄色.</summary>
    Two = 2,
    /// <summary>Ⅲ级 蓝色.</summary>
    Three = 3,
}

/// <summary>Status of a task. Overdue is not a status: an open task past its deadline, detected on a schedule.</summary>
public enum AssistanceTaskStatus
{
    /// <summary>Handed over, not started.</summary>
    Planned = 1,
    /// <summary>Being carried out.</summary>
    InProgress = 2,
    /// <summary>Done.</summary>
    Done = 3,
    /// <summary>Cancelled.</summary>
    Cancelled = 4,
}

/// <summary>Who carries out a task.</summary>
public enum AssigneeKind
{
    /// <summary>A department, by code.</summary>
    Department = 1,
    /// <summary>A township office, by its 9-digit prefix.</summary>
    Township = 2,
}
