using FanPin.Monitoring.Domain;
using FanPin.Policies;

namespace FanPin.Monitoring.Tests;

/// <summary>Guarantee gaps (两不愁三保障及饮水安全) from indicators and the policy.</summary>
public class GuaranteeTests
{
    private static readonly GuaranteePolicy Policy = DefaultPolicy.Policy.Guarantees;

    public static TheoryData<string, GuaranteeIndicators, GuaranteeGap[]> Cases => new()
    {
        { "nothing assessed: no gap (unknown is not a gap)", GuaranteeIndicators.None, [] },
        { "all fine", new(true, 0, 0, HousingSafetyGrade.B, 20, true, 20, 0.90m), [] },
        { "food and clothing not assured", new(FoodAndClothingSecure: false), [GuaranteeGap.FoodAndClothing] },
        { "a child out of school", new(OutOfSchoolChildren: 1), [GuaranteeGap.CompulsoryEducation] },
        { "a member uninsured", new(UninsuredMembers: 2), [GuaranteeGap.MedicalInsurance] },
        { "grade C is unsafe", new(HousingGrade: HousingSafetyGrade.C), [GuaranteeGap.HousingSafety] },
        { "grade D is unsafe", new(HousingGrade: HousingSafetyGrade.D), [GuaranteeGap.HousingSafety] },
        { "grade B is safe", new(HousingGrade: HousingSafetyGrade.B), [] },
        { "water: 19 litres is below 20", new(WaterLitresPerPersonPerDay: 19), [GuaranteeGap.DrinkingWater] },
        { "water: 20 litres is enough", new(WaterLitresPerPersonPerDay: 20), [] },
        { "water: quality below standard", new(WaterQualityMeetsStandard: false), [GuaranteeGap.DrinkingWater] },
        { "water: 21 minutes is over 20", new(WaterFetchRoundTripMinutes: 21), [GuaranteeGap.DrinkingWater] },
        { "water: 20 minutes is fine", new(WaterFetchRoundTripMinutes: 20), [] },
        { "water: supply rate 0.89 is below 0.90", new(WaterSupplyRate: 0.89m), [GuaranteeGap.DrinkingWater] },
        { "several at once", new(false, 1, 1, HousingSafetyGrade.D, 5, false, 60, 0.5m),
            [GuaranteeGap.FoodAndClothing, GuaranteeGap.CompulsoryEducation, GuaranteeGap.MedicalInsurance, GuaranteeGap.HousingSafety, GuaranteeGap.DrinkingWater] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Gaps_follow_the_policy(string _, GuaranteeIndicators state, GuaranteeGap[] expected)
    {
        Assert.Equal(expected, GuaranteeGaps.Find(state, Policy).Select(g => g.Gap));
    }

    [Fact]
    public void A_province_may_count_grade_b_as_unsafe()
    {
        var policy = Policy with { UnsafeHousingGrades = EquatableList.Of(HousingSafetyGrade.B, HousingSafetyGrade.C, HousingSafetyGrade.D) };
        var gap = Assert.Single(GuaranteeGaps.Find(new(HousingGrade: HousingSafetyGrade.B), policy));
        Assert.Equal(1m, gap.Thresholds["unsafeGradeB"]);
        Assert.Equal(0m, gap.Thresholds["unsafeGradeA"]);
    }

    [Fact]
    public void The_water_gap_names_each_failing_criterion_with_its_threshold()
    {
        var gap = Assert.Single(GuaranteeGaps.Find(new(WaterLitresPerPersonPerDay: 12, WaterSupplyRate: 0.5m), Policy));
        Assert.Equal(12m, gap.Inputs["litresPerPersonPerDay"]);
        Assert.Equal(20m, gap.Thresholds["minLitresPerPersonPerDay"]);
        Assert.Equal(0.90m, gap.Thresholds["minSupplyRate"]);
        Assert.False(gap.Inputs.ContainsKey("fetchRoundTripMinutes"));
    }

    [Fact]
    public void The_current_state_takes_each_indicator_from_the_latest_snapshot_that_assessed_it()
    {
        var now = DateTimeOffset.UtcNow;
        var id = Guid.NewGuid();
        var snapshots = new[]
        {
            GuaranteeSnapshot.Create(id, new DateOnly(2026, 3, 1), new GuaranteeIndicators(HousingGrade: HousingSafetyGrade.D, UninsuredMembers: 1), RecordSource.Cadre, "", now, "a"),
            GuaranteeSnapshot.Create(id, new DateOnly(2026, 5, 1), new GuaranteeIndicators(UninsuredMembers: 0), RecordSource.Cadre, "", now, "a"),
            GuaranteeSnapshot.Create(id, new DateOnly(2026, 4, 1), new GuaranteeIndicators(HousingGrade: HousingSafetyGrade.B), RecordSource.Cadre, "", now, "a"),
        };
        var state = GuaranteeSnapshot.Current(snapshots);
        Assert.Equal(HousingSafetyGrade.B, state.HousingGrade);   // April's assessment is later than March's
        Assert.Equal(0, state.UninsuredMembers);                  // May cleared March's gap
        Assert.Null(state.FoodAndClothingSecure);
    }
}
