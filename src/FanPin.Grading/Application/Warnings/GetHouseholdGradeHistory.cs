using FanPin.Grading.Application.Common;
using FanPin.Grading.Domain;
using FanPin.Grading.Infrastructure;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Grading.Application.Warnings;

/// <summary>A household's grade history.</summary>
/// <param name="HouseholdId">The household.</param>
/// <param name="PageSize">0: 50; at most 500.</param>
/// <param name="PageToken">The previous page's next token.</param>
public sealed record GetHouseholdGradeHistoryRequest(string HouseholdId, int PageSize = 0, string? PageToken = null);

/// <summary>The household's current grade and a page of its grade changes, newest first, each with its reason.</summary>
public sealed record GetHouseholdGradeHistoryResult(
    Guid HouseholdId,
    string RegionCode,
    WarningGrade? CurrentGrade,
    Guid? OpenWarningId,
    IReadOnlyList<GradeChangeView> Changes,
    string? NextPageToken);

/// <summary>Every grade a household has had and why (which rule, which inputs, which policy version).</summary>
public sealed class GetHouseholdGradeHistory(GradingDbContext db)
{
    private const string TokenKind = "grades";

    /// <summary>Runs the use case.</summary>
    public async Task<GetHouseholdGradeHistoryResult> HandleAsync(Caller caller, GetHouseholdGradeHistoryRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(request);
        var v = new Validator();
        if (!Guid.TryParse(request.HouseholdId, out var householdId) || householdId == Guid.Empty)
        {
            v.Add("household_id", $"'{request.HouseholdId}' is not a household id");
        }
        var size = Paging.Size(request.PageSize, v);
        var cursor = Paging.Parse(request.PageToken, TokenKind, 1, v);
        long? before = null;
        if (cursor is not null)
        {
            if (long.TryParse(cursor[0], System.Globalization.CultureInfo.InvariantCulture, out var id))
            {
                before = id;
            }
            else
            {
                v.Add("page_token", "is not a token this list issued");
            }
        }
        v.ThrowIfInvalid();
        var facts = await db.HouseholdFacts.AsNoTracking().SingleOrDefaultAsync(f => f.HouseholdId == householdId, ct).ConfigureAwait(false)
            ?? throw new NotFoundException("household", householdId.ToString());
        GradingAccess.DemandVisible(caller, facts.RegionCode, "household", householdId.ToString());
        var query = db.GradeChanges.AsNoTracking().Where(c => c.HouseholdId == householdId);
        if (before is { } b)
        {
            query = query.Where(c => c.Id < b);
        }
        var rows = await query.OrderByDescending(c => c.Id).Take(size + 1).ToListAsync(ct).ConfigureAwait(false);
        var page = rows.Take(size).ToList();
        var next = rows.Count > size ? Paging.Token(TokenKind, page[^1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture)) : null;
        return new GetHouseholdGradeHistoryResult(householdId, facts.RegionCode, facts.Grade, facts.OpenWarningId,
            page.Select(GradeChangeView.Of).ToList(), next);
    }
}
