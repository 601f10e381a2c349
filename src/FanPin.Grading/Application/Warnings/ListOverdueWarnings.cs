using System.Globalization;
using FanPin.Grading.Application.Common;
using FanPin.Grading.Domain;
using FanPin.Grading.Infrastructure;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Grading.Application.Warnings;

/// <summary>The overdue list of a region.</summary>
/// <param name="RegionPrefix">A region prefix inside the caller's scope; empty: the whole scope.</param>
/// <param name="PageSize">0: 50; at most 500.</param>
/// <param name="PageToken">The previous page's next token.</param>
public sealed record ListOverdueWarningsRequest(string? RegionPrefix = null, int PageSize = 0, string? PageToken = null);

/// <summary>A page of overdue warnings, longest overdue first.</summary>
public sealed record ListOverdueWarningsResult(IReadOnlyList<WarningView> Warnings, string? NextPageToken);

/// <summary>
/// Warnings whose response deadline has passed and that still await their response (not under assistance, not
/// cleared), including escalated ones past their new deadline — the list a county shows in its warning colour.
/// </summary>
public sealed class ListOverdueWarnings(GradingDbContext db, PolicyCatalog policies, GradingClock clock)
{
    private const string TokenKind = "overdue";

    /// <summary>Runs the use case.</summary>
    public async Task<ListOverdueWarningsResult> HandleAsync(Caller caller, ListOverdueWarningsRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(request);
        var v = new Validator();
        var requested = InputChecks.Prefix(request.RegionPrefix, v);
        var size = Paging.Size(request.PageSize, v);
        var cursor = Paging.Parse(request.PageToken, TokenKind, 2, v);
        (DateOnly Due, Guid Id)? after = null;
        if (cursor is not null)
        {
            if (DateOnly.TryParseExact(cursor[0], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var due) && Guid.TryParse(cursor[1], out var id))
            {
                after = (due, id);
            }
            else
            {
                v.Add("page_token", "is not a token this list issued");
            }
        }
        v.ThrowIfInvalid();
        var prefix = RegionScope.Narrow(caller, requested).Value;
        var today = clock.Today;
        var awaiting = new[] { WarningStatus.Raised, WarningStatus.Acknowledged, WarningStatus.Dispatched, WarningStatus.Escalated };
        var query = db.Warnings.AsNoTracking()
            .Where(w => w.RegionCode.StartsWith(prefix) && awaiting.Contains(w.Status) && w.DueOn < today);
        if (after is { } a)
        {
            query = query.Where(w => w.DueOn > a.Due || (w.DueOn == a.Due && w.Id > a.Id));
        }
        var rows = await query.OrderBy(w => w.DueOn).ThenBy(w => w.Id).Take(size + 1).ToListAsync(ct).ConfigureAwait(false);
        var policy = await policies.AtAsync(prefix[..2], today, ct).ConfigureAwait(false);
        var page = rows.Take(size).Select(w => WarningView.Of(w, today, policy.WorkingDays)).ToList();
        var next = rows.Count > size
            ? Paging.Token(TokenKind, page[^1].DueOn!.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), page[^1].WarningId.ToString())
            : null;
        return new ListOverdueWarningsResult(page, next);
    }
}
