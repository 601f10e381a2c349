namespace FanPin.Monitoring.Domain;

/// <summary>
/// One monthly amount of a household: income of a category, a productive cost or a rigid cost. Records are
/// never edited: a correction is a new version that supersedes the current one (<see cref="Correct"/>), so
/// every figure a signal was computed from stays on file.
/// </summary>
public sealed class MonthlyRecord
{
    private MonthlyRecord()
    {
    }

    /// <summary>Identifier (UUIDv7; records written by a feed merge get theirs from the database).</summary>
    public Guid Id { get; private set; }

    /// <summary>The household.</summary>
    public Guid HouseholdId { get; private set; }

    /// <summary>Category.</summary>
    public RecordCategory Category { get; private set; }

    /// <summary>First day of the month the amount belongs to.</summary>
    public DateOnly Month { get; private set; }

    /// <summary>Amount in fen, ≥ 0 (a loss of a business is recorded as a productive cost, not a negative income).</summary>
    public long AmountFen { get; private set; }

    /// <summary>Who provided it.</summary>
    public RecordSource Source { get; private set; }

    /// <summary>A reference (receipt, bill, visit, feed reference); "" when none.</summary>
    public string Reference { get; private set; } = "";

    /// <summary>The department, for feed records.</summary>
    public string? Department { get; private set; }

    /// <summary>Internal key of the feed, for feed records.</summary>
    public long? FeedKey { get; private set; }

    /// <summary>Row of the feed, for feed records.</summary>
    public int? FeedRow { get; private set; }

    /// <summary>Keyed hash of the member's ID number the feed named, for feed records.</summary>
    public byte[]? MemberIdHash { get; private set; }

    /// <summary>1 for a first record, +1 for each correction.</summary>
    public int Version { get; private set; }

    /// <summary>The version this one supersedes.</summary>
    public Guid? SupersedesId { get; private set; }

    /// <summary>The version that superseded this one; null while current.</summary>
    public Guid? SupersededById { get; private set; }

    /// <summary>When it was superseded.</summary>
    public DateTimeOffset? SupersededAt { get; private set; }

    /// <summary>Why the correction was made (on the correcting version).</summary>
    public string? CorrectionReason { get; private set; }

    /// <summary>When it was recorded.</summary>
    public DateTimeOffset RecordedAt { get; private set; }

    /// <summary>Who recorded it (token subject).</summary>
    public string RecordedBy { get; private set; } = "";

    /// <summary>True while not superseded.</summary>
    public bool IsCurrent => SupersededById is null;

    /// <summary>The kind of the category.</summary>
    public RecordKind Kind => RecordCategories.KindOf(Category);

    /// <summary>A first record entered by a cadre or for a farmer.</summary>
    public static MonthlyRecord Create(Guid householdId, RecordCategory category, YearMonth month, long amountFen, RecordSource source,
        string reference, DateTimeOffset now, string recordedBy) => new()
    {
        Id = Guid.CreateVersion7(now),
        HouseholdId = householdId,
        Category = category,
        Month = month.FirstDay,
        AmountFen = amountFen,
        Source = source,
        Reference = reference,
        Version = 1,
        RecordedAt = now,
        RecordedBy = recordedBy,
    };

    /// <summary>
    /// The correcting version: same household, the given values, version + 1, pointing back to this one; this
    /// one is marked superseded. The caller checks that this version is current.
    /// </summary>
    public MonthlyRecord Correct(RecordCategory category, YearMonth month, long amountFen, RecordSource source, string reference,
        string reason, DateTimeOffset now, string recordedBy)
    {
        var next = new MonthlyRecord
        {
            Id = Guid.CreateVersion7(now),
            HouseholdId = HouseholdId,
            Category = category,
            Month = month.FirstDay,
            AmountFen = amountFen,
            Source = source,
            Reference = reference,
            Department = Department,
            MemberIdHash = MemberIdHash,
            Version = Version + 1,
            SupersedesId = Id,
            CorrectionReason = reason,
            RecordedAt = now,
            RecordedBy = recordedBy,
        };
        SupersededById = next.Id;
        SupersededAt = now;
        return next;
    }
}
