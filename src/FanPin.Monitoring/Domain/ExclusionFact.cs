using FanPin.Policies;

namespace FanPin.Monitoring.Domain;

/// <summary>
/// A fact from a department feed that may exclude a household from identification (原则上不纳入): a high-end
/// car, commercial housing, a company, a supporter able to support. The registry's data comparison reads them;
/// monitoring only records and forwards them.
/// </summary>
public sealed class ExclusionFact
{
    /// <summary>Identifier.</summary>
    public Guid Id { get; set; }

    /// <summary>The household.</summary>
    public Guid HouseholdId { get; set; }

    /// <summary>Which exclusion.</summary>
    public ExclusionKind Kind { get; set; }

    /// <summary>The department that reported it.</summary>
    public string Department { get; set; } = "";

    /// <summary>Keyed hash of the ID number the row named.</summary>
    public byte[] MemberIdHash { get; set; } = [];

    /// <summary>First day of the month reported for.</summary>
    public DateOnly Month { get; set; }

    /// <summary>Value, if given.</summary>
    public long? AmountFen { get; set; }

    /// <summary>The department's reference (plate, deed, company registration, supporter); "" when none.</summary>
    public string Reference { get; set; } = "";

    /// <summary>Internal key of the feed.</summary>
    public long FeedKey { get; set; }

    /// <summary>Row of the feed.</summary>
    public int FeedRow { get; set; }

    /// <summary>When it was recorded.</summary>
    public DateTimeOffset RecordedAt { get; set; }

    /// <summary>The view carried in evaluations.</summary>
    public ExclusionFactView View => new(Kind, Department, YearMonth.Of(Month), AmountFen, Reference);
}
