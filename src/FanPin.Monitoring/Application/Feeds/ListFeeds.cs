using FanPin.Monitoring.Application.Common;
using FanPin.Monitoring.Domain;
using FanPin.Monitoring.Infrastructure;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Monitoring.Application.Feeds;

/// <summary>Lists feeds: by department, region and reporting months.</summary>
/// <param name="Department">Only this department (a department caller always sees only its own).</param>
/// <param name="Region">Region prefix; default the caller's scope. Feeds covering the region or lying inside it are listed.</param>
/// <param name="FromPeriod">First reporting month "yyyy-MM".</param>
/// <param name="ToPeriod">Last reporting month.</param>
/// <param name="PageSize">Page size.</param>
/// <param name="PageToken">Next page token.</param>
public sealed record ListFeedsRequest(string? Department = null, string? Region = null, string? FromPeriod = null, string? ToPeriod = null,
    int PageSize = 0, string? PageToken = null);

/// <summary>A feed with its arrival and quality figures.</summary>
public sealed record FeedView(
    long FeedKey,
    string FeedId,
    string Department,
    string Period,
    string RegionPrefix,
    DateTimeOffset ArrivedAt,
    DateTimeOffset LastImportedAt,
    string ImportedBy,
    DateOnly? DueOn,
    bool Late,
    int RowCount,
    int AppliedRows,
    int UnchangedRows,
    int DuplicateRows,
    int InvalidRows,
    int UnmatchedRows,
    int OutsideScopeRows,
    decimal? MatchRate,
    decimal? ErrorRate,
    IReadOnlyList<string> Anomalies)
{
    /// <summary>The view of a feed.</summary>
    public static FeedView Of(Feed f) => new(f.Key, f.FeedId, f.Department, YearMonth.Of(f.Period).ToString(), f.RegionPrefix, f.ArrivedAt, f.LastImportedAt,
        f.ImportedBy, f.DueOn, f.Late, f.RowCount, f.AppliedRows, f.UnchangedRows, f.DuplicateRows, f.InvalidRows, f.UnmatchedRows, f.OutsideScopeRows,
        f.MatchRate, f.ErrorRate, f.AnomaliesRaised);
}

/// <summary>A page of feeds, latest period first.</summary>
public sealed record ListFeedsResult(IReadOnlyList<FeedView> Feeds, string NextPageToken);

/// <summary>Feed management: every feed's arrival time, row count, match rate, error rate, lateness and anomalies.</summary>
public sealed class ListFeeds(MonitoringDbContext db)
{
    /// <summary>Lists a page.</summary>
    public async Task<ListFeedsResult> HandleAsync(Caller caller, ListFeedsRequest request, CancellationToken ct = default)
    {
        RegionScope.DemandRole(caller, "read feeds", MonitoringAccess.Read);
        var validator = new Validator();
        RegionPrefix? requested = null;
        if (!string.IsNullOrEmpty(request.Region))
        {
            validator.Require(RegionPrefix.TryParse(request.Region, out var p, out var error), "region", error);
            requested = p;
        }
        YearMonth? from = null, to = null;
        if (!string.IsNullOrEmpty(request.FromPeriod))
        {
            validator.Require(YearMonth.TryParse(request.FromPeriod, out var f), "from_period", $"'{request.FromPeriod}' is not a month (yyyy-MM)");
            from = f;
        }
        if (!string.IsNullOrEmpty(request.ToPeriod))
        {
            validator.Require(YearMonth.TryParse(request.ToPeriod, out var t), "to_period", $"'{request.ToPeriod}' is not a month (yyyy-MM)");
            to = t;
        }
        var size = Paging.SizeOf(request.PageSize, validator);
        var key = Paging.KeyOf(request.PageToken, validator);
        long? afterKey = null;
        if (key is not null)
        {
            validator.Require(long.TryParse(key, out var k), "page_token", "is not a page token returned by this list");
            afterKey = k;
        }
        validator.ThrowIfInvalid();
        var prefix = RegionScope.Narrow(caller, requested).Value;
        var department = caller.Role == CallerRole.Department ? caller.Department : request.Department;
        var query = db.Feeds.AsNoTracking().Where(f => f.RegionPrefix.StartsWith(prefix) || prefix.StartsWith(f.RegionPrefix));
        if (!string.IsNullOrEmpty(department))
        {
            query = query.Where(f => f.Department == department);
        }
        if (from is { } fm)
        {
            var d = fm.FirstDay;
            query = query.Where(f => f.Period >= d);
        }
        if (to is { } tm)
        {
            var d = tm.FirstDay;
            query = query.Where(f => f.Period <= d);
        }
        if (afterKey is { } a)
        {
            query = query.Where(f => f.Key < a);
        }
        var page = await query.OrderByDescending(f => f.Key).Take(size + 1).ToListAsync(ct).ConfigureAwait(false);
        return new ListFeedsResult(page.Take(size).Select(FeedView.Of).ToList(),
            page.Count > size ? Paging.Token(page[size - 1].Key.ToString(System.Globalization.CultureInfo.InvariantCulture)) : "");
    }
}
