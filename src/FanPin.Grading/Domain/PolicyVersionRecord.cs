namespace FanPin.Grading.Domain;

/// <summary>
/// A published province policy version as stored (<c>policy_versions</c>): the complete document
/// (<c>PolicyDocument.ToYaml</c>, so a later change of the built-in default never changes it) and who published
/// it. Rows are never updated or deleted (a database trigger refuses it).
/// </summary>
public sealed class PolicyVersionRecord
{
    /// <summary>2-digit province.</summary>
    public string Province { get; set; } = "";

    /// <summary>Version number.</summary>
    public int Version { get; set; }

    /// <summary>First day in force.</summary>
    public DateOnly EffectiveFrom { get; set; }

    /// <summary>Title.</summary>
    public string Title { get; set; } = "";

    /// <summary>The complete document (YAML).</summary>
    public string Document { get; set; } = "";

    /// <summary>SHA-256 of the document (hex), to spot identical re-publications cheaply.</summary>
    public string Sha256 { get; set; } = "";

    /// <summary>When it was published.</summary>
    public DateTimeOffset PublishedAt { get; set; }

    /// <summary>Who published it (the caller's subject).</summary>
    public string PublishedBy { get; set; } = "";

    /// <summary>Global publication order: caches reload when it moves.</summary>
    public long PublicationOrder { get; set; }
}

/// <summary>
/// The policy version a province's grades were last bulk-computed with (<c>policy_regrades</c>). The re-grade
/// runner compares it with the version in force today, so a version published for a future date re-grades
/// when that date comes, and a re-grade interrupted midway runs again.
/// </summary>
public sealed class PolicyRegrade
{
    /// <summary>2-digit province.</summary>
    public string Province { get; set; } = "";

    /// <summary>The policy's own province ("00" when the built-in default applied).</summary>
    public string PolicyProvince { get; set; } = "";

    /// <summary>The version applied.</summary>
    public int PolicyVersion { get; set; }

    /// <summary>When the re-grade finished.</summary>
    public DateTimeOffset CompletedAt { get; set; }

    /// <summary>Households graded.</summary>
    public int Households { get; set; }

    /// <summary>Households whose grade changed.</summary>
    public int Changed { get; set; }
}
