using System.Globalization;
using FanPin.Monitoring.Application.Common;
using FanPin.Monitoring.Infrastructure;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Monitoring.Application.Guarantees;

/// <summary>Lists a household's guarantee snapshots, latest observation first.</summary>
public sealed record ListGuaranteeSnapshotsRequest(Guid HouseholdId, int PageSize = 0, string? PageToken = null);

/// <summary>A page of snapshots.</summary>
public sealed record ListGuaranteeSnapshotsResult(IReadOnlyList<GuaranteeSnapshotView> Snapshots, string NextPageToken);

/// <summary>The history of a household's guarantee indicators.</summary>
public sealed class ListGuaranteeSnapshots(MonitoringDbContext db)
{
    /// <summary>Lists a page.</summary>
    public async Task<ListGuaranteeSnapshotsResult> HandleAsync(Caller caller, ListGuaranteeSnapshotsRequest request, CancellationToken ct = default)
    {
        var household = await Households.FindAsync(db, caller, "read guarantee indicators", request.HouseholdId, MonitoringAccess.Read, ct).ConfigureAwait(false);
        var validator = new Validator();
        var size = Paging.SizeOf(request.PageSize, validator);
        var key = Paging.KeyOf(request.PageToken, validator);
        (DateOnly On, Guid Id)? after = null;
        if (key is not null)
        {
            var parts = key.Split('|');
            if (parts.Length == 2 && DateOnly.TryParseExact(parts[0], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var on)
                && Guid.TryParse(parts[1], out var id))
            {
                after = (on, id);
            }
            else
            {
                validator.Add("page_token", "is not a page token returned by this list");
            }
        }
        validator.ThrowIfInvalid();
        var query = db.GuaranteeSnapshots.AsNoTracking().Where(s => s.HouseholdId == household.Id);
        if (after is { } a)
        {
            query = query.Where(s => s.ObservedOn < a.On || (s.ObservedOn == a.On && s.Id.CompareTo(a.Id) > 0));
        }
        var page = await query.OrderByDescending(s => s.ObservedOn).ThenBy(s => s.Id).Take(size + 1).ToListAsync(ct).ConfigureAwait(false);
        var next = page.Count > size
            ? Paging.Token(string.Create(CultureInfo.InvariantCulture, $"{page[size - 1].ObservedOn:yyyy-MM-dd}|{page[size - 1].Id}"))
            : "";
        return new ListGuaranteeSnapshotsResult(page.Take(size).Select(GuaranteeSnapshotView.Of).ToList(), next);
    }
}
