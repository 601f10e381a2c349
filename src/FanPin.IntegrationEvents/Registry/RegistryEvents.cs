namespace FanPin.IntegrationEvents;

/// <summary>A household was entered in the registry (建档).</summary>
public sealed record HouseholdRegistered : IntegrationEvent
{
    /// <summary>Household category: "PovertyAlleviated" or "Ordinary".</summary>
    public required string Category { get; init; }

    /// <summary>Number of members at registration.</summary>
    public required int MemberCount { get; init; }
}

/// <summary>Household data changed; consumers re-read what they need through the registry's gRPC API.</summary>
public sealed record HouseholdChanged : IntegrationEvent
{
    /// <summary>Names of the changed fields (e.g. "Category", "AssistanceFlags", "Helper").</summary>
    public required IReadOnlyList<string> ChangedFields { get; init; }

    /// <summary>The household's version after the change (optimistic concurrency token).</summary>
    public required long Version { get; init; }
}

/// <summary>A member was added, changed or removed (自然变更 included).</summary>
public sealed record MemberChanged : IntegrationEvent
{
    public required Guid MemberId { get; init; }

    /// <summary>"Added", "Changed", "Born", "Died", "MarriedIn", "MarriedOut", "MovedOut".</summary>
    public required string ChangeKind { get; init; }

    public required IReadOnlyList<string> ChangedFields { get; init; }
}

/// <summary>An identification case (认定) was opened for a household.</summary>
public sealed record IdentificationCaseOpened : IntegrationEvent
{
    public required Guid CaseId { get; init; }

    /// <summary>Where the information came from: "Application", "CadreScreening", "DepartmentAlert", "Petition", "SystemSignal".</summary>
    public required string Source { get; init; }
}

/// <summary>An identification case moved to its next step (核实—评议—比对—公示—录入).</summary>
public sealed record IdentificationCaseAdvanced : IntegrationEvent
{
    public required Guid CaseId { get; init; }

    public required string FromStep { get; init; }

    public required string ToStep { get; init; }
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

    /// <summary>The step that rejected it (e.g. "HomeVerification", "DataComparison").</summary>
    public required string Step { get; init; }

    /// <summary>Reason code (e.g. "IncomeAboveLine", "ExclusionHighEndCar").</summary>
    public required string ReasonCode { get; init; }
}

/// <summary>A closing case (风险消除) was opened for a monitored household.</summary>
public sealed record ClosingCaseOpened : IntegrationEvent
{
    public required Guid CaseId { get; init; }
}

/// <summary>The county marked the household's risk as eliminated (标注"致贫风险消除"); it stays under watch.</summary>
[PublicEvent("household", "risk-eliminated")]
public sealed record RiskEliminated : IntegrationEvent
{
    public required Guid CaseId { get; init; }
}
