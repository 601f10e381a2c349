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
}

/// <summary>Monitoring found one or more risk signals for a household.</summary>
public sealed record RiskSignalsDetected : IntegrationEvent
{
    /// <summary>The province policy version the rules came from.</summary>
    public required string PolicyVersion { get; init; }

    public required IReadOnlyList<RiskSignal> Signals { get; init; }
}

/// <summary>A department's monthly feed did not arrive by its due date (region: the county expecting it).</summary>
public sealed record FeedOverdue : IntegrationEvent
{
    /// <summary>Department code, e.g. "CivilAffairs", "MedicalInsurance".</summary>
    public required string Department { get; init; }

    /// <summary>The period the feed covers, "yyyy-MM".</summary>
    public required string Period { get; init; }

    public required DateOnly DueDate { get; init; }
}

/// <summary>A department feed arrived but looks wrong (row count collapse, duplicate batch, schema drift).</summary>
public sealed record FeedAnomaly : IntegrationEvent
{
    public required string Department { get; init; }

    public required string Period { get; init; }

    /// <summary>Anomaly kind, e.g. "RowCountDrop", "DuplicateBatch", "UnknownColumns".</summary>
    public required string Kind { get; init; }

    public required string Detail { get; init; }
}
