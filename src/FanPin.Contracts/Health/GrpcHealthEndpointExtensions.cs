using FanPin.Contracts.Health;
using Microsoft.AspNetCore.Routing;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the standard gRPC health service.</summary>
public static class GrpcHealthEndpointExtensions
{
    /// <summary>
    /// Serves <c>grpc.health.v1.Health</c> (Check and Watch) from the registered health checks, anonymously.
    /// Tune it with <c>builder.Services.Configure&lt;GrpcHealthOptions&gt;(...)</c>.
    /// </summary>
    public static IEndpointConventionBuilder MapGrpcHealthService(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGrpcService<GrpcHealthService>();
}
