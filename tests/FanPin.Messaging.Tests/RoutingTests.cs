using FanPin.IntegrationEvents;
using FanPin.Messaging.PublicEvents;

namespace FanPin.Messaging.Tests;

public class RoutingTests
{
    [Theory]
    [InlineData("620102001001", "warning.raised.62.01.02.001.001")]
    [InlineData("620102000000", "warning.raised.62.01.02.000.000")]
    [InlineData("630000000000", "warning.raised.63.00.00.000.000")]
    public void The_routing_key_is_area_event_and_the_five_region_levels(string region, string expected) =>
        Assert.Equal(expected, PublicRouting.RoutingKey(new PublicEventAttribute("warning", "raised"), RegionCode.Parse(region)));

    [Theory]
    [InlineData("62", null, null, "*.*.62.#")]
    [InlineData("6201", "warning", null, "warning.*.62.01.#")]
    [InlineData("620102", "warning", null, "warning.*.62.01.02.#")]
    [InlineData("620102001", "household", "identified", "household.identified.62.01.02.001.#")]
    [InlineData("620102001001", "warning", "raised", "warning.raised.62.01.02.001.001")]
    public void A_binding_key_selects_a_region_prefix(string prefix, string? area, string? name, string expected) =>
        Assert.Equal(expected, PublicRouting.BindingKey(RegionPrefix.Parse(prefix), area, name));

    [Theory]
    [InlineData("warning.*.62.01.02.#", "warning.raised.62.01.02.001.001", true)]
    [InlineData("warning.*.62.01.02.#", "warning.grade-changed.62.01.02.000.000", true)]
    [InlineData("warning.*.62.01.02.#", "warning.raised.62.01.03.001.001", false)]
    [InlineData("warning.*.62.01.02.#", "household.identified.62.01.02.001.001", false)]
    [InlineData("*.*.62.#", "household.risk-eliminated.62.11.02.001.001", true)]
    [InlineData("*.*.62.#", "warning.raised.63.01.02.001.001", false)]
    public void Topic_matching_selects_exactly_the_prefix(string binding, string routingKey, bool matches) =>
        Assert.Equal(matches, TopicMatches(binding.Split('.'), routingKey.Split('.')));

    [Fact]
    public void Every_public_event_routes_with_one_word_area_and_event_names()
    {
        foreach (var type in FanPin.Messaging.Serialization.IntegrationEventTypes.Default.All)
        {
            if (FanPin.Messaging.Serialization.IntegrationEventTypes.PublicEventOf(type) is { } info)
            {
                Assert.Matches("^[a-z]+$", info.Area);
                Assert.Matches("^[a-z]+(-[a-z]+)*$", info.Name);
                Assert.Equal(7, PublicRouting.RoutingKey(info, RegionCode.Parse("620102001001")).Split('.').Length);
            }
        }
    }

    /// <summary>AMQP topic semantics ('*' one word, '#' zero or more), to show the keys work with plain bindings.</summary>
    private static bool TopicMatches(ReadOnlySpan<string> pattern, ReadOnlySpan<string> words)
    {
        if (pattern.IsEmpty)
        {
            return words.IsEmpty;
        }
        if (pattern[0] == "#")
        {
            for (var skip = 0; skip <= words.Length; skip++)
            {
                if (TopicMatches(pattern[1..], words[skip..]))
                {
                    return true;
                }
            }
            return false;
        }
        return !words.IsEmpty && (pattern[0] == "*" || pattern[0] == words[0]) && TopicMatches(pattern[1..], words[1..]);
    }
}
