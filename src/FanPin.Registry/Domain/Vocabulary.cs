namespace FanPin.Registry.Domain;

/// <summary>Where a household stands in monitoring (DOMAIN.md §3).</summary>
public enum MonitoringStatus
{
    /// <summary>Registered, not monitored.</summary>
    NotMonitored = 1,
    /// <summary>Under identification (an identification case is open).</summary>
    Candidate = 2,
    /// <summary>Identified and monitored (监测对象).</summary>
    Monitored = 3,
    /// <summary>风险消除: still tracked, may be identified again later.</summary>
    RiskEliminated = 4,
}

/// <summary>Monitoring type (监测对象类型), only for monitored households.</summary>
public enum MonitoringType
{
    /// <summary>脱贫不稳定户.</summary>
    UnstablePostPoverty = 1,
    /// <summary>边缘易致贫户.</summary>
    MarginalAtRisk = 2,
    /// <summary>突发严重困难户.</summary>
    SuddenSevereHardship = 3,
}

/// <summary>Risk types (风险类型/致贫返贫原因); a household may carry several. Values are bit positions in storage.</summary>
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

/// <summary>Relation of a member to the head of household.</summary>
public enum Relation
{
    /// <summary>户主.</summary>
    Head = 1,
    /// <summary>配偶.</summary>
    Spouse = 2,
    /// <summary>子女.</summary>
    Child = 3,
    /// <summary>父母.</summary>
    Parent = 4,
    /// <summary>孙子女.</summary>
    Grandchild = 5,
    /// <summary>Any other relation.</summary>
    Other = 6,
}

/// <summary>Health (健康状况).</summary>
public enum HealthCondition
{
    /// <summary>健康.</summary>
    Healthy = 1,
    /// <summary>长期慢性病.</summary>
    Chronic = 2,
    /// <summary>大病.</summary>
    SeriousIllness = 3,
    /// <summary>残疾 (with a grade 1–4).</summary>
    Disability = 4,
}

/// <summary>Schooling stage; <see cref="Dropout"/> is 辍学.</summary>
public enum SchoolingStage
{
    /// <summary>Not in school.</summary>
    NotInSchool = 1,
    /// <summary>学前.</summary>
    Preschool = 2,
    /// <summary>义务教育.</summary>
    Compulsory = 3,
    /// <summary>高中.</summary>
    SeniorHigh = 4,
    /// <summary>中职.</summary>
    Vocational = 5,
    /// <summary>大学.</summary>
    University = 6,
    /// <summary>辍学.</summary>
    Dropout = 7,
}

/// <summary>Where a member works (务工).</summary>
public enum EmploymentLocation
{
    /// <summary>Not working away.</summary>
    None = 1,
    /// <summary>省外.</summary>
    OutsideProvince = 2,
    /// <summary>省内县外.</summary>
    InsideProvince = 3,
    /// <summary>县内.</summary>
    InsideCounty = 4,
}

/// <summary>Natural changes of members (自然变更) and the household changes that move members.</summary>
public enum MemberChangeKind
{
    /// <summary>出生: a member is added.</summary>
    Birth = 1,
    /// <summary>死亡: a member leaves.</summary>
    Death = 2,
    /// <summary>婚入: a member is added.</summary>
    MarriageIn = 3,
    /// <summary>婚出: a member leaves.</summary>
    MarriageOut = 4,
    /// <summary>分户: a member leaves for a new household split from this one.</summary>
    SplitOut = 5,
    /// <summary>分户: a member arrives in a household split from another.</summary>
    SplitIn = 6,
    /// <summary>合户: a member leaves a household merged into another.</summary>
    MergeOut = 7,
    /// <summary>合户: a member arrives from a merged household.</summary>
    MergeIn = 8,
    /// <summary>A correction or update of a member's facts (before/after kept).</summary>
    Corrected = 9,
}

/// <summary>Where an identification case came from (信息来源, DOMAIN.md §5).</summary>
public enum CaseSource
{
    /// <summary>农户自主申请 (also by phone or QR form).</summary>
    SelfApplication = 1,
    /// <summary>村干部排查.</summary>
    CadreScreening = 2,
    /// <summary>部门筛查预警.</summary>
    DepartmentAlert = 3,
    /// <summary>信访 / 12345.</summary>
    Petition = 4,
    /// <summary>Signals detected by the monitoring service.</summary>
    SystemSignal = 5,
}

/// <summary>State of an identification case: the step it waits for, or how it ended.</summary>
public enum IdentificationState
{
    /// <summary>入户核实 is due.</summary>
    AwaitingHomeVerification = 1,
    /// <summary>民主评议 is due.</summary>
    AwaitingDemocraticAppraisal = 2,
    /// <summary>信息比对 is due.</summary>
    AwaitingDataComparison = 3,
    /// <summary>村级公示 is to be published.</summary>
    AwaitingPublicNotice = 4,
    /// <summary>The notice runs; entry is possible once it has ended without objection.</summary>
    UnderPublicNotice = 5,
    /// <summary>录入 is due.</summary>
    AwaitingEntry = 6,
    /// <summary>Entered: the household is monitored.</summary>
    Entered = 7,
    /// <summary>Rejected with a written notice (书面告知).</summary>
    Rejected = 8,
}

/// <summary>State of a closing case (风险消除).</summary>
public enum ClosingState
{
    /// <summary>民主评议 is due.</summary>
    AwaitingDemocraticAppraisal = 1,
    /// <summary>乡镇审核 is due.</summary>
    AwaitingTownshipReview = 2,
    /// <summary>村级公示 is to be published.</summary>
    AwaitingPublicNotice = 3,
    /// <summary>The notice runs.</summary>
    UnderPublicNotice = 4,
    /// <summary>The county is to mark the risk eliminated.</summary>
    AwaitingElimination = 5,
    /// <summary>标注"致贫风险消除": done; the household stays under watch.</summary>
    RiskEliminated = 6,
    /// <summary>Not closed: measures have not worked yet; the household stays monitored.</summary>
    Rejected = 7,
}

/// <summary>Where a closing case came from.</summary>
public enum ClosingSource
{
    /// <summary>The county's periodic assessment.</summary>
    Assessment = 1,
    /// <summary>The monitoring service proposed it (RiskEliminationProposed).</summary>
    SystemProposal = 2,
}

/// <summary>Outcome of a democratic appraisal or review.</summary>
public enum AppraisalResult
{
    /// <summary>Passed.</summary>
    Approved = 1,
    /// <summary>Not passed.</summary>
    NotApproved = 2,
}

/// <summary>Sets of risk types stored as a bit mask (bit n-1 for value n): one integer column, indexable and cheap to count.</summary>
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
