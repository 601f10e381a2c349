using System.Text;
using FanPin.Policies;

namespace FanPin.Cli.Datagen;

/// <summary>What to generate.</summary>
/// <param name="Seed">Seed: the same settings give byte-identical output.</param>
/// <param name="Households">Households in all (spread evenly over the villages).</param>
/// <param name="Province">2-digit province code.</param>
/// <param name="Counties">County codes to include; null or empty: every county of the province.</param>
/// <param name="Months">Months of income and feed history.</param>
/// <param name="LastMonth">The last month of history (the month before the feeds' last reporting month).</param>
public sealed record DatagenSettings(long Seed, int Households, string Province, IReadOnlyList<string>? Counties, int Months, Month LastMonth)
{
    /// <summary>Most households one county may hold: beyond it ID numbers could not stay unique with realistic birth dates.</summary>
    public const int MaxHouseholdsPerCounty = 250_000;

    /// <summary>First month of history.</summary>
    public Month FirstMonth => LastMonth.AddMonths(-(Months - 1));

    /// <summary>The day ages and ID numbers are computed on: the first day after the history.</summary>
    public DateOnly Today => LastMonth.AddMonths(1).FirstDay;
}

/// <summary>
/// The kind of household drawn first; everything else (members, income, feed rows) follows from it. The rates
/// are the generator's, chosen so that about 5% of households cross a line of the province policy and every
/// grade of DOMAIN.md §7 occurs; the lines themselves are read from the policy, never written here.
/// </summary>
public enum HouseholdProfile
{
    /// <summary>Income well above the line, costs below every warning line, no guarantee gap.</summary>
    Stable = 0,
    /// <summary>Per-capita income under the monitoring line (grade I: below 1.5 × the poverty line).</summary>
    LowIncome,
    /// <summary>A large medical bill over the warning line.</summary>
    MedicalBill,
    /// <summary>A disaster loss over the warning line.</summary>
    DisasterLoss,
    /// <summary>Schooling costs over the warning line.</summary>
    SchoolingCost,
    /// <summary>A guarantee gap: unsafe housing, a dropout, an uninsured member or unsafe water.</summary>
    GuaranteeGap,
    /// <summary>Elderly without labour living on transfers alone, with a risk factor (grade II).</summary>
    NoLabourTransfers,
    /// <summary>Only partial labour (chronic illness, age), with a risk factor (grade III).</summary>
    PartialLabour,
    /// <summary>Labour ability lost (severe disability or illness), with a risk factor (grade I).</summary>
    LostLabour,
}

/// <summary>The generator's rates (docs/datagen.md, "Rates").</summary>
public static class DatagenRates
{
    /// <summary>Share of each at-risk profile among all households; the rest are <see cref="HouseholdProfile.Stable"/>.</summary>
    public static readonly IReadOnlyList<(HouseholdProfile Profile, double Rate)> AtRisk =
    [
        (HouseholdProfile.LowIncome, 0.016),
        (HouseholdProfile.MedicalBill, 0.009),
        (HouseholdProfile.DisasterLoss, 0.003),
        (HouseholdProfile.SchoolingCost, 0.003),
        (HouseholdProfile.GuaranteeGap, 0.006),
        (HouseholdProfile.NoLabourTransfers, 0.005),
        (HouseholdProfile.PartialLabour, 0.006),
        (HouseholdProfile.LostLabour, 0.003),
    ];

    /// <summary>Share of formerly poor households (脱贫户) among stable and at-risk households.</summary>
    public const double PovertyAlleviatedStable = 0.2, PovertyAlleviatedAtRisk = 0.5;

    /// <summary>Share of stable households with a high-end car, commercial housing or a company (exclusion facts).</summary>
    public const double CarStable = 0.003, CommercialHousingStable = 0.0015, CompanyStable = 0.001;

    /// <summary>Share of at-risk households with a high-end car (identification blocked by data comparison).</summary>
    public const double CarAtRisk = 0.02;
}

/// <summary>The departments feeding data, in file order, and the items the generator writes.</summary>
public static class DatagenFeeds
{
    /// <summary>Departments, in the order their files are listed.</summary>
    public static readonly IReadOnlyList<string> Departments =
    [
        FanPin.Policies.Departments.CivilAffairs,
        FanPin.Policies.Departments.MedicalInsurance,
        FanPin.Policies.Departments.Housing,
        FanPin.Policies.Departments.Education,
        FanPin.Policies.Departments.DisabledPersonsFederation,
        FanPin.Policies.Departments.EmergencyManagement,
        FanPin.Policies.Departments.HumanResources,
        FanPin.Policies.Departments.PublicSecurity,
        FanPin.Policies.Departments.MarketSupervision,
        FanPin.Policies.Departments.Water,
        FanPin.Policies.Departments.Agriculture,
    ];

    /// <summary>Header of every feed file (FeedCsv's columns).</summary>
    public const string Header = "id_number,item,month,amount_fen,value,reference";

    /// <summary>
    /// The reporting month (period) that carries the rows of <paramref name="month"/> for <paramref name="department"/>:
    /// the next month the policy expects the department's feed in (education: March and September), at most
    /// <paramref name="lastPeriod"/>.
    /// </summary>
    public static Month PeriodOf(DepartmentFeedPolicy policy, string department, Month month, Month lastPeriod)
    {
        var months = policy.MonthsFor(department);
        for (var p = month.AddMonths(1); p.CompareTo(lastPeriod) < 0; p = p.AddMonths(1))
        {
            if (months.Contains(p.Number))
            {
                return p;
            }
        }
        return lastPeriod;
    }
}

/// <summary>One feed file: department and reporting month.</summary>
public sealed record FeedFile(string Department, Month Period)
{
    /// <summary>Path under the output directory.</summary>
    public string RelativePath => Path.Combine("feeds", Department, Period + ".csv");
}

/// <summary>UTF-8 spellings written often.</summary>
internal static class U8
{
    public static byte[] Of(string s) => Encoding.UTF8.GetBytes(s);
}
