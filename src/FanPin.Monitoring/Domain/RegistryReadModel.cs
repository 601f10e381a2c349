using FanPin.Policies;

namespace FanPin.Monitoring.Domain;

/// <summary>
/// A household as monitoring knows it from the registry's events (read model): where it is, its category and
/// status. Monitoring never changes these facts; it applies what the registry announces.
/// </summary>
public sealed class KnownHousehold
{
    /// <summary>The registry's household id.</summary>
    public Guid Id { get; set; }

    /// <summary>12-digit village code.</summary>
    public string RegionCode { get; set; } = "";

    /// <summary>Category; null until the registry has told it (a member event may arrive first).</summary>
    public HouseholdCategory? Category { get; set; }

    /// <summary>Monitoring status; null until told.</summary>
    public HouseholdStatus? Status { get; set; }

    /// <summary>Last change applied.</summary>
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// A member of a household as monitoring knows it: the keyed hash of the ID number (feeds are matched on it),
/// membership dates (the per-capita denominator) and labour ability (carried to grading). Former members stay.
/// </summary>
public sealed class KnownMember
{
    /// <summary>The registry's member id.</summary>
    public Guid Id { get; set; }

    /// <summary>The household.</summary>
    public Guid HouseholdId { get; set; }

    /// <summary>HMAC-SHA256 of the normalised 18-character ID number under the shared key.</summary>
    public byte[] IdHash { get; set; } = [];

    /// <summary>Since when; null when registered with the household.</summary>
    public DateOnly? JoinedOn { get; set; }

    /// <summary>When the member left; null while a member.</summary>
    public DateOnly? LeftOn { get; set; }

    /// <summary>Labour ability, when told.</summary>
    public LabourAbility? LabourAbility { get; set; }

    /// <summary>Last change applied.</summary>
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The membership span.</summary>
    public MemberSpan Span => new(JoinedOn, LeftOn, LabourAbility);
}
