using FanPin.Policies;

namespace FanPin.Grading.Domain;

/// <summary>
/// Grading's read model of one household (<c>household_facts</c>): what the registry and monitoring last told
/// about it, and its current grade. Each source's part is replaced whole by its latest snapshot (older snapshots
/// arriving late are ignored), so replays and out-of-order delivery converge to the same facts.
/// </summary>
public sealed class HouseholdFacts
{
    /// <summary>The household.</summary>
    public Guid HouseholdId { get; set; }

    /// <summary>Its village (12 digits).</summary>
    public string RegionCode { get; set; } = "";

    /// <summary>First two digits of the region code.</summary>
    public string Province { get; set; } = "";

    /// <summary>Household category.</summary>
    public HouseholdCategory Category { get; set; } = HouseholdCategory.Ordinary;

    /// <summary>Monitoring status.</summary>
    public MonitoringStatus Status { get; set; } = MonitoringStatus.NotMonitored;

    /// <summary>Monitoring type, when monitored.</summary>
    public MonitoringType? MonitoringType { get; set; }

    /// <summary>Risk types as a bit mask (<see cref="RiskTypeSet"/>).</summary>
    public int RiskTypeMask { get; set; }

    /// <summary>Dissolved (merged into another household).</summary>
    public bool Dissolved { get; set; }

    /// <summary>Members with full labour ability.</summary>
    public int MembersFull { get; set; }

    /// <summary>Members with partial labour ability.</summary>
    public int MembersPartial { get; set; }

    /// <summary>Members who lost labour ability.</summary>
    public int MembersLost { get; set; }

    /// <summary>Members without labour by age (minors, elderly, students).</summary>
    public int MembersNone { get; set; }

    /// <summary>The registry's household version of the last applied snapshot, when it sends one.</summary>
    public long? RegistryVersion { get; set; }

    /// <summary>When the last applied registry snapshot was taken; null until the registry has told anything.</summary>
    public DateTimeOffset? RegistryAsOf { get; set; }

    /// <summary>Signal codes of monitoring's latest evaluation.</summary>
    public List<string> SignalCodes { get; set; } = [];

    /// <summary>Monitoring's latest signals as received (JSON), kept to explain grades.</summary>
    public string Signals { get; set; } = "[]";

    /// <summary>Per-capita income, fen.</summary>
    public long? PerCapitaIncomeFen { get; set; }

    /// <summary>Income of the income window, fen.</summary>
    public long? LastYearIncomeFen { get; set; }

    /// <summary>Rigid expenditure, fen.</summary>
    public long? RigidExpenditureFen { get; set; }

    /// <summary>Share of income lost.</summary>
    public decimal? IncomeDropShare { get; set; }

    /// <summary>Share of income from transfers and dividends.</summary>
    public decimal? TransferIncomeShare { get; set; }

    /// <summary>Income unstable.</summary>
    public bool IncomeUnstable { get; set; }

    /// <summary>The policy version monitoring's rules came from (as it reports it).</summary>
    public string? SignalsPolicyVersion { get; set; }

    /// <summary>When monitoring's latest evaluation happened; null until monitoring has told anything.</summary>
    public DateTimeOffset? SignalsAsOf { get; set; }

    /// <summary>Current grade; null: none.</summary>
    public WarningGrade? Grade { get; set; }

    /// <summary>The rule behind the current grade (or the <c>none.*</c> rule).</summary>
    public string? GradeRuleId { get; set; }

    /// <summary>Incremented on every grade change, under the row lock: orders Redis projection updates.</summary>
    public long GradeVersion { get; set; }

    /// <summary>When the grade last changed.</summary>
    public DateTimeOffset? GradedAt { get; set; }

    /// <summary>The open warning, if any.</summary>
    public Guid? OpenWarningId { get; set; }

    /// <summary>Last change of any part.</summary>
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>What the grading function reads.</summary>
    public GradingFacts ToGradingFacts() => new()
    {
        HouseholdId = HouseholdId,
        RegionCode = RegionCode,
        Category = Category,
        Status = Status,
        Dissolved = Dissolved,
        RiskTypes = RiskTypeSet.FromMask(RiskTypeMask),
        Labour = new LabourProfile(MembersFull, MembersPartial, MembersLost, MembersNone),
        Signals = new SignalMeasurements
        {
            Codes = [.. SignalCodes.Order(StringComparer.Ordinal)],
            PerCapitaIncomeFen = PerCapitaIncomeFen,
            LastYearIncomeFen = LastYearIncomeFen,
            RigidExpenditureFen = RigidExpenditureFen,
            IncomeDropShare = IncomeDropShare,
            TransferIncomeShare = TransferIncomeShare,
            IncomeUnstable = IncomeUnstable,
        },
    };

    /// <summary>
    /// True when a registry snapshot of <paramref name="version"/> taken at <paramref name="asOf"/> is older than
    /// the one applied: by the registry's household version when both have one, else by time.
    /// </summary>
    public bool IsStaleRegistrySnapshot(long? version, DateTimeOffset asOf) =>
        version is { } v && RegistryVersion is { } stored ? v < stored : RegistryAsOf is { } at && asOf < at;

    /// <summary>True when monitoring's evaluation at <paramref name="asOf"/> is older than the one applied.</summary>
    public bool IsStaleSignals(DateTimeOffset asOf) => SignalsAsOf is { } at && asOf < at;

    /// <summary>Replaces monitoring's part.</summary>
    public void ApplySignals(SignalMeasurements measurements, string signalsJson, string? policyVersion, DateTimeOffset asOf)
    {
        SignalCodes = [.. measurements.Codes];
        Signals = signalsJson;
        PerCapitaIncomeFen = measurements.PerCapitaIncomeFen;
        LastYearIncomeFen = measurements.LastYearIncomeFen;
        RigidExpenditureFen = measurements.RigidExpenditureFen;
        IncomeDropShare = measurements.IncomeDropShare;
        TransferIncomeShare = measurements.TransferIncomeShare;
        IncomeUnstable = measurements.IncomeUnstable;
        SignalsPolicyVersion = policyVersion;
        SignalsAsOf = asOf;
    }
}

/// <summary>One change of a household's grade, with its reason (<c>grade_changes</c>): the household's grade history.</summary>
public sealed class GradeChange
{
    /// <summary>Order of recording.</summary>
    public long Id { get; set; }

    /// <summary>The household.</summary>
    public Guid HouseholdId { get; set; }

    /// <summary>Its village at the time.</summary>
    public string RegionCode { get; set; } = "";

    /// <summary>When.</summary>
    public DateTimeOffset At { get; set; }

    /// <summary>Grade before; null: none.</summary>
    public WarningGrade? FromGrade { get; set; }

    /// <summary>Grade after; null: none (cleared).</summary>
    public WarningGrade? ToGrade { get; set; }

    /// <summary>The deciding rule.</summary>
    public string RuleId { get; set; } = "";

    /// <summary>The full reason (JSON of <see cref="GradeReason"/>).</summary>
    public string Reason { get; set; } = "{}";

    /// <summary>Policy province.</summary>
    public string PolicyProvince { get; set; } = "";

    /// <summary>Policy version.</summary>
    public int PolicyVersion { get; set; }

    /// <summary>The warning raised, changed or cleared.</summary>
    public Guid? WarningId { get; set; }

    /// <summary>What caused the re-grade.</summary>
    public GradeCause Cause { get; set; }
}
