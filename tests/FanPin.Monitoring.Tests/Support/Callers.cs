using FanPin.ServiceDefaults.Authentication;

namespace FanPin.Monitoring.Tests.Support;

/// <summary>Callers of each role, scoped to a region.</summary>
public static class Callers
{
    public static Caller Village(string village) => new("cadre-" + village, CallerRole.Village, RegionPrefix.Parse(village), null);

    public static Caller County(string county) => new("county-" + county, CallerRole.County, RegionPrefix.Parse(county), null);

    public static Caller Province(string province) => new("province-" + province, CallerRole.Province, RegionPrefix.Parse(province), null);

    public static Caller Department(string department, string region) => new($"{department}-{region}", CallerRole.Department, RegionPrefix.Parse(region), department);

    public static Caller Downstream(string region) => new("downstream-" + region, CallerRole.Downstream, RegionPrefix.Parse(region), null);
}
