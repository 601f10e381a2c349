using FanPin.Policies;

namespace FanPin.Monitoring.Domain;

/// <summary>The signal codes monitoring raises. Stable strings: grading, the registry and downstream systems match on them.</summary>
public static class SignalCodes
{
    /// <summary>Per-capita disposable income below the monitoring line.</summary>
    public const string IncomeBelowLine = "IncomeBelowLine";
    /// <summary>Rigid costs clearly exceed last year's income.</summary>
    public const string RigidExpenditureAboveIncome = "RigidExpenditureAboveIncome";
    /// <summary>Income above the line but not stable, with rigid expenditure clearly above income (DOMAIN.md §4, "may also be taken in").</summary>
    public const string UnstableIncome = "UnstableIncome";
    /// <summary>Income cut sharply.</summary>
    public const string IncomeDrop = "IncomeDrop";
    /// <summary>Self-paid medical costs above the warning line.</summary>
    public const string MedicalCostAboveWarningLine = "MedicalCostAboveWarningLine";
    /// <summary>Self-borne disaster loss above the warning line.</summary>
    public const string DisasterLossAboveWarningLine = "DisasterLossAboveWarningLine";
    /// <summary>Schooling costs above the warning line.</summary>
    public const string SchoolingCostAboveWarningLine = "SchoolingCostAboveWarningLine";
    /// <summary>Food and clothing not assured.</summary>
    public const string FoodAndClothingGap = "FoodAndClothingGap";
    /// <summary>A school-age child out of school.</summary>
    public const string CompulsoryEducationGap = "CompulsoryEducationGap";
    /// <summary>A member without basic medical insurance.</summary>
    public const string MedicalInsuranceGap = "MedicalInsuranceGap";
    /// <summary>Main home rated unsafe.</summary>
    public const string HousingSafetyGap = "HousingSafetyGap";
    /// <summary>Drinking water not safe.</summary>
    public const string DrinkingWaterGap = "DrinkingWaterGap";

    /// <summary>The signal code of a guarantee gap.</summary>
    public static string Of(GuaranteeGap gap) => gap switch
    {
        GuaranteeGap.FoodAndClothing => FoodAndClothingGap,
        GuaranteeGap.CompulsoryEducation => CompulsoryEducationGap,
        GuaranteeGap.MedicalInsurance => MedicalInsuranceGap,
        GuaranteeGap.HousingSafety => HousingSafetyGap,
        GuaranteeGap.DrinkingWater => DrinkingWaterGap,
        _ => throw new ArgumentOutOfRangeException(nameof(gap), gap, "unknown gap"),
    };
}

/// <summary>
/// One rule that fired, with everything needed to explain it to an inspector: the household's values it read,
/// the policy values it compared them with (and how), where those live in the policy, and a sentence.
/// </summary>
/// <param name="Code">A <see cref="SignalCodes"/> value.</param>
/// <param name="Inputs">The household's values by name (amounts in fen, ratios as fractions).</param>
/// <param name="Thresholds">The policy values by name.</param>
/// <param name="Comparison">How the input is compared: "greater_than", "at_least", "less_than" or "" for plain facts.</param>
/// <param name="PolicyKey">The policy document key of the threshold (docs/policies.md).</param>
/// <param name="Explanation">The rule in words, with the figures.</param>
public sealed record RiskSignal(
    string Code,
    IReadOnlyDictionary<string, decimal> Inputs,
    IReadOnlyDictionary<string, decimal> Thresholds,
    string Comparison,
    string PolicyKey,
    string Explanation);

/// <summary>An exclusion fact from a department feed (car, commercial housing, company, supporter), for the registry's data comparison.</summary>
/// <param name="Kind">Which exclusion.</param>
/// <param name="Department">The department that reported it.</param>
/// <param name="Month">The month it was reported for.</param>
/// <param name="AmountFen">Value, when the department gave one (e.g. vehicle price).</param>
/// <param name="Reference">The department's reference (plate, deed, registration number, supporter).</param>
public sealed record ExclusionFactView(ExclusionKind Kind, string Department, YearMonth Month, long? AmountFen, string Reference);

/// <summary>Comparison names as policy documents write them.</summary>
public static class ComparisonNames
{
    /// <summary>"greater_than" or "at_least".</summary>
    public static string Of(Comparison comparison) => comparison == Comparison.AtLeast ? "at_least" : "greater_than";

    /// <summary>"less_than": income under the line.</summary>
    public const string LessThan = "less_than";
}
