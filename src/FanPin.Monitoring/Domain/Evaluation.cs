namespace FanPin.Monitoring.Domain;

/// <summary>
/// The last evaluation of a household: what was found and its fingerprint. A new evaluation whose fingerprint
/// equals this one changed nothing and announces nothing.
/// </summary>
public sealed class StoredEvaluation
{
    /// <summary>The household.</summary>
    public Guid HouseholdId { get; set; }

    /// <summary>When evaluated.</summary>
    public DateTimeOffset EvaluatedAt { get; set; }

    /// <summary>First day of the reference month.</summary>
    public DateOnly ReferenceMonth { get; set; }

    /// <summary>Province of the policy.</summary>
    public string PolicyProvince { get; set; } = "";

    /// <summary>Version of the policy.</summary>
    public int PolicyVersion { get; set; }

    /// <summary>Fingerprint of the findings.</summary>
    public byte[] Fingerprint { get; set; } = [];

    /// <summary>Number of signals.</summary>
    public int SignalCount { get; set; }

    /// <summary>Codes of the signals, ordered.</summary>
    public string[] SignalCodes { get; set; } = [];

    /// <summary>Whether there were signals or exclusion facts.</summary>
    public bool HasFindings { get; set; }

    /// <summary>The evaluation as JSON (summary, signals, gaps, exclusions, labour abilities).</summary>
    public string Payload { get; set; } = "{}";
}

/// <summary>
/// One change of a household's findings, in order (the durable log WatchSignals replays from its cursor).
/// </summary>
public sealed class SignalChange
{
    /// <summary>Sequence number (the resume cursor).</summary>
    public long Sequence { get; set; }

    /// <summary>The event id of the RiskSignalsDetected it was announced with.</summary>
    public Guid EventId { get; set; }

    /// <summary>The household.</summary>
    public Guid HouseholdId { get; set; }

    /// <summary>Its village (subscriptions filter by prefix).</summary>
    public string RegionCode { get; set; } = "";

    /// <summary>When evaluated.</summary>
    public DateTimeOffset OccurredAt { get; set; }

    /// <summary>The evaluation as JSON.</summary>
    public string Payload { get; set; } = "{}";
}
