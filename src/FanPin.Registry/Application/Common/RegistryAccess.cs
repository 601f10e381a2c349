using FanPin.Registry.Domain;
using FanPin.ServiceDefaults.Authentication;

namespace FanPin.Registry.Application.Common;

/// <summary>
/// Who may do what in the registry (issue 5, "Access"). Every use case calls one of these before it reads or
/// writes, then checks the region scope. Village: read own village, propose cases. Township: verify,
/// appraise, publish notices. County: compare, enter, close, import. Department: read. Province: all.
/// Downstream: read-only, masked.
/// </summary>
public static class RegistryAccess
{
    /// <summary>Read households, members, cases and ledgers.</summary>
    public static readonly CallerRole[] Read =
        [CallerRole.Village, CallerRole.Township, CallerRole.County, CallerRole.Department, CallerRole.Province, CallerRole.Downstream];

    /// <summary>Register and change households and members, assign helpers (township offices enter data).</summary>
    public static readonly CallerRole[] WriteHouseholds = [CallerRole.Township, CallerRole.County, CallerRole.Province];

    /// <summary>Bulk import of households.</summary>
    public static readonly CallerRole[] ImportHouseholds = [CallerRole.County, CallerRole.Province];

    /// <summary>Import the region tree (provincial IT).</summary>
    public static readonly CallerRole[] ImportRegions = [CallerRole.Province];

    /// <summary>Open (propose) an identification case.</summary>
    public static readonly CallerRole[] ProposeCase = [CallerRole.Village, CallerRole.Township, CallerRole.County, CallerRole.Province];

    /// <summary>Home verification, democratic appraisal, public notices, objections; the closing appraisal and review.</summary>
    public static readonly CallerRole[] TownshipSteps = [CallerRole.Township, CallerRole.Province];

    /// <summary>Data comparison, entry, opening closing cases and marking the risk eliminated.</summary>
    public static readonly CallerRole[] CountySteps = [CallerRole.County, CallerRole.Province];

    /// <summary>Checks the role, then that <paramref name="region"/> lies in the caller's scope.</summary>
    public static void Demand(Caller caller, string action, CallerRole[] roles, RegionCode region)
    {
        RegionScope.DemandRole(caller, action, roles);
        RegionScope.Demand(caller, region);
    }

    /// <summary>The actor recorded in audit trails.</summary>
    public static Actor ActorOf(Caller caller) => new(caller.Subject, caller.Role.ToString().ToLowerInvariant());

    /// <summary>Rejection of a step belongs to the role that runs it.</summary>
    public static CallerRole[] RolesForIdentificationStep(IdentificationState state) => state switch
    {
        IdentificationState.AwaitingHomeVerification or IdentificationState.AwaitingDemocraticAppraisal
            or IdentificationState.AwaitingPublicNotice or IdentificationState.UnderPublicNotice => TownshipSteps,
        _ => CountySteps,
    };

    /// <summary>Rejection of a closing step belongs to the role that runs it.</summary>
    public static CallerRole[] RolesForClosingStep(ClosingState state) => state switch
    {
        ClosingState.AwaitingDemocraticAppraisal or ClosingState.AwaitingTownshipReview
            or ClosingState.AwaitingPublicNotice or ClosingState.UnderPublicNotice => TownshipSteps,
        _ => CountySteps,
    };
}
