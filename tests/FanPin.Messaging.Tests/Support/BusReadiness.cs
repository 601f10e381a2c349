using FanPin.Testing;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FanPin.Messaging.Tests.Support;

internal static class BusReadiness
{
    /// <summary>Waits until the host's bus has bound its receive endpoints (events published earlier would be routed nowhere).</summary>
    public static Task WaitForBusAsync(this IHost host)
    {
        var bus = host.Services.GetRequiredService<IBusControl>();
        return Eventually.WaitAsync(() => Task.FromResult(bus.CheckHealth().Status == BusHealthStatus.Healthy), "the bus to be healthy");
    }
}
