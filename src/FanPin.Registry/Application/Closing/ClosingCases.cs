using FanPin.Registry.Application.Common;
using FanPin.Registry.Application.Identification;
using FanPin.Registry.Domain;
using FanPin.Registry.Infrastructure;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Registry.Application.Closing;

/// <summary>A closing case as answers show it, with its audit trail.</summary>
public sealed record ClosingCaseView(
    Guid Id,
    Guid HouseholdId,
    string RegionCode,
    ClosingSource Source,
    string? SourceReference,
    string Summary,
    ClosingState State,
    string PolicyProvince,
    int PolicyVersion,
    DateOnly IncomeStableSince,
    DateOnly OpenedOn,
    string OpenedBy,
    DateOnly? AppraisedOn,
    string? AppraisalMinutesReference,
    DateOnly? ReviewedOn,
    DateOnly? NoticeStartsOn,
    DateOnly? NoticeEndsOn,
    DateOnly? EliminatedOn,
    ClosingState? RejectedAt,
    string? RejectionReason,
    DateTimeOffset? ClosedAt,
    IReadOnlyList<TransitionView> Trail);

/// <summary>The result of every closing step: the case after it.</summary>
public sealed record ClosingCaseResult(ClosingCaseView Case);

/// <summary>Loading, saving and showing closing cases.</summary>
internal static class ClosingCases
{
    /// <summary>One closing case in progress per household.</summary>
    public const string OpenCaseIndex = "ux_closing_cases_open";

    /// <summary>One case per source reference.</summary>
    public const string SourceIndex = "ux_closing_cases_source";

    /// <summary>Loads a case the caller may act on, with its household.</summary>
    public static async Task<(ClosingCase Case, Household Household)> LoadForAsync(RegistryDbContext db, Caller caller, string action, CallerRole[] roles, Guid caseId, CancellationToken ct)
    {
        RegionScope.DemandRole(caller, action, roles);
        var c = await db.ClosingCases.FirstOrDefaultAsync(x => x.Id == caseId, ct).ConfigureAwait(false)
            ?? throw new NotFoundException("closing case", caseId.ToString());
        RegionScope.Demand(caller, RegionCode.Parse(c.RegionCode));
        var household = await db.Households.FirstAsync(h => h.Id == c.HouseholdId, ct).ConfigureAwait(false);
        return (c, household);
    }

    /// <summary>Saves a step; a concurrent step becomes FAILED_PRECONDITION.</summary>
    public static Task SaveAsync(RegistryDbContext db, ClosingCase c, CancellationToken ct) =>
        DbErrors.SaveAsync(db, $"closing case {c.Id}", () => c.State.ToString(), ct);

    /// <summary>The view with the full trail.</summary>
    public static async Task<ClosingCaseView> ViewAsync(RegistryDbContext db, ClosingCase c, CancellationToken ct)
    {
        var trail = await db.CaseTransitions.AsNoTracking().Where(t => t.CaseId == c.Id).OrderBy(t => t.Id)
            .Select(t => new TransitionView(t.FromState, t.ToState, t.Action, t.ActorSubject, t.ActorRole, t.At, t.Details))
            .ToListAsync(ct).ConfigureAwait(false);
        return new ClosingCaseView(c.Id, c.HouseholdId, c.RegionCode, c.Source, c.SourceReference, c.Summary, c.State, c.PolicyProvince, c.PolicyVersion,
            c.IncomeStableSince, c.OpenedOn, c.OpenedBy, c.AppraisedOn, c.AppraisalMinutesReference, c.ReviewedOn, c.NoticeStartsOn, c.NoticeEndsOn,
            c.EliminatedOn, c.RejectedAt, c.RejectionReason, c.ClosedAt, trail);
    }

    /// <summary>Checks a step date: given, not before the case opened, not in the future.</summary>
    public static void ValidateStepDate(DateOnly? date, string field, ClosingCase c, DateOnly today, FieldErrors errors)
    {
        if (date is null)
        {
            errors.Add(field, "is required");
            return;
        }
        errors.Require(date >= c.OpenedOn, field, $"{date:yyyy-MM-dd} is before the case opened ({c.OpenedOn:yyyy-MM-dd})");
        errors.Require(date <= today, field, $"{date:yyyy-MM-dd} is in the future");
    }
}
