namespace FanPin.Messaging.Hosting;

/// <summary>The parts of an amqp:// or amqps:// URI (<c>amqp://user:pass@host:5672/vhost</c>; an empty path is the vhost "/").</summary>
public sealed record BrokerAddress(string Host, ushort Port, string VirtualHost, string UserName, string Password, bool UseSsl)
{
    public static BrokerAddress Parse(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        var ssl = uri.Scheme switch
        {
            "amqp" => false,
            "amqps" => true,
            _ => throw new FormatException($"The messaging connection string must be an amqp:// or amqps:// URI, not '{uri.Scheme}://...'."),
        };
        var path = uri.AbsolutePath.TrimStart('/');
        var vhost = path.Length == 0 ? "/" : Uri.UnescapeDataString(path);
        var credentials = uri.UserInfo.Split(':', 2);
        var user = credentials[0].Length > 0 ? Uri.UnescapeDataString(credentials[0]) : "guest";
        var password = credentials.Length == 2 ? Uri.UnescapeDataString(credentials[1]) : "guest";
        var port = uri.IsDefaultPort || uri.Port <= 0 ? (ssl ? 5671 : 5672) : uri.Port;
        return new BrokerAddress(uri.Host, (ushort)port, vhost, user, password, ssl);
    }

    /// <summary>A MassTransit address of an exchange or queue on this broker (rabbitmq://host:port/vhost/name).</summary>
    public Uri MassTransitAddress(string entity)
    {
        var vhost = VirtualHost == "/" ? "" : Uri.EscapeDataString(VirtualHost) + "/";
        return new Uri($"{(UseSsl ? "rabbitmqs" : "rabbitmq")}://{Host}:{Port}/{vhost}{Uri.EscapeDataString(entity)}");
    }

    public override string ToString() => $"{(UseSsl ? "amqps" : "amqp")}://{UserName}@{Host}:{Port}/{Uri.EscapeDataString(VirtualHost)}";
}
