using System.Globalization;
using FanPin.Policies;

namespace FanPin.Monitoring.Domain;

/// <summary>
/// The guarantee indicators of a household (两不愁三保障及饮水安全). In a snapshot a null field was not
/// assessed; the current state takes, field by field, the latest snapshot that assessed it.
/// </summary>
/// <param name="FoodAndClothingSecure">不愁吃、不愁穿.</param>
/// <param name="OutOfSchoolChildren">School-age children out of school (辍学).</param>
/// <param name="UninsuredMembers">Members not in basic medical insurance.</param>
/// <param name="HousingGrade">Safety grade of the main home.</param>
/// <param name="WaterLitresPerPersonPerDay">Water quantity.</param>
/// <param name="WaterQualityMeetsStandard">Water quality meets the drinking-water standard.</param>
/// <param name="WaterFetchRoundTripMinutes">Convenience: round trip to fetch water by hand (0 with tap water at home).</param>
/// <param name="WaterSupplyRate">Supply rate (供水保证率), 0–1.</param>
public sealed record GuaranteeIndicators(
    bool? FoodAndClothingSecure = null,
    int? OutOfSchoolChildren = null,
    int? UninsuredMembers = null,
    HousingSafetyGrade? HousingGrade = null,
    int? WaterLitresPerPersonPerDay = null,
    bool? WaterQualityMeetsStandard = null,
    int? WaterFetchRoundTripMinutes = null,
    decimal? WaterSupplyRate = null)
{
    /// <summary>Nothing assessed.</summary>
    public static GuaranteeIndicators None { get; } = new();

    /// <summary>True when no field is assessed.</summary>
    public bool IsEmpty => this == None;

    /// <summary>This state with every field <paramref name="later"/> assessed taken from it.</summary>
    public GuaranteeIndicators Overlay(GuaranteeIndicators later) => new(
        later.FoodAndClothingSecure ?? FoodAndClothingSecure,
        later.OutOfSchoolChildren ?? OutOfSchoolChildren,
        later.UninsuredMembers ?? UninsuredMembers,
        later.HousingGrade ?? HousingGrade,
        later.WaterLitresPerPersonPerDay ?? WaterLitresPerPersonPerDay,
        later.WaterQualityMeetsStandard ?? WaterQualityMeetsStandard,
        later.WaterFetchRoundTripMinutes ?? WaterFetchRoundTripMinutes,
        later.WaterSupplyRate ?? WaterSupplyRate);
}

/// <summary>One guarantee gap with the values that make it one (for the signal's explanation).</summary>
/// <param name="Gap">Which guarantee.</param>
/// <param name="Inputs">The household's values.</param>
/// <param name="Thresholds">The policy values compared with.</param>
/// <param name="Explanation">Why, in words.</param>
/// <param name="PolicyKey">Where the policy value lives.</param>
public sealed record GuaranteeGapFinding(
    GuaranteeGap Gap,
    IReadOnlyDictionary<string, decimal> Inputs,
    IReadOnlyDictionary<string, decimal> Thresholds,
    string Explanation,
    string PolicyKey);

/// <summary>Guarantee gaps from the current indicators and the policy (pure).</summary>
public static class GuaranteeGaps
{
    /// <summary>
    /// Every gap. A field nobody assessed is not a gap (it is unknown, and a gap must be explainable by a value).
    /// </summary>
    public static IReadOnlyList<GuaranteeGapFinding> Find(GuaranteeIndicators state, GuaranteePolicy policy)
    {
        var gaps = new List<GuaranteeGapFinding>();
        if (state.FoodAndClothingSecure == false)
        {
            gaps.Add(new(GuaranteeGap.FoodAndClothing, new Dictionary<string, decimal> { ["foodAndClothingSecure"] = 0 },
                new Dictionary<string, decimal>(), "food and clothing are not assured (两不愁)", "guarantees"));
        }
        if (state.OutOfSchoolChildren is > 0 and var outOfSchool)
        {
            gaps.Add(new(GuaranteeGap.CompulsoryEducation, new Dictionary<string, decimal> { ["outOfSchoolChildren"] = outOfSchool },
                new Dictionary<string, decimal> { ["maxOutOfSchoolChildren"] = 0 },
                $"{outOfSchool} school-age child(ren) out of school", "guarantees"));
        }
        if (state.UninsuredMembers is > 0 and var uninsured)
        {
            gaps.Add(new(GuaranteeGap.MedicalInsurance, new Dictionary<string, decimal> { ["uninsuredMembers"] = uninsured },
                new Dictionary<string, decimal> { ["maxUninsuredMembers"] = 0 },
                $"{uninsured} member(s) without basic medical insurance", "guarantees"));
        }
        if (state.HousingGrade is { } grade && policy.IsUnsafe(grade))
        {
            var thresholds = Enum.GetValues<HousingSafetyGrade>().ToDictionary(g => $"unsafeGrade{g}", g => policy.IsUnsafe(g) ? 1m : 0m);
            gaps.Add(new(GuaranteeGap.HousingSafety, new Dictionary<string, decimal> { ["housingGrade"] = (int)grade }, thresholds,
                $"main home rated {grade}, an unsafe grade ({string.Join(", ", policy.UnsafeHousingGrades)})", "guarantees.unsafe_housing_grades"));
        }
        if (WaterGap(state, policy.Water) is { } water)
        {
            gaps.Add(water);
        }
        return gaps;
    }

    private static GuaranteeGapFinding? WaterGap(GuaranteeIndicators state, WaterPolicy water)
    {
        var inputs = new Dictionary<string, decimal>();
        var thresholds = new Dictionary<string, decimal>();
        var reasons = new List<string>();
        if (state.WaterLitresPerPersonPerDay is { } litres && litres < water.MinLitresPerPersonPerDay)
        {
            inputs["litresPerPersonPerDay"] = litres;
            thresholds["minLitresPerPersonPerDay"] = water.MinLitresPerPersonPerDay;
            reasons.Add($"quantity {litres} < {water.MinLitresPerPersonPerDay} litres per person and day");
        }
        if (water.QualityStandardRequired && state.WaterQualityMeetsStandard == false)
        {
            inputs["qualityMeetsStandard"] = 0;
            thresholds["qualityStandardRequired"] = 1;
            reasons.Add("quality below the drinking-water standard");
        }
        if (state.WaterFetchRoundTripMinutes is { } minutes && minutes > water.MaxFetchRoundTripMinutes)
        {
            inputs["fetchRoundTripMinutes"] = minutes;
            thresholds["maxFetchRoundTripMinutes"] = water.MaxFetchRoundTripMinutes;
            reasons.Add($"fetching takes {minutes} > {water.MaxFetchRoundTripMinutes} minutes");
        }
        if (state.WaterSupplyRate is { } rate && rate < water.MinSupplyRate)
        {
            inputs["supplyRate"] = rate;
            thresholds["minSupplyRate"] = water.MinSupplyRate;
            reasons.Add(string.Create(CultureInfo.InvariantCulture, $"supply rate {rate} < {water.MinSupplyRate}"));
        }
        return reasons.Count == 0
            ? null
            : new GuaranteeGapFinding(GuaranteeGap.DrinkingWater, inputs, thresholds, "drinking water: " + string.Join("; ", reasons), "guarantees.water");
    }
}
