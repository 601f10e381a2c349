using FanPin.Policies;

namespace FanPin.Monitoring.Application.Common;

/// <summary>The province policies monitoring applies: the version in force for a household's province on a date.</summary>
public sealed class MonitoringPolicies(PolicySet set)
{
    /// <summary>The set.</summary>
    public PolicySet Set => set;

    /// <summary>The version in force for a region (village code or prefix of at least 2 digits) on a date.</summary>
    public ProvincePolicy InForce(string region, DateOnly date) => set.At(region[..2], date);
}
