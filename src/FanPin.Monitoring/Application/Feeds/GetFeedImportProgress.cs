using FanPin.Monitoring.Application.Common;
using FanPin.ServiceDefaults.Authentication;

namespace FanPin.Monitoring.Application.Feeds;

/// <summary>Asks for the progress of a running import.</summary>
public sealed record GetFeedImportProgressRequest(string Department, string FeedId);

/// <summary>Progress of an import running in this process; null when none runs (or ran) here.</summary>
public sealed class GetFeedImportProgress(FeedImportProgressBoard board)
{
    /// <summary>Reads the progress. A department sees only its own feeds.</summary>
    public Task<ImportProgress?> HandleAsync(Caller caller, GetFeedImportProgressRequest request, CancellationToken ct = default)
    {
        RegionScope.DemandRole(caller, "watch feed imports", MonitoringAccess.ImportFeed);
        if (caller.Role == CallerRole.Department && caller.Department != request.Department)
        {
            throw new AccessDeniedException($"department {caller.Department} may not watch the feeds of {request.Department}");
        }
        return Task.FromResult(board.Get(request.Department, request.FeedId));
    }
}
