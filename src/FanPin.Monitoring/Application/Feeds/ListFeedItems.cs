using FanPin.Monitoring.Application.Common;
using FanPin.Monitoring.Domain;
using FanPin.ServiceDefaults.Authentication;

namespace FanPin.Monitoring.Application.Feeds;

/// <summary>Asks for the feed items, optionally of one department.</summary>
public sealed record ListFeedItemsRequest(string? Department = null);

/// <summary>The catalogue of what feed rows may report (docs/monitoring.md, "Feed items").</summary>
public sealed class ListFeedItems
{
    /// <summary>Lists the items.</summary>
    public Task<IReadOnlyList<FeedItem>> HandleAsync(Caller caller, ListFeedItemsRequest request, CancellationToken ct = default)
    {
        RegionScope.DemandRole(caller, "read feed items", MonitoringAccess.Read);
        return Task.FromResult(string.IsNullOrEmpty(request.Department) ? FeedItems.All : FeedItems.Of(request.Department));
    }
}
