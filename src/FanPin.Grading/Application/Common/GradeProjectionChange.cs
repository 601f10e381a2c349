using FanPin.Grading.Domain;

namespace FanPin.Grading.Application.Common;

/// <summary>
/// A household's grade to show in the Redis projection: <paramref name="Version"/> is the household's
/// <c>grade_version</c>, so an older update applied late never overwrites a newer one.
/// </summary>
public sealed record GradeProjectionChange(Guid HouseholdId, string RegionCode, WarningGrade? Grade, long Version)
{
    /// <summary>The projection change of a household row.</summary>
    public static GradeProjectionChange Of(HouseholdFacts facts) => new(facts.HouseholdId, facts.RegionCode, facts.Grade, facts.GradeVersion);
}
