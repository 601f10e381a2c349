using FanPin.Policies;

namespace FanPin.Registry.Domain;

/// <summary>
/// A protected ID number: the AES-GCM ciphertext, the keyed hash (HMAC) that finds it and keeps it unique,
/// and the masked form answers show. The plain value never reaches the database.
/// </summary>
public sealed record ProtectedIdNumber(byte[] Cipher, byte[] Hash, string Masked, DateOnly BirthDate, Sex Sex);

/// <summary>The facts of a member a caller may set (everything but identity and membership dates).</summary>
public sealed record MemberFacts(
    string Name,
    Relation Relation,
    LabourAbility LabourAbility,
    HealthCondition Health,
    int? DisabilityGrade,
    SchoolingStage Schooling,
    EmploymentLocation EmploymentLocation,
    int EmploymentMonths,
    bool MedicalInsured,
    bool PensionInsured);

/// <summary>A member of a household (家庭成员). Leaving sets <see cref="LeftOn"/>: rows are never deleted.</summary>
public sealed class Member
{
    private Member()
    {
    }

    internal Member(Guid id, Guid householdId, ProtectedIdNumber idNumber, MemberFacts facts, DateOnly joinedOn, MemberChangeKind? joinedBy)
    {
        Id = id;
        HouseholdId = householdId;
        IdNumberCipher = idNumber.Cipher;
        IdNumberHash = idNumber.Hash;
        IdNumberMasked = idNumber.Masked;
        BirthDate = idNumber.BirthDate;
        Sex = idNumber.Sex;
        JoinedOn = joinedOn;
        JoinedBy = joinedBy;
        Apply(facts);
    }

    /// <summary>Identifier.</summary>
    public Guid Id { get; private set; }

    /// <summary>The household the member belongs (or belonged) to.</summary>
    public Guid HouseholdId { get; private set; }

    /// <summary>Name.</summary>
    public string Name { get; private set; } = "";

    /// <summary>AES-GCM ciphertext of the ID number.</summary>
    public byte[] IdNumberCipher { get; private set; } = [];

    /// <summary>HMAC of the ID number: lookup and uniqueness.</summary>
    public byte[] IdNumberHash { get; private set; } = [];

    /// <summary>Masked ID number as answers show it.</summary>
    public string IdNumberMasked { get; private set; } = "";

    /// <summary>Derived from the ID number.</summary>
    public DateOnly BirthDate { get; private set; }

    /// <summary>Derived from the ID number.</summary>
    public Sex Sex { get; private set; }

    /// <summary>Relation to the head.</summary>
    public Relation Relation { get; private set; }

    /// <summary>Labour ability.</summary>
    public LabourAbility LabourAbility { get; private set; }

    /// <summary>Health.</summary>
    public HealthCondition Health { get; private set; }

    /// <summary>Disability grade 1–4 when <see cref="Health"/> is <see cref="HealthCondition.Disability"/>.</summary>
    public int? DisabilityGrade { get; private set; }

    /// <summary>Schooling stage.</summary>
    public SchoolingStage Schooling { get; private set; }

    /// <summary>Where the member works.</summary>
    public EmploymentLocation EmploymentLocation { get; private set; }

    /// <summary>Months a year in work.</summary>
    public int EmploymentMonths { get; private set; }

    /// <summary>In basic medical insurance (医保参保).</summary>
    public bool MedicalInsured { get; private set; }

    /// <summary>In pension insurance (养老保险).</summary>
    public bool PensionInsured { get; private set; }

    /// <summary>Since when the member belongs to the household.</summary>
    public DateOnly JoinedOn { get; private set; }

    /// <summary>How the member joined (null: registered with the household).</summary>
    public MemberChangeKind? JoinedBy { get; private set; }

    /// <summary>When the member left (death, marriage out, split, merge); null while a member.</summary>
    public DateOnly? LeftOn { get; private set; }

    /// <summary>Why the member left.</summary>
    public MemberChangeKind? LeftBy { get; private set; }

    /// <summary>The protected ID number, to carry the member into another household (split, merge).</summary>
    public ProtectedIdNumber ProtectedIdNumber => new(IdNumberCipher, IdNumberHash, IdNumberMasked, BirthDate, Sex);

    /// <summary>True while the member belongs to the household.</summary>
    public bool IsCurrent => LeftOn is null;

    /// <summary>The current facts.</summary>
    public MemberFacts Facts => new(Name, Relation, LabourAbility, Health, DisabilityGrade, Schooling, EmploymentLocation, EmploymentMonths, MedicalInsured, PensionInsured);

    internal void Apply(MemberFacts facts)
    {
        Name = facts.Name;
        Relation = facts.Relation;
        LabourAbility = facts.LabourAbility;
        Health = facts.Health;
        DisabilityGrade = facts.DisabilityGrade;
        Schooling = facts.Schooling;
        EmploymentLocation = facts.EmploymentLocation;
        EmploymentMonths = facts.EmploymentMonths;
        MedicalInsured = facts.MedicalInsured;
        PensionInsured = facts.PensionInsured;
    }

    internal void Leave(DateOnly on, MemberChangeKind kind)
    {
        LeftOn = on;
        LeftBy = kind;
    }

    internal void BecomeHead() => Relation = Relation.Head;
}

/// <summary>One dated member change (自然变更 and corrections): kept for ever, never overwritten.</summary>
public sealed class MemberChange
{
    private MemberChange()
    {
    }

    internal MemberChange(Guid householdId, Guid memberId, MemberChangeKind kind, DateOnly effectiveOn, DateTimeOffset recordedAt, string recordedBy, Guid? otherHouseholdId, string? details)
    {
        HouseholdId = householdId;
        MemberId = memberId;
        Kind = kind;
        EffectiveOn = effectiveOn;
        RecordedAt = recordedAt;
        RecordedBy = recordedBy;
        OtherHouseholdId = otherHouseholdId;
        Details = details;
    }

    /// <summary>Sequence number.</summary>
    public long Id { get; private set; }

    /// <summary>The household whose history this is.</summary>
    public Guid HouseholdId { get; private set; }

    /// <summary>The member.</summary>
    public Guid MemberId { get; private set; }

    /// <summary>What happened.</summary>
    public MemberChangeKind Kind { get; private set; }

    /// <summary>When it took effect (a birth date, a date of death, ...).</summary>
    public DateOnly EffectiveOn { get; private set; }

    /// <summary>When it was recorded.</summary>
    public DateTimeOffset RecordedAt { get; private set; }

    /// <summary>Who recorded it.</summary>
    public string RecordedBy { get; private set; } = "";

    /// <summary>For splits and merges: the other household.</summary>
    public Guid? OtherHouseholdId { get; private set; }

    /// <summary>For corrections: the facts before and after, as JSON.</summary>
    public string? Details { get; private set; }
}
