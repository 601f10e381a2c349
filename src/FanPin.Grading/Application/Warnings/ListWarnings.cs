using FanPin.Grading.Application.Common;
using FanPin.Grading.Domain;
using FanPin.Grading.Infrastructure;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Grading.Application.Warnings;

/// <summary>Warnings by region, grade and status.</summary>
/// <param name="RegionPrefix">A region prefix inside the caller's scope; empty: the whole scope.</param>
/// <param name="Grades">Only these grades; empty: all.</param>
/// <param name="Statuses">Only these statuses; empty: all but cleared.</param>
/// <param name="PageSize">0: 50; at most 500.</param>
/// <param name="PageToken">The previous page's next token.</param>
public sealed record ListWarningsRequest(
    string? RegionPrefix = null,
    IReadOnlyList<WarningGrade>? Grades = null,
    IReadOnlyList<WarningStatus>? Statuses = null,
    int PageSize = 0,
    string? PageToken = null);

/// <summary>A page of warnings, newest first.</summary>
public sealed record ListWarningsResult(IReadOnlyList<WarningView> Warnings, string? NextPageToken);

/// <summary>Warnings in a region, filtered by grade and status, newest first, in pages.</summary>
public sealed class ListWarnings(GradingDbContext db, PolicyCatalog policies, GradingClock clock)
{
    private const string TokenKind = "warnings";

    /// <summary>Runs the use case.</summary>
    public async Task<ListWarningsResult> HandleAsync(Caller caller, ListWarningsRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(request);
        var v = new Validator();
        var requested = InputChecks.Prefix(request.RegionPrefix, v);
        var grades = request.Grades ?? [];
        var statuses = request.Statuses ?? [];
        for (var i = 0; i < grades.Count; i++)
        {
            v.Require(Enum.IsDefined(grades[i]), $"grades[{i}]", $"'{grades[i]}' is not a grade");
        }
        for (var i = 0; i < statuses.Count; i++)
        {
            v.Require(Enum.IsDefined(statuses[i]), $"statuses[{i}]", $"'{statuses[i]}' is not a status");
        }
        var size = Paging.Size(request.PageSize, v);
        var cursor = Paging.Parse(request.PageToken, TokenKind, 1, v);
        Guid? after = null;
        if (cursor is not null)
        {
            if (Guid.TryParse(cursor[0], out var last))
            {
                after = last;
            }
            else
            {
                v.Add("page_token", "is not a token this list issued");
            }
        }
        v.ThrowIfInvalid();
        var prefix = RegionScope.Narrow(caller, requested).Value;
        var query = db.Warnings.AsNoTracking().Where(w => w.RegionCode.StartsWith(prefix));
        query = grades.Count > 0 ? query.Where(w => grades.Contains(w.Grade)) : query;
        query = statuses.Count > 0 ? query.Where(w => statuses.Contains(w.Status)) : query.Where(w => w.Status != WarningStatus.Cleared);
        if (after is { } a)
        {
            query = query.Where(w => w.Id < a);
        }
        var rows = await query.OrderByDescending(w => w.Id).Take(size + 1).ToListAsync(ct).ConfigureAwait(false);
        var today = clock.Today;
        var policy = await policies.AtAsync(prefix[..2], today, ct).ConfigureAwait(false);
        var page = rows.Take(size).Select(w => WarningView.Of(w, today, policy.WorkingDays)).ToList();
        return new ListWarningsResult(page, rows.Count > size ? Paging.Token(TokenKind, page[^1].WarningId.ToString()) : null);
    }
}
