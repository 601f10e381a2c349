using System.Globalization;
using FanPin.Monitoring.Application.Common;
using FanPin.Monitoring.Domain;
using FanPin.Monitoring.Infrastructure;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Monitoring.Application.Records;

/// <summary>Lists a household's records, newest month first.</summary>
/// <param name="HouseholdId">The household.</param>
/// <param name="FromMonth">First month ("yyyy-MM"), optional.</param>
/// <param name="ToMonth">Last month, optional.</param>
/// <param name="IncludeSuperseded">Also list superseded versions (the correction history).</param>
/// <param name="PageSize">Page size (default 50, at most 1000).</param>
/// <param name="PageToken">Token of the next page from the previous answer.</param>
public sealed record ListRecordsRequest(Guid HouseholdId, string? FromMonth = null, string? ToMonth = null, bool IncludeSuperseded = false,
    int PageSize = 0, string? PageToken = null);

/// <summary>A page of records.</summary>
public sealed record ListRecordsResult(IReadOnlyList<RecordView> Records, string NextPageToken);

/// <summary>Lists records (ordered by month descending, then id).</summary>
public sealed class ListRecords(MonitoringDbContext db)
{
    /// <summary>Lists a page.</summary>
    public async Task<ListRecordsResult> HandleAsync(Caller caller, ListRecordsRequest request, CancellationToken ct = default)
    {
        var household = await Households.FindAsync(db, caller, "read records", request.HouseholdId, MonitoringAccess.Read, ct).ConfigureAwait(false);
        var validator = new Validator();
        YearMonth? from = null, to = null;
        if (!string.IsNullOrEmpty(request.FromMonth))
        {
            validator.Require(YearMonth.TryParse(request.FromMonth, out var f), "from_month", $"'{request.FromMonth}' is not a month (yyyy-MM)");
            from = f;
        }
        if (!string.IsNullOrEmpty(request.ToMonth))
        {
            validator.Require(YearMonth.TryParse(request.ToMonth, out var t), "to_month", $"'{request.ToMonth}' is not a month (yyyy-MM)");
            to = t;
        }
        var size = Paging.SizeOf(request.PageSize, validator);
        var key = Paging.KeyOf(request.PageToken, validator);
        (DateOnly Month, Guid Id)? after = null;
        if (key is not null)
        {
            var parts = key.Split('|');
            if (parts.Length == 2 && DateOnly.TryParseExact(parts[0], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var m)
                && Guid.TryParse(parts[1], out var id))
            {
                after = (m, id);
            }
            else
            {
                validator.Add("page_token", "is not a page token returned by this list");
            }
        }
        validator.ThrowIfInvalid();
        var query = db.Records.AsNoTracking().Where(r => r.HouseholdId == household.Id);
        if (!request.IncludeSuperseded)
        {
            query = query.Where(r => r.SupersededById == null);
        }
        if (from is { } fm)
        {
            var d = fm.FirstDay;
            query = query.Where(r => r.Month >= d);
        }
        if (to is { } tm)
        {
            var d = tm.FirstDay;
            query = query.Where(r => r.Month <= d);
        }
        if (after is { } a)
        {
            query = query.Where(r => r.Month < a.Month || (r.Month == a.Month && r.Id.CompareTo(a.Id) > 0));
        }
        var page = await query.OrderByDescending(r => r.Month).ThenBy(r => r.Id).Take(size + 1).ToListAsync(ct).ConfigureAwait(false);
        var next = page.Count > size
            ? Paging.Token(string.Create(CultureInfo.InvariantCulture, $"{page[size - 1].Month:yyyy-MM-dd}|{page[size - 1].Id}"))
            : "";
        return new ListRecordsResult(page.Take(size).Select(RecordView.Of).ToList(), next);
    }
}
