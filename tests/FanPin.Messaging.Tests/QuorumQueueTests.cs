using FanPin.LocalInfrastructure;
using FanPin.Messaging.Tests.Support;
using FanPin.Messaging.TestHost;
using FanPin.Messaging.TestHost.Consumers;
using FanPin.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FanPin.Messaging.Tests;

/// <summary>
/// <c>Messaging__QuorumQueues=true</c> (what a province sets on a RabbitMQ cluster, docs/deployment.md) declares the
/// service's queues as quorum queues; without it they stay classic.
/// </summary>
public class QuorumQueueTests(ScenarioInfrastructure infrastructure) : IClassFixture<ScenarioInfrastructure>
{
    [Theory]
    [InlineData("true", "quorum")]
    [InlineData(null, "classic")]
    public async Task The_setting_decides_the_type_of_the_service_queues(string? setting, string expectedType)
    {
        var service = $"quorum{expectedType}-{infrastructure.Id}";
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration["ConnectionStrings:messaging"] = infrastructure.RabbitMqConnectionString;
        builder.Configuration[MessagingHostingExtensions.QuorumQueuesKey] = setting;
        builder.Services.AddDbContext<ScenarioDbContext>(o => o.UseNpgsql(infrastructure.PostgresConnectionString));
        builder.AddFanPinMessaging<ScenarioDbContext>(service, m => m.AddConsumer<MemberChangedConsumer>());
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            await host.WaitForBusAsync();
            var amqp = new Uri(infrastructure.RabbitMqConnectionString);
            var credentials = Uri.UnescapeDataString(amqp.UserInfo).Split(':', 2);
            using var management = new RabbitMqManagement(infrastructure.Endpoints.RabbitMqManagement, credentials[0], credentials[1]);
            string? type = null;
            await Eventually.WaitAsync(async () => (type = await management.GetQueueTypeAsync(infrastructure.VirtualHost, service + "-member-changed", CancellationToken.None)) is not null,
                "the consumer's queue is declared");
            Assert.Equal(expectedType, type);
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
