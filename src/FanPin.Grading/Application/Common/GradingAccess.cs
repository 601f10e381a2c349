using FanPin.ServiceDefaults.Authentication;

namespace FanPin.Grading.Application.Common;

/// <summary>Who may do what in grading (on top of the region scope every read and write checks).</summary>
public static class GradingAccess
{
    /// <summary>Acknowledge and dispatch: the county dispatch centre, or the province above it.</summary>
    public static readonly CallerRole[] Dispatchers = [CallerRole.County, CallerRole.Province];

    /// <summary>Report that assistance started: those it was handed to, or the county and province.</summary>
    public static readonly CallerRole[] Assisters = [CallerRole.Township, CallerRole.Department, CallerRole.County, CallerRole.Province];

    /// <summary>Publish policies, run what-ifs, rebuild projections: provincial staff and IT.</summary>
    public static readonly CallerRole[] PolicyAdmins = [CallerRole.Province];

    /// <summary>The 2-digit province of a caller's scope.</summary>
    public static string ProvinceOf(Caller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return caller.Scope.Value[..2];
    }

    /// <summary>Throws <see cref="AccessDeniedException"/> unless the caller's scope lies in <paramref name="province"/>.</summary>
    public static void DemandProvince(Caller caller, string province)
    {
        if (ProvinceOf(caller) != province)
        {
            throw new AccessDeniedException($"province {province} is outside the caller's scope {caller.Scope}");
        }
    }

    /// <summary>Throws <see cref="NotFoundException"/> when the region lies outside the scope: callers never learn what exists elsewhere.</summary>
    public static void DemandVisible(Caller caller, string regionCode, string kind, string id)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (!caller.Scope.Contains(RegionCode.Parse(regionCode)))
        {
            throw new NotFoundException(kind, id);
        }
    }
}
