using FanPin.IntegrationEvents;

namespace FanPin.Messaging.PublicEvents;

/// <summary>
/// Routing on the public exchange: <c>&lt;area&gt;.&lt;event&gt;.&lt;pp&gt;.&lt;cc&gt;.&lt;dd&gt;.&lt;ttt&gt;.&lt;vvv&gt;</c>, e.g.
/// <c>warning.raised.62.01.02.001.001</c>. Each region level is one word, so a subscriber selects a region and
/// everything below it with a plain topic binding (<c>warning.*.62.01.02.#</c>: every warning event of one county).
/// </summary>
public static class PublicRouting
{
    /// <summary>The durable topic exchange downstream systems bind to.</summary>
    public const string Exchange = "fanpin.events";

    /// <summary>The routing key of one event.</summary>
    public static string RoutingKey(PublicEventAttribute info, RegionCode region) =>
        $"{info.Area}.{info.Name}.{region.ToDottedLevels()}";

    /// <summary>
    /// A binding key selecting a region prefix, optionally one area and one event:
    /// <c>BindingKey(RegionPrefix.Parse("620102"), "warning")</c> is <c>warning.*.62.01.02.#</c>.
    /// </summary>
    public static string BindingKey(RegionPrefix prefix, string? area = null, string? name = null)
    {
        var digits = prefix.Value;
        var words = new List<string>();
        var start = 0;
        foreach (var end in RegionCode.PrefixLengths)
        {
            if (end > digits.Length)
            {
                break;
            }
            words.Add(digits[start..end]);
            start = end;
        }
        var region = string.Join('.', words);
        // A village prefix names all five levels: nothing can follow it.
        var tail = words.Count == RegionCode.PrefixLengths.Count ? region : region + ".#";
        return $"{area ?? "*"}.{name ?? "*"}.{tail}";
    }
}
