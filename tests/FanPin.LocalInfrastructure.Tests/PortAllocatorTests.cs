using System.Net;
using System.Net.Sockets;

namespace FanPin.LocalInfrastructure.Tests;

public sealed class PortAllocatorTests
{
    [Fact]
    public void Ports_are_distinct_listenable_and_outside_the_ephemeral_range()
    {
        var ephemeral = PortAllocator.EphemeralRangeStart();
        var ports = Enumerable.Range(0, 50).Select(_ => PortAllocator.FreeTcpPort()).ToList();

        Assert.Equal(ports.Count, ports.Distinct().Count());
        if (ephemeral - PortAllocator.RangeStart >= 1000)
        {
            // An outgoing connection can never take a server's port while the server restarts.
            Assert.All(ports, p => Assert.InRange(p, PortAllocator.RangeStart, ephemeral - 1));
        }
        foreach (var port in ports.Take(5))
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
        }
    }
}
