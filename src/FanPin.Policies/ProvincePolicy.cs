namespace FanPin.Policies;

/// <summary>
/// One published version of a province's policy (DOMAIN.md: "every number is a default of a province
/// policy, never a constant in code"). Amounts are in fen (1 CNY = 100 fen) so that no rounding happens in
/// comparisons. A version is immutable once published: a change is a new version with its own effective date.
/// </summary>
/// <param name="Province">The 2-digit province code ("62"), or "00" for the built-in national default.</param>
/// <param name="Version">Increasing version number within the province.</param>
/// <param name="EffectiveFrom">First day this version is in force.</param>
/// <param name="Title">A human description, e.g. the provincial document it implements.</param>
public sealed record ProvincePolicy(
    string Province,
    int Version,
    DateOnly EffectiveFrom,
    string Title,
    MonitoringPolicy Monitoring,
    GuaranteePolicy Guarantees,
    GradingPolicy Grading,
    IdentificationPolicy Identification,
    ClosingPolicy Closing,
    VisitPolicy Visits,
    DepartmentFeedPolicy DepartmentFeeds,
    NotificationPolicy Notification,
    InsurancePolicy Insurance,
    HolidayCalendar Calendar)
{
    /// <summary>Province code of the built-in default that applies where a province has published nothing.</summary>
    public const string NationalDefault = "00";

    // Cached with the calendar it was built from: a copy made with `with { Calendar = ... }` copies this
    // field too, and must not answer with the original's calendar.
    private (HolidayCalendar Source, WorkingDayCalendar Calendar)? _workingDays;

    /// <summary>The working-day calendar of this version (weekends and holidays skipped, 调休 days counted).</summary>
    public WorkingDayCalendar WorkingDays
    {
        get
        {
            if (_workingDays is { } cached && ReferenceEquals(cached.Source, Calendar))
            {
                return cached.Calendar;
            }
            var built = new WorkingDayCalendar(Calendar);
            _workingDays = (Calendar, built);
            return built;
        }
    }

    /// <summary>Deadline of a duration that starts on <paramref name="start"/>, in calendar or working days.</summary>
    public DateOnly DueDate(DateOnly start, int days, DayCounting counting) =>
        counting == DayCounting.Working ? WorkingDays.AddWorkingDays(start, days) : start.AddDays(days);

    /// <summary>Value equality ignores the cached calendar.</summary>
    public bool Equals(ProvincePolicy? other) =>
        other is not null
        && Province == other.Province && Version == other.Version && EffectiveFrom == other.EffectiveFrom && Title == other.Title
        && Monitoring == other.Monitoring && Guarantees == other.Guarantees && Grading == other.Grading
        && Identification == other.Identification && Closing == other.Closing && Visits == other.Visits
        && DepartmentFeeds == other.DepartmentFeeds && Notification == other.Notification && Insurance == other.Insurance
        && Calendar == other.Calendar;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Province, Version, EffectiveFrom, Monitoring, Identification, Closing, Calendar);
}

/// <summary>A value that may differ by household category (e.g. medical alert 5,000 vs 20,000).</summary>
public sealed record ByCategory<T>(T PovertyAlleviated, T Ordinary)
{
    /// <summary>The same value for both categories.</summary>
    public static ByCategory<T> Both(T value) => new(value, value);

    /// <summary>The value for <paramref name="category"/>.</summary>
    public T For(HouseholdCategory category) => category switch
    {
        HouseholdCategory.PovertyAlleviated => PovertyAlleviated,
        HouseholdCategory.Ordinary => Ordinary,
        _ => throw new ArgumentOutOfRangeException(nameof(category), category, "unknown household category"),
    };
}

/// <summary>A threshold with its comparison: "crossed" when the amount passes it.</summary>
public sealed record Threshold(Comparison Comparison, ByCategory<long> AmountFen)
{
    /// <summary>True when <paramref name="amountFen"/> crosses the threshold for the household's category.</summary>
    public bool IsCrossed(long amountFen, HouseholdCategory category) => Comparison switch
    {
        Comparison.AtLeast => amountFen >= AmountFen.For(category),
        _ => amountFen > AmountFen.For(category),
    };
}

/// <summary>A ratio threshold (rigid expenditure / income, income drop share).</summary>
public sealed record RatioThreshold(Comparison Comparison, decimal Ratio)
{
    /// <summary>True when <paramref name="value"/> crosses the ratio.</summary>
    public bool IsCrossed(decimal value) => Comparison == Comparison.AtLeast ? value >= Ratio : value > Ratio;
}

/// <summary>Monitoring standard and triggers (DOMAIN.md §4).</summary>
/// <param name="MonitoringLineFen">Per-capita annual disposable income line (监测线), fen.</param>
/// <param name="PovertyLineFen">The national poverty line the monitoring line is a multiple of (≈ line / 1.5), fen.</param>
/// <param name="IncomeWindow">Which 12 months of income count.</param>
/// <param name="RigidExpenditureToIncome">Rigid expenditure (illness, disability, schooling) over last year's income that "clearly exceeds" it.</param>
/// <param name="IncomeDrop">Share of income lost (disaster, accident) that counts as a sharp cut.</param>
/// <param name="IncomeDropMonths">
/// How many recent months are compared with the same months a year earlier to measure an income drop: short
/// enough that a disaster shows within a season, and compared with the same months so that a harvest season
/// is not mistaken for a drop.
/// </param>
/// <param name="AdmitAboveLineWithoutStableIncome">Whether a household above the line, without stable income and spending clearly above income, may be taken in.</param>
/// <param name="FullScreeningQuarter">Quarter of the year of the full cadre sweep (每年第四季度集中排查).</param>
/// <param name="WarningLines">Sudden-event warning lines (预警线).</param>
public sealed record MonitoringPolicy(
    long MonitoringLineFen,
    long PovertyLineFen,
    IncomeWindowRule IncomeWindow,
    RatioThreshold RigidExpenditureToIncome,
    RatioThreshold IncomeDrop,
    int IncomeDropMonths,
    bool AdmitAboveLineWithoutStableIncome,
    int FullScreeningQuarter,
    WarningLines WarningLines)
{
    /// <summary>
    /// Income counts as stable when at least this many months of the income window brought positive disposable
    /// income (key <c>monitoring.stable_income_min_months</c>, 1–12). Optional in documents, so versions published
    /// before the key existed still read the same; absent: stability is not judged, and the "above the line but not
    /// stable" rule (<see cref="AdmitAboveLineWithoutStableIncome"/>) does not fire.
    /// </summary>
    public int? StableIncomeMinMonths { get; init; }

    /// <summary>
    /// The income window for a household discovered in <paramref name="discovered"/>'s month: first day of the
    /// first month and last day of the last month (inclusive).
    /// </summary>
    public (DateOnly From, DateOnly To) IncomeWindowFor(DateOnly discovered)
    {
        var month = new DateOnly(discovered.Year, discovered.Month, 1);
        return IncomeWindow switch
        {
            IncomeWindowRule.PreviousCalendarYear => (new DateOnly(discovered.Year - 1, 1, 1), new DateOnly(discovered.Year - 1, 12, 31)),
            _ => (month.AddYears(-1), month.AddDays(-1)),
        };
    }
}

/// <summary>Warning lines for sudden events: crossing one puts the household under watch at once.</summary>
public sealed record WarningLines(Threshold MedicalSelfPaid, Threshold DisasterLoss, Threshold Schooling);

/// <summary>Guarantee gaps (两不愁三保障及饮水安全).</summary>
/// <param name="UnsafeHousingGrades">Safety grades of the main home that count as unsafe.</param>
/// <param name="Water">Safe drinking water criteria.</param>
public sealed record GuaranteePolicy(EquatableList<HousingSafetyGrade> UnsafeHousingGrades, WaterPolicy Water)
{
    /// <summary>True when a home of this grade is a housing-safety gap.</summary>
    public bool IsUnsafe(HousingSafetyGrade grade) => UnsafeHousingGrades.Contains(grade);
}

/// <summary>Drinking-water criteria: quantity, quality, convenience, supply rate.</summary>
/// <param name="MinLitresPerPersonPerDay">Quantity: litres per person and day.</param>
/// <param name="QualityStandardRequired">Quality: the water must meet the drinking-water standard.</param>
/// <param name="MaxFetchRoundTripMinutes">Convenience: longest round trip to fetch water by hand.</param>
/// <param name="MinSupplyRate">Supply rate (供水保证率) as a fraction, e.g. 0.90.</param>
public sealed record WaterPolicy(int MinLitresPerPersonPerDay, bool QualityStandardRequired, int MaxFetchRoundTripMinutes, decimal MinSupplyRate);

/// <summary>Parameters of the graded warning rules (DOMAIN.md §7).</summary>
public sealed record GradingPolicy(GradeOneRule GradeOne, GradeTwoRule GradeTwo, GradeThreeRule GradeThree)
{
    /// <summary>
    /// Working days the next level up gets to respond after a warning is escalated (限时办结); null: the
    /// warning's own grade response days again. An init property, optional in documents, so versions
    /// published before the key existed still read the same.
    /// </summary>
    public int? EscalationWorkingDays { get; init; }

    /// <summary>Working days a warning of <paramref name="grade"/> (1, 2 or 3) has before it is overdue.</summary>
    public int ResponseWorkingDays(int grade) => grade switch
    {
        1 => GradeOne.ResponseWorkingDays,
        2 => GradeTwo.ResponseWorkingDays,
        3 => GradeThree.ResponseWorkingDays,
        _ => throw new ArgumentOutOfRangeException(nameof(grade), grade, "a warning grade is 1, 2 or 3"),
    };
}

/// <summary>Grade I, red (濒临): complete loss of labour, or large rigid cost / sharp drop, or income below factor × poverty line.</summary>
/// <param name="IncomeBelowPovertyLineFactor">Income below this multiple of the poverty line.</param>
/// <param name="RigidExpenditureToIncome">Rigid expenditure / income that makes basic living hard.</param>
/// <param name="IncomeDrop">Income drop share that makes basic living hard.</param>
/// <param name="LabourAbilities">Abilities that count as a complete loss of labour when every working-age member has one.</param>
/// <param name="ResponseWorkingDays">Working days to handle the warning before it is overdue.</param>
public sealed record GradeOneRule(
    decimal IncomeBelowPovertyLineFactor,
    RatioThreshold RigidExpenditureToIncome,
    RatioThreshold IncomeDrop,
    EquatableList<LabourAbility> LabourAbilities,
    int ResponseWorkingDays);

/// <summary>Grade II, yellow (极易): no labour force, income only from transfers or dividends, a risk factor present.</summary>
/// <param name="MinTransferIncomeShare">Share of income from transfers and dividends at or above which income is "only" transfers.</param>
/// <param name="LabourAbilities">Abilities that count as "no labour force".</param>
/// <param name="ResponseWorkingDays">Working days to handle the warning.</param>
public sealed record GradeTwoRule(decimal MinTransferIncomeShare, EquatableList<LabourAbility> LabourAbilities, int ResponseWorkingDays);

/// <summary>Grade III, blue (容易): partial loss of labour from illness or disability, unstable income, a risk factor present.</summary>
/// <param name="LabourAbilities">Abilities that count as partial loss of labour.</param>
/// <param name="ResponseWorkingDays">Working days to handle the warning.</param>
public sealed record GradeThreeRule(EquatableList<LabourAbility> LabourAbilities, int ResponseWorkingDays)
{
    /// <summary>
    /// Whether unstable income (务工就业不稳, as monitoring reports it) with a risk factor is enough for grade III
    /// without a partial loss of labour. Default true; a province that reads §7 as "both" sets it false.
    /// An init property, optional in documents (absent: true).
    /// </summary>
    public bool UnstableIncomeSuffices { get; init; } = true;
}

/// <summary>
/// Identification procedure (认定程序 核实—评议—比对—公示—录入, DOMAIN.md §6): which steps run and their
/// durations. Entry always runs: it is what makes a household monitored.
/// </summary>
/// <param name="HomeVerification">入户核实.</param>
/// <param name="DemocraticAppraisal">民主评议.</param>
/// <param name="DataComparison">信息比对.</param>
/// <param name="PublicNotice">村级公示.</param>
/// <param name="FirstHomeVisitWorkingDays">Working days to the first home visit, where a province sets one (e.g. 2); null if not.</param>
/// <param name="DecisionDeadline">Deadline of the identification decision.</param>
public sealed record IdentificationPolicy(
    HomeVerificationStep HomeVerification,
    DemocraticAppraisalStep DemocraticAppraisal,
    DataComparisonStep DataComparison,
    PublicNoticeStep PublicNotice,
    int? FirstHomeVisitWorkingDays,
    DecisionDeadline DecisionDeadline);

/// <summary>Home verification: enabled, due a number of working days after opening.</summary>
public sealed record HomeVerificationStep(bool Enabled, int DueWorkingDays);

/// <summary>Democratic appraisal: enabled, and whether the asset-check authorisation (授权核查家庭资产承诺书) is required.</summary>
public sealed record DemocraticAppraisalStep(bool Enabled, bool AssetCheckAuthorisationRequired);

/// <summary>Data comparison: enabled, and which exclusions block identification.</summary>
public sealed record DataComparisonStep(bool Enabled, EquatableList<ExclusionKind> Exclusions);

/// <summary>Public notice: enabled, length and how it is counted; whether an objection reopens the case.</summary>
public sealed record PublicNoticeStep(bool Enabled, int Days, DayCounting Counting, bool ObjectionReopens);

/// <summary>Decision deadline: working days from a start (20 from opening, or 15 after a 5-day verification).</summary>
public sealed record DecisionDeadline(int WorkingDays, DeadlineStart CountedFrom);

/// <summary>Closing (风险消除, DOMAIN.md §9).</summary>
/// <param name="DemocraticAppraisal">Whether the exit runs a democratic appraisal.</param>
/// <param name="TownshipReview">Whether the township reviews.</param>
/// <param name="PublicNotice">The exit's public notice.</param>
/// <param name="StableIncomeMonths">Months income must have been stable above the line.</param>
/// <param name="Assessment">How often households are assessed.</param>
public sealed record ClosingPolicy(
    bool DemocraticAppraisal,
    bool TownshipReview,
    PublicNoticeStep PublicNotice,
    int StableIncomeMonths,
    AssessmentSchedule Assessment);

/// <summary>Assessment cadence: every fourth quarter, or every N months (N only for <see cref="AssessmentCadence.EveryMonths"/>).</summary>
public sealed record AssessmentSchedule(AssessmentCadence Cadence, int? EveryMonths)
{
    /// <summary>True when an assessment round falls in <paramref name="month"/> (1–12).</summary>
    public bool IsAssessmentMonth(int month) => Cadence == AssessmentCadence.FourthQuarter
        ? month >= 10
        : month % (EveryMonths ?? 12) == 0;
}

/// <summary>Helper visits (走访): how many per month.</summary>
public sealed record VisitPolicy(int PerMonth);

/// <summary>Department feeds: monthly by a day of the month, with departments that report only in some months.</summary>
/// <param name="DueDayOfMonth">Day of the month by which a feed is due (每月5日前).</param>
/// <param name="Exceptions">Departments reporting only in listed months (education in March and September).</param>
/// <param name="Expected">Departments whose feeds every county expects: a missing one is overdue.</param>
/// <param name="Anomaly">When an arrived feed looks wrong compared with the department's usual feeds.</param>
public sealed record DepartmentFeedPolicy(
    int DueDayOfMonth,
    EquatableList<DepartmentFeedSchedule> Exceptions,
    EquatableList<string> Expected,
    FeedAnomalyRule Anomaly)
{
    /// <summary>True when <paramref name="department"/>'s feed is expected at all.</summary>
    public bool IsExpected(string department) => Expected.Contains(department);

    /// <summary>Months (1–12) in which <paramref name="department"/> must report.</summary>
    public IReadOnlyList<int> MonthsFor(string department) =>
        Exceptions.FirstOrDefault(e => e.Department == department)?.Months ?? (IReadOnlyList<int>)[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

    /// <summary>The due date of <paramref name="department"/>'s feed for <paramref name="month"/>, or null if none is due that month.</summary>
    public DateOnly? DueDate(string department, int year, int month) =>
        MonthsFor(department).Contains(month) ? new DateOnly(year, month, Math.Min(DueDayOfMonth, DateTime.DaysInMonth(year, month))) : null;
}

/// <summary>
/// When a feed that arrived looks wrong. "Usual" is the median of the same department's last
/// <paramref name="UsualOverLastFeeds"/> feeds for the same region scope; without earlier feeds only the
/// error rate is checked.
/// </summary>
/// <param name="UsualOverLastFeeds">How many earlier feeds make up "the usual".</param>
/// <param name="MinMatchRateShareOfUsual">Anomaly when the match rate falls below this share of the usual match rate.</param>
/// <param name="MinRowCountShareOfUsual">Anomaly when the row count falls below this share of the usual row count.</param>
/// <param name="MaxErrorRate">Anomaly when more than this share of rows is invalid.</param>
public sealed record FeedAnomalyRule(int UsualOverLastFeeds, decimal MinMatchRateShareOfUsual, decimal MinRowCountShareOfUsual, decimal MaxErrorRate);

/// <summary>One department's own feed months.</summary>
public sealed record DepartmentFeedSchedule(string Department, EquatableList<int> Months);

/// <summary>Notification: when an unacknowledged grade I warning escalates.</summary>
public sealed record NotificationPolicy(int GradeOneEscalationHours);

/// <summary>Anti-poverty insurance (防返贫保险): income gap plus a share of a line per person.</summary>
public sealed record InsurancePolicy(decimal ShareOfLinePerPerson, PayoutLine Line)
{
    /// <summary>Payout in fen for a household of <paramref name="persons"/> whose per-capita income is <paramref name="perCapitaIncomeFen"/>; 0 above the line.</summary>
    public long PayoutFen(MonitoringPolicy monitoring, long perCapitaIncomeFen, int persons)
    {
        if (perCapitaIncomeFen >= monitoring.MonitoringLineFen || persons <= 0)
        {
            return 0;
        }
        var line = Line == PayoutLine.PovertyLine ? monitoring.PovertyLineFen : monitoring.MonitoringLineFen;
        var gap = (monitoring.MonitoringLineFen - perCapitaIncomeFen) * persons;
        return gap + (long)decimal.Round(line * ShareOfLinePerPerson * persons, MidpointRounding.AwayFromZero);
    }
}

/// <summary>Public holidays (放假) and adjusted working weekend days (调休上班) of the province.</summary>
public sealed record HolidayCalendar(EquatableList<Holiday> Holidays, EquatableList<DateOnly> WorkingWeekendDays)
{
    /// <summary>No holidays: only weekends are skipped.</summary>
    public static HolidayCalendar WeekendsOnly { get; } = new(EquatableList<Holiday>.Empty, EquatableList<DateOnly>.Empty);
}

/// <summary>A holiday period, both ends inclusive.</summary>
public sealed record Holiday(string Name, DateOnly From, DateOnly To);
