namespace FanPin.ServiceDefaults.Authentication;

/// <summary>
/// The one check every service makes before it reads or writes a region's data: the resource must lie
/// inside the caller's region scope. A county user never sees another county's households.
/// </summary>
public static class RegionScope
{
    /// <summary>True when <paramref name="region"/> lies inside the caller's scope.</summary>
    public static bool Allows(Caller caller, RegionCode region) => caller.Scope.Contains(region);

    /// <summary>True when a whole requested prefix (a list filter, a subscription) lies inside the caller's scope.</summary>
    public static bool Allows(Caller caller, RegionPrefix requested) => caller.Scope.Contains(requested);

    /// <summary>Throws <see cref="AccessDeniedException"/> unless <paramref name="region"/> lies inside the scope.</summary>
    public static void Demand(Caller caller, RegionCode region)
    {
        if (!Allows(caller, region))
        {
            throw new AccessDeniedException($"region {region} is outside the caller's scope {caller.Scope}");
        }
    }

    /// <summary>Throws <see cref="AccessDeniedException"/> unless the whole prefix lies inside the scope.</summary>
    public static void Demand(Caller caller, RegionPrefix requested)
    {
        if (!Allows(caller, requested))
        {
            throw new AccessDeniedException($"region {requested} is outside the caller's scope {caller.Scope}");
        }
    }

    /// <summary>
    /// Narrows a requested list filter to the caller's scope: no filter means "my whole scope"; a filter
    /// outside it is refused.
    /// </summary>
    public static RegionPrefix Narrow(Caller caller, RegionPrefix? requested)
    {
        if (requested is not { } prefix)
        {
            return caller.Scope;
        }
        Demand(caller, prefix);
        return prefix;
    }

    /// <summary>Throws <see cref="AccessDeniedException"/> unless the caller has one of <paramref name="roles"/>.</summary>
    public static void DemandRole(Caller caller, string action, params CallerRole[] roles)
    {
        if (!roles.Contains(caller.Role))
        {
            throw new AccessDeniedException(
                $"role {caller.Role.ToString().ToLowerInvariant()} may not {action}; allowed: {string.Join(", ", roles.Select(r => r.ToString().ToLowerInvariant()))}");
        }
    }
}

/// <summary>The caller may not do this (gRPC PERMISSION_DENIED).</summary>
public sealed class AccessDeniedException(string message) : Exception(message);
