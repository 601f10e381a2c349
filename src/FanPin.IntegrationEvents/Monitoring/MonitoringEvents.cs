namespace FanPin.IntegrationEvents;

/// <summary>One rule that fired on a household's monitoring data, with what it looked at (so a grade can be explained).</summary>
public sealed record RiskSignal
{
    /// <summary>Signal code, e.g. "IncomeBelowLine", "MedicalCostAboveWarningLine", "DropoutInFamily".</summary>
    public required string Code { get; init; }

    /// <summary>The inputs the rule read, by name (e.g. "perCapitaIncome": 5800).</summary>
    public required IReadOnlyDictionary<string, decimal> Inputs { get; init; }

    /// <summary>The policy thresholds it compared them with, by name (e.g. "monitoringLine": 6500).</summary>
    public required IReadOnlyDictionary<string, decimal> Thresholds { get; init; }

    /// <summary>How the input is compared with the threshold: "greater_than", "at_least", "less_than", or "" for plain facts (guarantee gaps).</summary>
    public string? Comparison { get; init; }

    /// <summary>The province policy key of the threshold (e.g. "monitoring.warning_lines.medical_self_paid").</summary>
    public string? PolicyKey { get; init; }

    /// <summary>The rule in words, with the figures (for a county explaining a grade).</summary>
    public string? Explanation { get; init; }
}

/// <summary>An exclusion fact a department feed reported for a household (car, commercial housing, company, supporter).</summary>
public sealed record MonitoringExclusionFact
{
    /// <summary>"HighEndCar", "CommercialHousing", "Company", "PublicServantSupporter", ...</summary>
    public required string Kind { get; init; }

    /// <summary>The department that reported it.</summary>
    public required string Department { get; init; }

    /// <summary>The month it was reported for, "yyyy-MM".</summary>
    public required string Month { get; init; }

    /// <summary>Its value in fen, when the department gave one.</summary>
    public long? AmountFen { get; init; }

    /// <summary>The department's reference (plate, deed, registration number).</summary>
    public required string Reference { get; init; }
}

/// <summary>
/// Monitoring's evaluation of a household changed: <see cref="Signals"/> is the complete set of signals that fire
/// now; an EMPTY list means none fires any more (every earlier signal cleared). Once per household per evaluation
/// that changed something; never when nothing changed.
/// </summary>
public sealed record RiskSignalsDetected : IntegrationEvent
{
    /// <summary>The province policy version the rules came from ("&lt;province&gt; v&lt;version&gt;", e.g. "62 v3").</summary>
    public required string PolicyVersion { get; init; }

    /// <summary>The signals that fire now, ordered by code; empty when none fires any more.</summary>
    public required IReadOnlyList<RiskSignal> Signals { get; init; }

    /// <summary>Household category the thresholds were taken for ("PovertyAlleviated", "Ordinary").</summary>
    public string? Category { get; init; }

    /// <summary>Province of the policy applied ("00" for the built-in default).</summary>
    public string? PolicyProvince { get; init; }

    /// <summary>Labour abilities of the current members as the registry reported them ("Full", "Partial", "Lost", "None"), ordered.</summary>
    public IReadOnlyList<string>? LabourAbilities { get; init; }

    /// <summary>Signal codes of the previous evaluation (what cleared, what is new); empty for the first.</summary>
    public IReadOnlyList<string>? PreviousSignalCodes { get; init; }

    /// <summary>Guarantee gaps ("FoodAndClothing", "CompulsoryEducation", "MedicalInsurance", "HousingSafety", "DrinkingWater"); also present as signals.</summary>
    public IReadOnlyList<string>? GuaranteeGaps { get; init; }

    /// <summary>Exclusion facts from department feeds (for the registry's data comparison).</summary>
    public IReadOnlyList<MonitoringExclusionFact>? Exclusions { get; init; }

    /// <summary>Position in monitoring's signal change log (the WatchSignals cursor); increasing per household.</summary>
    public long? Sequence { get; init; }
}

/// <summary>A department's monthly feed did not arrive by its due date (region: the county expecting it).</summary>
public sealed record FeedOverdue : IntegrationEvent
{
    /// <summary>Department code, e.g. "CivilAffairs", "MedicalInsurance".</summary>
    public required string Department { get; init; }

    /// <summary>The period the feed covers, "yyyy-MM".</summary>
    public required string Period { get; init; }

    public required DateOnly DueDate { get; init; }

    /// <summary>When it arrived, for a feed that came after its due date; null while it is missing.</summary>
    public DateTimeOffset? ArrivedAt { get; init; }
}

/// <summary>A department feed arrived but looks wrong (row count collapse, duplicate batch, schema drift).</summary>
public sealed record FeedAnomaly : IntegrationEvent
{
    public required string Department { get; init; }

    public required string Period { get; init; }

    /// <summary>Anomaly kind, e.g. "RowCountDrop", "DuplicateBatch", "UnknownColumns".</summary>
    public required string Kind { get; init; }

    public required string Detail { get; init; }

    /// <summary>The department's feed id.</summary>
    public string? FeedId { get; init; }

    /// <summary>Rows of the feed.</summary>
    public int? RowCount { get; init; }

    /// <summary>Share of the valid rows that named a registered person (0–1).</summary>
    public decimal? MatchRate { get; init; }

    /// <summary>Share of the rows rejected as invalid (0–1).</summary>
    public decimal? ErrorRate { get; init; }
}
