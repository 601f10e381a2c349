using FanPin.Policies;

namespace FanPin.Grading.Domain;

/// <summary>What applying a grade decision changed.</summary>
/// <param name="From">Grade before.</param>
/// <param name="To">Grade after.</param>
/// <param name="Warning">The warning raised, changed or cleared (null when nothing changed).</param>
/// <param name="WarningIsNew">True when the warning was raised now.</param>
/// <param name="Change">The grade history row (null when nothing changed).</param>
public sealed record RegradeOutcome(WarningGrade? From, WarningGrade? To, Warning? Warning, bool WarningIsNew, GradeChange? Change)
{
    /// <summary>Nothing changed.</summary>
    public static RegradeOutcome Unchanged(WarningGrade? grade) => new(grade, grade, null, false, null);

    /// <summary>True when the grade changed.</summary>
    public bool Changed => Change is not null;
}

/// <summary>
/// Turns a grade decision into warning lifecycle steps and the household's grade history — the same code for
/// one household (an event arrived) and for a bulk re-grade (a policy changed), so both give the same result.
/// </summary>
public static class Regrading
{
    /// <summary>
    /// Applies <paramref name="decision"/> to a household whose open warning is <paramref name="open"/>: raise
    /// (none → grade), change (grade → other grade, same warning), clear (grade → none) or nothing. Updates the
    /// grade fields of <paramref name="facts"/>.
    /// </summary>
    public static RegradeOutcome Apply(HouseholdFacts facts, Warning? open, GradeDecision decision, ProvincePolicy policy,
        GradeCause cause, DateTimeOffset now, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(decision);
        var from = open?.Grade;
        var to = decision.Grade;
        if (from == to)
        {
            return RegradeOutcome.Unchanged(to);
        }
        Warning warning;
        var isNew = false;
        if (to is null)
        {
            warning = open!;
            warning.Clear(decision.Reason, now);
        }
        else if (open is null)
        {
            warning = Warning.Raise(facts.HouseholdId, facts.RegionCode, decision, policy, now, today);
            isNew = true;
        }
        else
        {
            warning = open;
            warning.ChangeGrade(decision, policy, now, today);
        }
        facts.Grade = to;
        facts.GradeRuleId = decision.Reason.RuleId;
        facts.GradeVersion++;
        facts.GradedAt = now;
        facts.OpenWarningId = to is null ? null : warning.Id;
        facts.UpdatedAt = now;
        var change = new GradeChange
        {
            HouseholdId = facts.HouseholdId,
            RegionCode = facts.RegionCode,
            At = now,
            FromGrade = from,
            ToGrade = to,
            RuleId = decision.Reason.RuleId,
            Reason = warning.Reason, // the same JSON the warning stored: serialised once
            PolicyProvince = decision.Reason.PolicyProvince,
            PolicyVersion = decision.Reason.PolicyVersion,
            WarningId = warning.Id,
            Cause = cause,
        };
        return new RegradeOutcome(from, to, warning, isNew, change);
    }
}
