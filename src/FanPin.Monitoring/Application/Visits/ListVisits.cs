using FanPin.Monitoring.Application.Common;
using FanPin.Monitoring.Infrastructure;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Monitoring.Application.Visits;

/// <summary>Lists a household's visits, latest first, optionally within dates.</summary>
public sealed record ListVisitsRequest(Guid HouseholdId, DateOnly? From = null, DateOnly? To = null, int PageSize = 0, string? PageToken = null);

/// <summary>A page of visits.</summary>
public sealed record ListVisitsResult(IReadOnlyList<VisitView> Visits, string NextPageToken);

/// <summary>A household's visit records.</summary>
public sealed class ListVisits(MonitoringDbContext db)
{
    /// <summary>Lists a page.</summary>
    public async Task<ListVisitsResult> HandleAsync(Caller caller, ListVisitsRequest request, CancellationToken ct = default)
    {
        var household = await Households.FindAsync(db, caller, "read visits", request.HouseholdId, MonitoringAccess.Read, ct).ConfigureAwait(false);
        var validator = new Validator();
        var size = Paging.SizeOf(request.PageSize, validator);
        var key = Paging.KeyOf(request.PageToken, validator);
        Guid? after = null;
        if (key is not null)
        {
            validator.Require(Guid.TryParse(key, out var id), "page_token", "is not a page token returned by this list");
            after = id;
        }
        validator.ThrowIfInvalid();
        var query = db.Visits.AsNoTracking().Where(v => v.HouseholdId == household.Id);
        if (request.From is { } from)
        {
            query = query.Where(v => v.VisitedOn >= from);
        }
        if (request.To is { } to)
        {
            query = query.Where(v => v.VisitedOn <= to);
        }
        if (after is { } a)
        {
            // Ids are UUIDv7: ordering by id descending is ordering by recording time, stable across pages.
            query = query.Where(v => v.Id.CompareTo(a) < 0);
        }
        var page = await query.OrderByDescending(v => v.Id).Take(size + 1).ToListAsync(ct).ConfigureAwait(false);
        return new ListVisitsResult(page.Take(size).Select(VisitView.Of).ToList(), page.Count > size ? Paging.Token(page[size - 1].Id.ToString()) : "");
    }
}
