namespace FanPin.IntegrationEvents;

/// <summary>
/// A current member as the registry announces it (internal bus only, never on the public exchange). The ID number
/// itself never leaves the registry; <see cref="IdNumberHash"/> lets monitoring match department feeds.
/// </summary>
public sealed record RegistryMember
{
    /// <summary>The registry's member id.</summary>
    public required Guid MemberId { get; init; }

    /// <summary>
    /// HMAC-SHA256 of the normalised 18-character ID number (ASCII, upper-case check character) under the shared key
    /// <c>Registry:IdNumbers:HashKey</c>, as 64 lower-case hex digits: the registry's <c>members.id_number_hash</c>.
    /// </summary>
    public required string IdNumberHash { get; init; }

    /// <summary>"Head", "Spouse", "Child", "Parent", "Grandchild", "Other".</summary>
    public required string Relation { get; init; }

    /// <summary>"Full", "Partial", "Lost", "None" (劳动能力).</summary>
    public required string LabourAbility { get; init; }

    /// <summary>"Healthy", "Chronic", "SeriousIllness", "Disability".</summary>
    public required string Health { get; init; }

    /// <summary>Disability grade 1–4, with health "Disability".</summary>
    public int? DisabilityGrade { get; init; }

    /// <summary>"NotInSchool", "Preschool", "Compulsory", "SeniorHigh", "Vocational", "University", "Dropout".</summary>
    public required string Schooling { get; init; }

    /// <summary>Birth date (from the ID number), for ages: school age, working age, elderly.</summary>
    public required DateOnly BirthDate { get; init; }

    /// <summary>In basic medical insurance (医保参保).</summary>
    public required bool MedicalInsured { get; init; }

    /// <summary>In pension insurance.</summary>
    public required bool PensionInsured { get; init; }
}

/// <summary>
/// The household as it stands once the registry's transaction commits: what monitoring and grading keep of it.
/// Every event of one transaction carries the same snapshot and <see cref="Version"/>.
/// </summary>
public sealed record HouseholdSnapshot
{
    /// <summary>The household's revision after the change; strictly increasing per household (newer wins).</summary>
    public required long Version { get; init; }

    /// <summary>"PovertyAlleviated" or "Ordinary".</summary>
    public required string Category { get; init; }

    /// <summary>低保.</summary>
    public required bool MinimumLivingGuarantee { get; init; }

    /// <summary>特困供养.</summary>
    public required bool ExtremePovertySupport { get; init; }

    /// <summary>"NotMonitored", "Candidate", "Monitored", "RiskEliminated".</summary>
    public required string Status { get; init; }

    /// <summary>"UnstablePostPoverty", "MarginalAtRisk", "SuddenSevereHardship"; null until identified.</summary>
    public string? MonitoringType { get; init; }

    /// <summary>Risk type codes (e.g. "Illness", "HousingSafety").</summary>
    public required IReadOnlyList<string> RiskTypes { get; init; }

    /// <summary>Current members.</summary>
    public required int MemberCount { get; init; }

    /// <summary>The current members.</summary>
    public required IReadOnlyList<RegistryMember> Members { get; init; }

    /// <summary>True once the household has no members left or was merged into another.</summary>
    public required bool Dissolved { get; init; }

    /// <summary>The household it was merged into.</summary>
    public Guid? MergedIntoId { get; init; }
}

/// <summary>A household was entered in the registry (建档): created, imported, or split off another.</summary>
public sealed record HouseholdRegistered : IntegrationEvent
{
    /// <summary>Household category: "PovertyAlleviated" or "Ordinary".</summary>
    public required string Category { get; init; }

    /// <summary>Number of members at registration.</summary>
    public required int MemberCount { get; init; }

    /// <summary>How it came: "create", "import:&lt;batch id&gt;", "split:&lt;household id&gt;".</summary>
    public string? Origin { get; init; }

    /// <summary>The household with its members (the registry always sets it).</summary>
    public HouseholdSnapshot? Household { get; init; }
}

/// <summary>Household data changed (facts, status, monitoring type, risk types, helper, merge).</summary>
public sealed record HouseholdChanged : IntegrationEvent
{
    /// <summary>Names of the changed fields, as in the registry's proto ("category", "status", "risk_types", "helper", "merged_into").</summary>
    public required IReadOnlyList<string> ChangedFields { get; init; }

    /// <summary>The household's version after the change (<see cref="HouseholdSnapshot.Version"/>).</summary>
    public required long Version { get; init; }

    /// <summary>The household after the change (the registry always sets it).</summary>
    public HouseholdSnapshot? Household { get; init; }
}

/// <summary>A member joined, left, or had facts corrected (自然变更, splits and merges included); dated, kept as history.</summary>
public sealed record MemberChanged : IntegrationEvent
{
    public required Guid MemberId { get; init; }

    /// <summary>"Born", "Died", "MarriedIn", "MarriedOut", "MovedIn" (split or merge), "MovedOut" (split or merge), "Changed" (facts corrected).</summary>
    public required string ChangeKind { get; init; }

    /// <summary>For "Changed": the corrected facts ("LabourAbility", "Health", ...); empty for joins and departures.</summary>
    public required IReadOnlyList<string> ChangedFields { get; init; }

    /// <summary>The registry's own kind: "Birth", "Death", "MarriageIn", "MarriageOut", "SplitIn", "SplitOut", "MergeIn", "MergeOut", "Corrected".</summary>
    public string? RegistryKind { get; init; }

    /// <summary>When it took effect (a birth: the birth date).</summary>
    public DateOnly? EffectiveOn { get; init; }

    /// <summary>For splits and merges: the household on the other side.</summary>
    public Guid? OtherHouseholdId { get; init; }

    /// <summary>The member concerned, with its facts after the change (also when it left).</summary>
    public RegistryMember? Member { get; init; }

    /// <summary>The household after the change (the registry always sets it).</summary>
    public HouseholdSnapshot? Household { get; init; }
}

/// <summary>An identification case (认定) was opened for a household; the household is a candidate.</summary>
public sealed record IdentificationCaseOpened : IntegrationEvent
{
    public required Guid CaseId { get; init; }

    /// <summary>Where the information came from: "SelfApplication", "CadreScreening", "DepartmentAlert", "Petition", "SystemSignal".</summary>
    public required string Source { get; init; }

    /// <summary>The first step due, e.g. "AwaitingHomeVerification".</summary>
    public string? State { get; init; }

    /// <summary>Province of the policy the case runs under ("00": national default).</summary>
    public string? PolicyProvince { get; init; }

    /// <summary>Version of that policy.</summary>
    public int? PolicyVersion { get; init; }

    /// <summary>Home verification due (working days counted by the policy's calendar).</summary>
    public DateOnly? VerificationDueOn { get; init; }

    /// <summary>Decision due.</summary>
    public DateOnly? DecisionDueOn { get; init; }
}

/// <summary>An identification case moved to its next step (核实—评议—比对—公示—录入), or an objection reopened it.</summary>
public sealed record IdentificationCaseAdvanced : IntegrationEvent
{
    public required Guid CaseId { get; init; }

    /// <summary>The state left, e.g. "AwaitingHomeVerification".</summary>
    public required string FromStep { get; init; }

    /// <summary>The state reached, e.g. "AwaitingDemocraticAppraisal", "Entered".</summary>
    public required string ToStep { get; init; }

    /// <summary>What was done: "record_home_verification", "record_objection", "enter", ...</summary>
    public string? Action { get; init; }
}

/// <summary>The county entered the household as monitored (录入).</summary>
[PublicEvent("household", "identified")]
public sealed record HouseholdIdentified : IntegrationEvent
{
    public required Guid CaseId { get; init; }

    /// <summary>"UnstablePostPoverty", "MarginalAtRisk" or "SuddenSevereHardship".</summary>
    public required string MonitoringType { get; init; }

    /// <summary>Risk type codes (e.g. "Illness", "Disability", "HousingSafety").</summary>
    public required IReadOnlyList<string> RiskTypes { get; init; }
}

/// <summary>An identification case ended without identification; the applicant is told in writing.</summary>
public sealed record IdentificationRejected : IntegrationEvent
{
    public required Guid CaseId { get; init; }

    /// <summary>The state it was rejected at (e.g. "AwaitingHomeVerification", "AwaitingDataComparison").</summary>
    public required string Step { get; init; }

    /// <summary>"StandardNotMet" (home verification), "AppraisalNotApproved", "Excluded" (data comparison), "Rejected" (by the step's office).</summary>
    public required string ReasonCode { get; init; }

    /// <summary>The written-notice reason (书面告知) as recorded.</summary>
    public string? Reason { get; init; }
}

/// <summary>A closing case (风险消除) was opened for a monitored household.</summary>
public sealed record ClosingCaseOpened : IntegrationEvent
{
    public required Guid CaseId { get; init; }

    /// <summary>"Assessment" (the county's) or "SystemProposal" (from monitoring's RiskEliminationProposed).</summary>
    public string? Source { get; init; }

    /// <summary>The first step due, e.g. "AwaitingDemocraticAppraisal".</summary>
    public string? State { get; init; }
}

/// <summary>A closing case moved to its next step (appraisal, township review, notice).</summary>
public sealed record ClosingCaseAdvanced : IntegrationEvent
{
    public required Guid CaseId { get; init; }

    /// <summary>The state left, e.g. "AwaitingDemocraticAppraisal".</summary>
    public required string FromStep { get; init; }

    /// <summary>The state reached, e.g. "AwaitingTownshipReview", "RiskEliminated".</summary>
    public required string ToStep { get; init; }

    /// <summary>What was done: "record_appraisal", "publish_notice", "eliminate", ...</summary>
    public string? Action { get; init; }
}

/// <summary>A closing case ended without closing (not approved, objection, or ended by the step's office); the household stays monitored.</summary>
public sealed record ClosingRejected : IntegrationEvent
{
    public required Guid CaseId { get; init; }

    /// <summary>The state it ended at.</summary>
    public required string Step { get; init; }

    /// <summary>Why, as recorded.</summary>
    public required string Reason { get; init; }
}

/// <summary>The county marked the household's risk as eliminated (标注"致贫风险消除"); it stays under watch.</summary>
[PublicEvent("household", "risk-eliminated")]
public sealed record RiskEliminated : IntegrationEvent
{
    public required Guid CaseId { get; init; }

    /// <summary>The day it was marked.</summary>
    public DateOnly? EliminatedOn { get; init; }
}
