using FanPin.IntegrationEvents;

namespace FanPin.Messaging.Tests.Support;

/// <summary>Event factories for tests.</summary>
internal static class Events
{
    public static Guid Household(int n) => new(n, 0, 0, [0, 0, 0, 0, 0, 0, 0, 1]);

    public static HouseholdChanged Changed(Guid household, long version, string region = "620102001001") => new()
    {
        RegionCode = region,
        HouseholdId = household,
        ChangedFields = ["Category"],
        Version = version,
    };

    public static List<IntegrationEvent> ChangedBurst(int count, int households) =>
        [.. Enumerable.Range(0, count).Select(i => (IntegrationEvent)Changed(Household(i % households), i))];
}
