using System.Security.Claims;

namespace FanPin.ServiceDefaults.Authentication;

/// <summary>Who calls (DOMAIN.md §1). The role fixes what a caller may do; the region scope fixes where.</summary>
public enum CallerRole
{
    /// <summary>Village cadre or assigned helper: one village.</summary>
    Village,
    /// <summary>Township office: one township.</summary>
    Township,
    /// <summary>County office (dispatch centre): one county.</summary>
    County,
    /// <summary>A department (civil affairs, medical insurance, ...), named by the <c>dept</c> claim.</summary>
    Department,
    /// <summary>Provincial staff and provincial IT: the whole province.</summary>
    Province,
    /// <summary>A downstream system: read-only, masked.</summary>
    Downstream,
}

/// <summary>The claims FanPin tokens carry.</summary>
public static class FanPinClaims
{
    /// <summary>The role, one of <see cref="CallerRole"/> in lower case.</summary>
    public const string Role = "role";

    /// <summary>The region scope: a region code prefix (DOMAIN.md §2).</summary>
    public const string Region = "region";

    /// <summary>The department, for the department role (e.g. <c>medical-insurance</c>).</summary>
    public const string Department = "dept";

    /// <summary>The subject (user or system id).</summary>
    public const string Subject = "sub";

    /// <summary>A display name.</summary>
    public const string Name = "name";
}

/// <summary>An authenticated caller: subject, role, region scope and, for departments, the department.</summary>
public sealed record Caller(string Subject, CallerRole Role, RegionPrefix Scope, string? Department, string? Name = null)
{
    /// <summary>The level a role's scope must have; null where any level is allowed.</summary>
    public static RegionLevel? RequiredScopeLevel(CallerRole role) => role switch
    {
        CallerRole.Village => RegionLevel.Village,
        CallerRole.Township => RegionLevel.Township,
        CallerRole.County => RegionLevel.County,
        CallerRole.Province => RegionLevel.Province,
        _ => null,
    };

    /// <summary>
    /// Reads a caller from validated token claims. A token without a region, with an unknown role, with a
    /// region that does not fit the role's level, or a department token without <c>dept</c> is refused.
    /// </summary>
    public static bool TryFrom(ClaimsPrincipal principal, out Caller caller, out string error)
    {
        caller = null!;
        var subject = principal.FindFirst(FanPinClaims.Subject)?.Value ?? principal.FindFirst(ClaimTypes.NameIdentifier)?.Value;
        var roleText = principal.FindFirst(FanPinClaims.Role)?.Value ?? principal.FindFirst(ClaimTypes.Role)?.Value;
        var regionText = principal.FindFirst(FanPinClaims.Region)?.Value;
        if (string.IsNullOrWhiteSpace(subject))
        {
            error = "token has no subject (sub)";
            return false;
        }
        if (!Enum.TryParse<CallerRole>(roleText, ignoreCase: true, out var role) || int.TryParse(roleText, out _))
        {
            error = $"token has an unknown role '{roleText}'; expected village, township, county, department, province or downstream";
            return false;
        }
        if (string.IsNullOrWhiteSpace(regionText))
        {
            error = "token has no region scope (region)";
            return false;
        }
        if (!RegionPrefix.TryParse(regionText, out var scope, out var regionError))
        {
            error = $"token region {regionError}";
            return false;
        }
        if (RequiredScopeLevel(role) is { } level && scope.Level != level)
        {
            error = $"a {role.ToString().ToLowerInvariant()} token needs a {level.ToString().ToLowerInvariant()} region, not '{scope}'";
            return false;
        }
        var department = principal.FindFirst(FanPinClaims.Department)?.Value;
        if (role == CallerRole.Department && string.IsNullOrWhiteSpace(department))
        {
            error = "a department token needs a dept claim";
            return false;
        }
        caller = new Caller(subject, role, scope, role == CallerRole.Department ? department : null, principal.FindFirst(FanPinClaims.Name)?.Value);
        error = "";
        return true;
    }

    /// <summary>True for roles that may only read.</summary>
    public bool IsReadOnly => Role == CallerRole.Downstream;

    /// <summary>Whether answers may show full ID numbers to this caller (downstream systems and departments see them masked).</summary>
    public bool MaySeeFullIdNumbers => Role is CallerRole.Village or CallerRole.Township or CallerRole.County or CallerRole.Province;
}
