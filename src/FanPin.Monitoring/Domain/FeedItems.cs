using System.Globalization;
using FanPin.Policies;

namespace FanPin.Monitoring.Domain;

/// <summary>What a feed row does once matched to a household.</summary>
public enum FeedItemEffect
{
    /// <summary>A monthly amount (income or cost) of a category.</summary>
    Record = 1,
    /// <summary>A guarantee indicator of the person (aggregated per household and month into a snapshot).</summary>
    Guarantee = 2,
    /// <summary>An exclusion fact (car, commercial housing, company, supporter).</summary>
    Exclusion = 3,
}

/// <summary>The guarantee indicator a guarantee item reports.</summary>
public enum GuaranteeField
{
    /// <summary>The person (school age) is out of school: value yes/no. Snapshot: children out of school = persons with yes.</summary>
    OutOfSchool = 1,
    /// <summary>The person is in basic medical insurance: value yes/no. Snapshot: uninsured members = persons with no.</summary>
    MedicalInsured = 2,
    /// <summary>Safety grade of the home the person lives in: A–D. Snapshot: the worst grade reported.</summary>
    HousingGrade = 3,
    /// <summary>Litres per person and day. Snapshot: the lowest.</summary>
    WaterQuantity = 4,
    /// <summary>Water meets the standard: yes/no. Snapshot: no if any row says no.</summary>
    WaterQuality = 5,
    /// <summary>Minutes to fetch water (round trip). Snapshot: the longest.</summary>
    WaterFetchMinutes = 6,
    /// <summary>Supply rate 0–1. Snapshot: the lowest.</summary>
    WaterSupplyRate = 7,
}

/// <summary>One kind of feed row: its code (the CSV <c>item</c> column), effect, target and the departments that report it.</summary>
/// <param name="Code">Code as written in feeds (snake_case).</param>
/// <param name="Id">Stable number (stored in staging, never renumbered).</param>
/// <param name="Effect">What it does.</param>
/// <param name="Category">Record category, for record items.</param>
/// <param name="Field">Guarantee field, for guarantee items.</param>
/// <param name="Exclusion">Exclusion kind, for exclusion items.</param>
/// <param name="Departments">Departments that may report it.</param>
/// <param name="Description">What the row means.</param>
public sealed record FeedItem(
    string Code,
    short Id,
    FeedItemEffect Effect,
    RecordCategory? Category,
    GuaranteeField? Field,
    ExclusionKind? Exclusion,
    IReadOnlyList<string> Departments,
    string Description)
{
    /// <summary>Record items need an amount; exclusion items may carry one (e.g. vehicle value); guarantee items need a value.</summary>
    public bool NeedsAmount => Effect == FeedItemEffect.Record;

    /// <summary>Guarantee items need a value.</summary>
    public bool NeedsValue => Effect == FeedItemEffect.Guarantee;

    /// <summary>The number stored for the target (category, field or exclusion kind).</summary>
    public short Target => (short)(Category is { } c ? (int)c : Field is { } f ? (int)f : (int)Exclusion!.Value);

    /// <summary>
    /// Parses a guarantee value into the number the merge aggregates (yes = 1, no = 0, grade A–D = 1–4, counts and
    /// rates as written). The error says what was expected.
    /// </summary>
    public bool TryParseValue(string? text, out decimal value, out string error)
    {
        value = 0;
        error = "";
        var t = text?.Trim() ?? "";
        switch (Field)
        {
            case GuaranteeField.OutOfSchool or GuaranteeField.MedicalInsured or GuaranteeField.WaterQuality:
                switch (t.ToLowerInvariant())
                {
                    case "yes" or "true" or "1" or "y" or "是":
                        value = 1;
                        return true;
                    case "no" or "false" or "0" or "n" or "否":
                        value = 0;
                        return true;
                    default:
                        error = $"value '{Shorten(t)}' is not yes or no";
                        return false;
                }
            case GuaranteeField.HousingGrade:
                if (t.Length == 1 && t.ToUpperInvariant()[0] is >= 'A' and <= 'D')
                {
                    value = t.ToUpperInvariant()[0] - 'A' + 1;
                    return true;
                }
                error = $"value '{Shorten(t)}' is not a housing safety grade A, B, C or D";
                return false;
            case GuaranteeField.WaterQuantity or GuaranteeField.WaterFetchMinutes:
                if (int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var whole) && whole <= 10_000)
                {
                    value = whole;
                    return true;
                }
                error = $"value '{Shorten(t)}' is not a whole number 0–10000";
                return false;
            case GuaranteeField.WaterSupplyRate:
                if (decimal.TryParse(t, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var rate) && rate <= 1m)
                {
                    value = decimal.Round(rate, 4);
                    return true;
                }
                error = $"value '{Shorten(t)}' is not a rate between 0 and 1";
                return false;
            default:
                error = "takes no value";
                return false;
        }
    }

    private static string Shorten(string text) => text.Length <= 20 ? text : text[..20] + "…";
}

/// <summary>
/// The catalogue of feed items (docs/monitoring.md, "Feed items"): which department reports what, and what it
/// becomes. Departments report what they hold; thresholds are never applied here, only in the evaluation.
/// </summary>
public static class FeedItems
{
    private static FeedItem Amount(string code, short id, RecordCategory category, string description, params string[] departments) =>
        new(code, id, FeedItemEffect.Record, category, null, null, departments, description);

    private static FeedItem Indicator(string code, short id, GuaranteeField field, string description, params string[] departments) =>
        new(code, id, FeedItemEffect.Guarantee, null, field, null, departments, description);

    private static FeedItem Fact(string code, short id, ExclusionKind kind, string description, params string[] departments) =>
        new(code, id, FeedItemEffect.Exclusion, null, null, kind, departments, description);

    /// <summary>Every item.</summary>
    public static readonly IReadOnlyList<FeedItem> All =
    [
        Amount("minimum_living_allowance", 1, RecordCategory.TransferNet, "低保金 paid to the person's household", Departments.CivilAffairs),
        Amount("extreme_poverty_support", 2, RecordCategory.TransferNet, "特困供养金", Departments.CivilAffairs),
        Amount("temporary_assistance", 3, RecordCategory.TransferNet, "临时救助", Departments.CivilAffairs, Departments.EmergencyManagement),
        Amount("medical_self_paid", 10, RecordCategory.MedicalSelfPaid, "self-paid medical costs after insurance (医疗自付)", Departments.MedicalInsurance, Departments.Health),
        Amount("medical_assistance", 11, RecordCategory.TransferNet, "医疗救助 paid to the household", Departments.MedicalInsurance),
        Amount("schooling_cost", 20, RecordCategory.Schooling, "schooling costs paid by the household", Departments.Education),
        Amount("student_aid", 21, RecordCategory.TransferNet, "student aid (助学)", Departments.Education),
        Amount("disability_allowance", 30, RecordCategory.TransferNet, "残疾人两项补贴", Departments.DisabledPersonsFederation),
        Amount("disaster_loss", 40, RecordCategory.DisasterLoss, "self-borne disaster loss (灾害损失)", Departments.EmergencyManagement),
        Amount("accident_cost", 41, RecordCategory.Accident, "self-borne accident costs", Departments.EmergencyManagement, Departments.PublicSecurity),
        Amount("emergency_relief", 42, RecordCategory.TransferNet, "急难救助 / disaster relief paid", Departments.EmergencyManagement),
        Amount("wage", 50, RecordCategory.Wage, "wages reported by social insurance records", Departments.HumanResources),
        Amount("public_welfare_job_wage", 51, RecordCategory.Wage, "公益性岗位 wages", Departments.HumanResources),
        Amount("pension", 52, RecordCategory.TransferNet, "basic pension paid", Departments.HumanResources),
        Amount("employment_subsidy", 53, RecordCategory.TransferNet, "employment subsidies", Departments.HumanResources),
        Amount("business_income", 60, RecordCategory.BusinessNet, "farm or business income as received", Departments.Agriculture),
        Amount("productive_cost", 61, RecordCategory.ProductiveCost, "productive costs of the household's business", Departments.Agriculture),
        Amount("industry_dividend", 62, RecordCategory.TransferNet, "industry project dividends (产业分红)", Departments.Agriculture),
        Indicator("out_of_school", 100, GuaranteeField.OutOfSchool, "a school-age person is out of school (辍学): yes/no", Departments.Education),
        Indicator("medical_insured", 101, GuaranteeField.MedicalInsured, "the person is in basic medical insurance: yes/no", Departments.MedicalInsurance),
        Indicator("housing_safety_grade", 102, GuaranteeField.HousingGrade, "safety grade of the person's home: A–D", Departments.Housing),
        Indicator("water_quantity", 103, GuaranteeField.WaterQuantity, "litres per person and day", Departments.Water),
        Indicator("water_quality", 104, GuaranteeField.WaterQuality, "water meets the drinking-water standard: yes/no", Departments.Water),
        Indicator("water_fetch_minutes", 105, GuaranteeField.WaterFetchMinutes, "round trip to fetch water, minutes", Departments.Water),
        Indicator("water_supply_rate", 106, GuaranteeField.WaterSupplyRate, "supply rate 0–1", Departments.Water),
        Fact("high_end_car", 200, ExclusionKind.HighEndCar, "the person owns a high-end car (amount: its value; reference: plate)", Departments.PublicSecurity),
        Fact("commercial_housing", 201, ExclusionKind.CommercialHousing, "the person bought commercial housing in a town (reference: deed)", Departments.Housing),
        Fact("company", 202, ExclusionKind.Company, "the person registered a company employing others (reference: registration number)", Departments.MarketSupervision),
        Fact("supporter_able", 203, ExclusionKind.NegligentSupporter,
            "the person has a supporter able to support (car, housing or company of the supporter; reference names the supporter's record)",
            Departments.PublicSecurity, Departments.Housing, Departments.MarketSupervision, Departments.CivilAffairs),
    ];

    private static readonly Dictionary<string, FeedItem> ByCode = All.ToDictionary(i => i.Code, StringComparer.Ordinal);

    /// <summary>The item with this code, or null.</summary>
    public static FeedItem? Find(string? code) =>
        code is null ? null : ByCode.GetValueOrDefault(code) ?? ByCode.GetValueOrDefault(code.Trim().ToLowerInvariant());

    /// <summary>The items a department reports.</summary>
    public static IReadOnlyList<FeedItem> Of(string department) => All.Where(i => i.Departments.Contains(department)).ToList();
}
