using System.Text.Json;
using FanPin.Grpc;

namespace FanPinAspire.AppHost.Tests;

/// <summary>One real RPC per service, through the endpoint the AppHost printed, with the token it printed.</summary>
internal static class ServiceCalls
{
    public static async Task CallEachServiceAsync(IReadOnlyList<JsonElement> status, string token)
    {
        foreach (var row in status.Where(r => r.GetProperty("kind").GetString() == "service"))
        {
            var name = row.GetProperty("name").GetString()!;
            var endpoint = row.GetProperty("endpoint").GetString()!;
            using var channel = GrpcChannel.ForAddress(endpoint);
            var headers = new Metadata { { "authorization", $"Bearer {token}" } };
            var health = new Grpc.Health.V1.Health.HealthClient(channel);
            var reply = await health.CheckAsync(new Grpc.Health.V1.HealthCheckRequest(), headers, DateTime.UtcNow.AddSeconds(10));
            Assert.True(reply.Status == Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving, $"{name} is not serving");
        }
    }
}
