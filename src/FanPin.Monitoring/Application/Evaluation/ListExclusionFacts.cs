using FanPin.Monitoring.Application.Common;
using FanPin.Monitoring.Domain;
using FanPin.Monitoring.Infrastructure;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Monitoring.Application.Evaluation;

/// <summary>Asks for a household's exclusion facts.</summary>
public sealed record ListExclusionFactsRequest(Guid HouseholdId);

/// <summary>One fact with where it came from.</summary>
public sealed record ExclusionFactRecord(ExclusionFactView Fact, long FeedKey, int FeedRow, DateTimeOffset RecordedAt);

/// <summary>The exclusion facts departments reported for a household (for the registry's data comparison, 信息比对).</summary>
public sealed class ListExclusionFacts(MonitoringDbContext db)
{
    /// <summary>Lists them, oldest first.</summary>
    public async Task<IReadOnlyList<ExclusionFactRecord>> HandleAsync(Caller caller, ListExclusionFactsRequest request, CancellationToken ct = default)
    {
        var household = await Households.FindAsync(db, caller, "read exclusion facts", request.HouseholdId, MonitoringAccess.Read, ct).ConfigureAwait(false);
        var facts = await db.ExclusionFacts.AsNoTracking().Where(f => f.HouseholdId == household.Id)
            .OrderBy(f => f.RecordedAt).ThenBy(f => f.Id).ToListAsync(ct).ConfigureAwait(false);
        return facts.Select(f => new ExclusionFactRecord(f.View, f.FeedKey, f.FeedRow, f.RecordedAt)).ToList();
    }
}
