using System.Text.Json;
using FanPin.Grpc;
using Assistance = FanPin.Contracts.Assistance.V1;
using Grading = FanPin.Contracts.Grading.V1;
using Monitoring = FanPin.Contracts.Monitoring.V1;
using Notification = FanPin.Contracts.Notification.V1;
using Registry = FanPin.Contracts.Registry.V1;

namespace FanPinAspire.AppHost.Tests;

/// <summary>
/// One real business RPC per service (after grpc.health.v1), through the endpoint the AppHost printed, with the
/// token it printed. A service added to the composition without a call here fails the test: every service must
/// prove it serves its own API, not just health.
/// </summary>
internal static class ServiceCalls
{
    private static readonly Dictionary<string, Func<GrpcChannel, Metadata, DateTime, Task<string>>> BusinessCalls = new(StringComparer.Ordinal)
    {
        ["registry"] = async (channel, headers, deadline) =>
        {
            var reply = await new Registry.RegionService.RegionServiceClient(channel).ListRegionChildrenAsync(new Registry.ListRegionChildrenRequest(), headers, deadline);
            return $"RegionService/ListRegionChildren: {reply.Regions.Count} top-level regions";
        },
        ["monitoring"] = async (channel, headers, deadline) =>
        {
            var reply = await new Monitoring.FeedService.FeedServiceClient(channel).ListFeedsAsync(new Monitoring.ListFeedsRequest { Region = "62" }, headers, deadline);
            return $"FeedService/ListFeeds: {reply.Feeds.Count} feeds";
        },
        ["grading"] = async (channel, headers, deadline) =>
        {
            var reply = await new Grading.PolicyService.PolicyServiceClient(channel).ListPolicyVersionsAsync(new Grading.ListPolicyVersionsRequest { Province = "62" }, headers, deadline);
            return $"PolicyService/ListPolicyVersions: {reply.Versions.Count} versions";
        },
        ["assistance"] = async (channel, headers, deadline) =>
        {
            var reply = await new Assistance.AssistanceService.AssistanceServiceClient(channel).ListMeasureTypesAsync(new Assistance.ListMeasureTypesRequest(), headers, deadline);
            Assert.NotEmpty(reply.MeasureTypes); // the catalogue is seeded at start-up
            return $"AssistanceService/ListMeasureTypes: {reply.MeasureTypes.Count} measure types";
        },
        ["notification"] = async (channel, headers, deadline) =>
        {
            var reply = await new Notification.NotificationService.NotificationServiceClient(channel).ListRulesAsync(new Notification.ListRulesRequest(), headers, deadline);
            Assert.NotEmpty(reply.Rules); // the default rules are seeded at start-up
            return $"NotificationService/ListRules: {reply.Rules.Count} rules";
        },
    };

    public static async Task<IReadOnlyList<string>> CallEachServiceAsync(IReadOnlyList<JsonElement> status, string token)
    {
        var answers = new List<string>();
        foreach (var row in status.Where(r => r.GetProperty("kind").GetString() == "service"))
        {
            var name = row.GetProperty("name").GetString()!;
            var endpoint = row.GetProperty("endpoint").GetString()!;
            using var channel = GrpcChannel.ForAddress(endpoint);
            var headers = new Metadata { { "authorization", $"Bearer {token}" } };
            var health = new Grpc.Health.V1.Health.HealthClient(channel);
            var reply = await health.CheckAsync(new Grpc.Health.V1.HealthCheckRequest(), headers, DateTime.UtcNow.AddSeconds(10));
            Assert.True(reply.Status == Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving, $"{name} is not serving");
            Assert.True(BusinessCalls.TryGetValue(name, out var call), $"no business RPC for service '{name}' in ServiceCalls");
            answers.Add($"{name}: {await call(channel, headers, DateTime.UtcNow.AddSeconds(20))}");
        }
        return answers;
    }
}
