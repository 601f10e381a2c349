using FanPin.Monitoring.Application.Common;
using FanPin.Monitoring.Domain;
using FanPin.Monitoring.Infrastructure;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Monitoring.Application.Feeds;

/// <summary>Lists the rows of a feed that were not applied, by row number.</summary>
/// <param name="Department">The feed's department.</param>
/// <param name="FeedId">The department's feed id.</param>
/// <param name="PageSize">Page size.</param>
/// <param name="PageToken">Next page token.</param>
public sealed record ListFeedRejectionsRequest(string Department, string FeedId, int PageSize = 0, string? PageToken = null);

/// <summary>A page of rejected rows.</summary>
public sealed record ListFeedRejectionsResult(FeedView Feed, IReadOnlyList<RowRejection> Rejections, string NextPageToken);

/// <summary>Every rejected row of a feed with its reason, over every import of it (the per-row ledger).</summary>
public sealed class ListFeedRejections(MonitoringDbContext db)
{
    /// <summary>Lists a page.</summary>
    public async Task<ListFeedRejectionsResult> HandleAsync(Caller caller, ListFeedRejectionsRequest request, CancellationToken ct = default)
    {
        RegionScope.DemandRole(caller, "read feeds", MonitoringAccess.Read);
        var validator = new Validator();
        var size = Paging.SizeOf(request.PageSize, validator);
        var key = Paging.KeyOf(request.PageToken, validator);
        var after = 0;
        if (key is not null)
        {
            validator.Require(int.TryParse(key, out after), "page_token", "is not a page token returned by this list");
        }
        validator.ThrowIfInvalid();
        var feed = await db.Feeds.AsNoTracking().FirstOrDefaultAsync(f => f.Department == request.Department && f.FeedId == request.FeedId, ct).ConfigureAwait(false);
        if (feed is null
            || (caller.Role == CallerRole.Department && caller.Department != feed.Department)
            || !(caller.Scope.Value.StartsWith(feed.RegionPrefix, StringComparison.Ordinal) || feed.RegionPrefix.StartsWith(caller.Scope.Value, StringComparison.Ordinal)))
        {
            throw new NotFoundException("feed", $"{request.Department}/{request.FeedId}");
        }
        var rows = await db.FeedRows.AsNoTracking()
            .Where(r => r.FeedKey == feed.Key && r.RowNumber > after
                && r.Outcome != FeedRowOutcome.Applied && r.Outcome != FeedRowOutcome.Unchanged)
            .OrderBy(r => r.RowNumber).Take(size + 1).ToListAsync(ct).ConfigureAwait(false);
        return new ListFeedRejectionsResult(FeedView.Of(feed),
            rows.Take(size).Select(r => new RowRejection(r.RowNumber, r.Outcome, r.Reason ?? "")).ToList(),
            rows.Count > size ? Paging.Token(rows[size - 1].RowNumber.ToString(System.Globalization.CultureInfo.InvariantCulture)) : "");
    }
}
