namespace FanPin.IntegrationEvents;

/// <summary>
/// Marks an event that also goes to downstream systems on the public <c>fanpin.events</c> topic exchange, as a
/// CloudEvents 1.0 document of type <c>cn.fanpin.&lt;area&gt;.&lt;name&gt;.v&lt;version&gt;</c> with routing key
/// <c>&lt;area&gt;.&lt;name&gt;.&lt;pp&gt;.&lt;cc&gt;.&lt;dd&gt;.&lt;ttt&gt;.&lt;vvv&gt;</c>. Public events carry no personal data.
/// </summary>
/// <param name="area">The publishing area, one lower-case word: "warning", "household".</param>
/// <param name="name">The event within the area, lower-case kebab: "raised", "grade-changed".</param>
/// <param name="version">The public schema version (the <c>.vN</c> suffix of the type).</param>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class PublicEventAttribute(string area, string name, int version = 1) : Attribute
{
    /// <summary>The area, the first word of the routing key.</summary>
    public string Area { get; } = area;

    /// <summary>The event name, the second word of the routing key.</summary>
    public string Name { get; } = name;

    /// <summary>The public schema version.</summary>
    public int Version { get; } = version;

    /// <summary>The CloudEvents <c>type</c>, e.g. <c>cn.fanpin.warning.raised.v1</c>.</summary>
    public string CloudEventType => $"cn.fanpin.{Area}.{Name}.v{Version}";
}
