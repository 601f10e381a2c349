using FanPin.Policies;

namespace FanPin.Monitoring.Domain;

/// <summary>
/// The guarantee indicators of a household as observed on a day (dated, kept as history: a later snapshot
/// never overwrites an earlier one). A snapshot holds the indicators that were assessed; the others are null.
/// </summary>
public sealed class GuaranteeSnapshot
{
    private GuaranteeSnapshot()
    {
    }

    /// <summary>Identifier.</summary>
    public Guid Id { get; private set; }

    /// <summary>The household.</summary>
    public Guid HouseholdId { get; private set; }

    /// <summary>The day the indicators were observed.</summary>
    public DateOnly ObservedOn { get; private set; }

    /// <summary>Who provided it.</summary>
    public RecordSource Source { get; private set; }

    /// <summary>The department, for feed snapshots.</summary>
    public string? Department { get; private set; }

    /// <summary>Internal key of the feed, for feed snapshots.</summary>
    public long? FeedKey { get; private set; }

    /// <summary>A reference (visit, inspection report); "" when none.</summary>
    public string Reference { get; private set; } = "";

    /// <summary>不愁吃不愁穿.</summary>
    public bool? FoodAndClothingSecure { get; private set; }

    /// <summary>School-age children out of school.</summary>
    public int? OutOfSchoolChildren { get; private set; }

    /// <summary>Members without basic medical insurance.</summary>
    public int? UninsuredMembers { get; private set; }

    /// <summary>Safety grade of the main home.</summary>
    public HousingSafetyGrade? HousingGrade { get; private set; }

    /// <summary>Water quantity, litres per person and day.</summary>
    public int? WaterLitresPerPersonPerDay { get; private set; }

    /// <summary>Water quality meets the standard.</summary>
    public bool? WaterQualityMeetsStandard { get; private set; }

    /// <summary>Round trip to fetch water, minutes.</summary>
    public int? WaterFetchRoundTripMinutes { get; private set; }

    /// <summary>Supply rate, 0–1.</summary>
    public decimal? WaterSupplyRate { get; private set; }

    /// <summary>When it was recorded.</summary>
    public DateTimeOffset RecordedAt { get; private set; }

    /// <summary>Who recorded it.</summary>
    public string RecordedBy { get; private set; } = "";

    /// <summary>The indicators of this snapshot.</summary>
    public GuaranteeIndicators Indicators => new(FoodAndClothingSecure, OutOfSchoolChildren, UninsuredMembers, HousingGrade,
        WaterLitresPerPersonPerDay, WaterQualityMeetsStandard, WaterFetchRoundTripMinutes, WaterSupplyRate);

    /// <summary>A snapshot entered by a cadre (or for a farmer).</summary>
    public static GuaranteeSnapshot Create(Guid householdId, DateOnly observedOn, GuaranteeIndicators indicators, RecordSource source,
        string reference, DateTimeOffset now, string recordedBy) => new()
    {
        Id = Guid.CreateVersion7(now),
        HouseholdId = householdId,
        ObservedOn = observedOn,
        Source = source,
        Reference = reference,
        FoodAndClothingSecure = indicators.FoodAndClothingSecure,
        OutOfSchoolChildren = indicators.OutOfSchoolChildren,
        UninsuredMembers = indicators.UninsuredMembers,
        HousingGrade = indicators.HousingGrade,
        WaterLitresPerPersonPerDay = indicators.WaterLitresPerPersonPerDay,
        WaterQualityMeetsStandard = indicators.WaterQualityMeetsStandard,
        WaterFetchRoundTripMinutes = indicators.WaterFetchRoundTripMinutes,
        WaterSupplyRate = indicators.WaterSupplyRate,
        RecordedAt = now,
        RecordedBy = recordedBy,
    };

    /// <summary>
    /// The current indicators from a household's snapshots: field by field, the value of the latest snapshot
    /// (by observation day, then recording time) that assessed it.
    /// </summary>
    public static GuaranteeIndicators Current(IEnumerable<GuaranteeSnapshot> snapshots) =>
        snapshots.OrderBy(s => s.ObservedOn).ThenBy(s => s.RecordedAt)
            .Aggregate(GuaranteeIndicators.None, (state, s) => state.Overlay(s.Indicators));
}
