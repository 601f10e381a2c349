using FanPin.Registry.Application.Common;
using FanPin.Registry.Domain;
using FanPin.Registry.Infrastructure;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Registry.Application.Identification;

/// <summary>One audited transition: who, when, what.</summary>
public sealed record TransitionView(string? FromState, string ToState, string Action, string ActorSubject, string ActorRole, DateTimeOffset At, string Details);

/// <summary>An identification case as answers show it, with its audit trail.</summary>
public sealed record IdentificationCaseView(
    Guid Id,
    Guid HouseholdId,
    string RegionCode,
    CaseSource Source,
    string? SourceReference,
    string Summary,
    IdentificationState State,
    bool Overdue,
    string PolicyProvince,
    int PolicyVersion,
    DateOnly OpenedOn,
    string OpenedBy,
    DateOnly? FirstVisitDueOn,
    DateOnly? VerificationDueOn,
    DateOnly? DecisionDueOn,
    DateOnly? VerifiedOn,
    long? VerifiedPerCapitaIncomeFen,
    DateOnly? AppraisedOn,
    AppraisalResult? AppraisalResult,
    string? AppraisalMinutesReference,
    bool? AssetCheckAuthorised,
    DateOnly? ComparedOn,
    IReadOnlyList<ExclusionFinding> Exclusions,
    DateOnly? NoticeStartsOn,
    DateOnly? NoticeEndsOn,
    int Reopenings,
    DateOnly? EnteredOn,
    IdentificationState? RejectedAt,
    string? RejectionReason,
    DateTimeOffset? ClosedAt,
    IReadOnlyList<TransitionView> Trail);

/// <summary>The result of every identification step: the case after it.</summary>
public sealed record IdentificationCaseResult(IdentificationCaseView Case);

/// <summary>Loading, saving and showing identification cases.</summary>
internal static class IdentificationCases
{
    /// <summary>One case in progress per household.</summary>
    public const string OpenCaseIndex = "ux_identification_cases_open";

    /// <summary>One case per source reference.</summary>
    public const string SourceIndex = "ux_identification_cases_source";

    /// <summary>Loads a case the caller may act on (role, then scope), with its household.</summary>
    public static async Task<(IdentificationCase Case, Household Household)> LoadForAsync(
        RegistryDbContext db, Caller caller, string action, CallerRole[] roles, Guid caseId, CancellationToken ct)
    {
        RegionScope.DemandRole(caller, action, roles);
        var c = await db.IdentificationCases.FirstOrDefaultAsync(x => x.Id == caseId, ct).ConfigureAwait(false)
            ?? throw new NotFoundException("identification case", caseId.ToString());
        RegionScope.Demand(caller, RegionCode.Parse(c.RegionCode));
        var household = await db.Households.FirstAsync(h => h.Id == c.HouseholdId, ct).ConfigureAwait(false);
        return (c, household);
    }

    /// <summary>Saves a step; a concurrent step on the same case becomes FAILED_PRECONDITION.</summary>
    public static Task SaveAsync(RegistryDbContext db, IdentificationCase c, CancellationToken ct) =>
        DbErrors.SaveAsync(db, $"identification case {c.Id}", () => c.State.ToString(), ct);

    /// <summary>The view with the full trail.</summary>
    public static async Task<IdentificationCaseView> ViewAsync(RegistryDbContext db, IdentificationCase c, DateOnly today, CancellationToken ct)
    {
        var trail = await db.CaseTransitions.AsNoTracking().Where(t => t.CaseId == c.Id).OrderBy(t => t.Id)
            .Select(t => new TransitionView(t.FromState, t.ToState, t.Action, t.ActorSubject, t.ActorRole, t.At, t.Details))
            .ToListAsync(ct).ConfigureAwait(false);
        return new IdentificationCaseView(c.Id, c.HouseholdId, c.RegionCode, c.Source, c.SourceReference, c.Summary, c.State, c.IsOverdue(today),
            c.PolicyProvince, c.PolicyVersion, c.OpenedOn, c.OpenedBy, c.FirstVisitDueOn, c.VerificationDueOn, c.DecisionDueOn, c.VerifiedOn,
            c.VerifiedPerCapitaIncomeFen, c.AppraisedOn, c.AppraisalResult, c.AppraisalMinutesReference, c.AssetCheckAuthorised, c.ComparedOn,
            c.Exclusions, c.NoticeStartsOn, c.NoticeEndsOn, c.Reopenings, c.EnteredOn, c.RejectedAt, c.RejectionReason, c.ClosedAt, trail);
    }

    /// <summary>Checks a step date: given, not before the case opened, not in the future.</summary>
    public static void ValidateStepDate(DateOnly? date, string field, IdentificationCase c, DateOnly today, FieldErrors errors)
    {
        if (date is null)
        {
            errors.Add(field, "is required");
            return;
        }
        errors.Require(date >= c.OpenedOn, field, $"{date:yyyy-MM-dd} is before the case opened ({c.OpenedOn:yyyy-MM-dd})");
        errors.Require(date <= today, field, $"{date:yyyy-MM-dd} is in the future");
    }

    /// <summary>A rejection must carry the reason told to the household in writing.</summary>
    public static void RequireWrittenReason(bool rejects, string? reason, FieldErrors errors) =>
        errors.Require(!rejects || !string.IsNullOrWhiteSpace(reason), "rejection_reason", "is required: the household is told the reason in writing (书面告知)");
}
