using FanPin.ServiceDefaults.Authentication;

namespace FanPin.Monitoring.Application.Common;

/// <summary>
/// Who may do what in monitoring. Every use case checks the role, then the region scope of what it touches.
/// Village cadres and helpers, townships, counties and the province record; departments send feeds (their
/// own department only); everyone reads inside their scope; downstream systems only read.
/// </summary>
public static class MonitoringAccess
{
    /// <summary>Read records, summaries, snapshots, visits, feeds and signals.</summary>
    public static readonly CallerRole[] Read =
        [CallerRole.Village, CallerRole.Township, CallerRole.County, CallerRole.Department, CallerRole.Province, CallerRole.Downstream];

    /// <summary>Record income, costs, guarantee snapshots and visits, and correct records.</summary>
    public static readonly CallerRole[] Record = [CallerRole.Village, CallerRole.Township, CallerRole.County, CallerRole.Province];

    /// <summary>Import a department feed: the department itself, or a county or province office on its behalf.</summary>
    public static readonly CallerRole[] ImportFeed = [CallerRole.Department, CallerRole.County, CallerRole.Province];

    /// <summary>Checks the role, then that <paramref name="region"/> lies in the caller's scope.</summary>
    public static void Demand(Caller caller, string action, CallerRole[] roles, RegionCode region)
    {
        RegionScope.DemandRole(caller, action, roles);
        RegionScope.Demand(caller, region);
    }
}
