using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace FanPin.LocalInfrastructure;

/// <summary>
/// Free loopback TCP ports for local servers, chosen below the kernel's ephemeral range. A server keeps its port when
/// it is restarted (a broker restart in a fault test, the AppHost restarting a crashed server); a port from the
/// ephemeral range could meanwhile be taken by any outgoing connection on the machine, and the restart would fail
/// with "address in use" (seen on the busy shared machine).
/// </summary>
public static class PortAllocator
{
    private static readonly HashSet<int> Handed = [];

    /// <summary>The lowest port this allocator uses.</summary>
    public const int RangeStart = 20000;

    /// <summary>A port nothing listens on now, never handed out twice by this process.</summary>
    public static int FreeTcpPort()
    {
        var end = EphemeralRangeStart();
        if (end - RangeStart >= 1000)
        {
            for (var attempt = 0; attempt < 200; attempt++)
            {
                var port = Random.Shared.Next(RangeStart, end);
                if (Reserve(port) && CanListen(port))
                {
                    return port;
                }
            }
        }
        // No room below the ephemeral range (an unusual kernel setting): let the kernel choose.
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            if (Reserve(port))
            {
                return port;
            }
        }
    }

    /// <summary>The first port of the kernel's ephemeral range (outgoing connections), 32768 when unknown.</summary>
    public static int EphemeralRangeStart()
    {
        try
        {
            var text = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            return int.Parse(text[0], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 32768;
        }
    }

    private static bool Reserve(int port)
    {
        lock (Handed)
        {
            return Handed.Add(port);
        }
    }

    private static bool CanListen(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
