using FanPin.Policies;

namespace FanPin.Registry.Application.Common;

/// <summary>The province policies the registry applies: the version in force for a new case, the case's own version after.</summary>
public sealed class RegistryPolicies(PolicySet set)
{
    /// <summary>The set.</summary>
    public PolicySet Set => set;

    /// <summary>The version in force for a village's province today.</summary>
    public ProvincePolicy InForce(string regionCode, DateOnly today) => set.At(RegionCode.Parse(regionCode), today);

    /// <summary>The version a case was opened under: later versions never change a running case.</summary>
    public ProvincePolicy OfCase(string regionCode, string policyProvince, int policyVersion)
    {
        var history = set.HistoryOf(regionCode[..2]);
        return history.Versions.FirstOrDefault(v => v.Province == policyProvince && v.Version == policyVersion)
            ?? throw new InvalidOperationException($"Policy {policyProvince} v{policyVersion} of a running case is no longer loaded; published versions must stay available.");
    }
}
