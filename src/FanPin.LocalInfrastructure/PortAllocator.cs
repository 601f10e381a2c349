using System.Net;
using System.Net.Sockets;

namespace FanPin.LocalInfrastructure;

/// <summary>Free loopback TCP ports, from the kernel's ephemeral range.</summary>
public static class PortAllocator
{
    private static readonly HashSet<int> Handed = [];

    /// <summary>A port nothing listens on now, never handed out twice by this process.</summary>
    public static int FreeTcpPort()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            lock (Handed)
            {
                if (Handed.Add(port))
                {
                    return port;
                }
            }
        }
    }
}
