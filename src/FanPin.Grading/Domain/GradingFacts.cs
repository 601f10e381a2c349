using FanPin.Policies;

namespace FanPin.Grading.Domain;

/// <summary>
/// What grading knows about one household, as the pure grading function reads it: the registry's part
/// (category, monitoring status, risk types, members' labour) and monitoring's part (the latest risk signals,
/// reduced to <see cref="SignalMeasurements"/>). Stored per household as <see cref="HouseholdFacts"/>.
/// </summary>
public sealed record GradingFacts
{
    /// <summary>The household.</summary>
    public required Guid HouseholdId { get; init; }

    /// <summary>Its village's 12-digit code.</summary>
    public required string RegionCode { get; init; }

    /// <summary>Household category (some thresholds differ by category).</summary>
    public HouseholdCategory Category { get; init; } = HouseholdCategory.Ordinary;

    /// <summary>Monitoring status; <see cref="MonitoringStatus.RiskEliminated"/> clears the grade.</summary>
    public MonitoringStatus Status { get; init; } = MonitoringStatus.NotMonitored;

    /// <summary>Dissolved (merged into another household): never graded.</summary>
    public bool Dissolved { get; init; }

    /// <summary>The registry's risk types.</summary>
    public IReadOnlyList<RiskType> RiskTypes { get; init; } = [];

    /// <summary>Members' labour abilities.</summary>
    public LabourProfile Labour { get; init; } = LabourProfile.Empty;

    /// <summary>Monitoring's latest signals.</summary>
    public SignalMeasurements Signals { get; init; } = SignalMeasurements.None;
}

/// <summary>How many members have each labour ability (劳动能力).</summary>
public sealed record LabourProfile(int Full, int Partial, int Lost, int None)
{
    /// <summary>No members known.</summary>
    public static LabourProfile Empty { get; } = new(0, 0, 0, 0);

    /// <summary>The profile of a list of members' abilities.</summary>
    public static LabourProfile Of(IEnumerable<LabourAbility> abilities)
    {
        int full = 0, partial = 0, lost = 0, none = 0;
        foreach (var ability in abilities)
        {
            switch (ability)
            {
                case LabourAbility.Full: full++; break;
                case LabourAbility.Partial: partial++; break;
                case LabourAbility.Lost: lost++; break;
                default: none++; break;
            }
        }
        return new LabourProfile(full, partial, lost, none);
    }

    /// <summary>Number of members.</summary>
    public int Members => Full + Partial + Lost + None;

    /// <summary>
    /// The household's labour capacity: the strongest ability any member has, where members without labour
    /// by age (None: minors, elderly, students) count only when nobody else is there. So a household whose
    /// only adult lost labour ability and whose other members are children is "complete loss of labour"
    /// (grade I), and one of elderly members only is "no labour force" (grade II). Null without members.
    /// </summary>
    public LabourAbility? Capacity =>
        Full > 0 ? LabourAbility.Full
        : Partial > 0 ? LabourAbility.Partial
        : Lost > 0 ? LabourAbility.Lost
        : None > 0 ? LabourAbility.None
        : null;
}
