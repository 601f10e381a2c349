using FanPin.Grpc;
using FanPin.Grpc.Server;
using Grpc.Health.V1;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace FanPin.Contracts.Health;

/// <summary>Settings of the gRPC health service.</summary>
public sealed class GrpcHealthOptions
{
    /// <summary>How often Watch re-runs the checks to notice a change.</summary>
    public TimeSpan WatchInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The checks that decide SERVING; null (the default) runs every check, as <c>/health</c> does.</summary>
    public Func<HealthCheckRegistration, bool>? Predicate { get; set; }
}

/// <summary>
/// The standard <c>grpc.health.v1.Health</c> service, answered from the ASP.NET Core health checks: SERVING
/// while the checks are healthy or degraded, NOT_SERVING when one is unhealthy or the host is stopping.
/// The service name "" means the whole server; the name of any mapped gRPC service means the same checks;
/// any other name is unknown (Check: NOT_FOUND; Watch: SERVICE_UNKNOWN). Anonymous, as probes carry no token.
/// </summary>
[AllowAnonymous]
public sealed class GrpcHealthService(
    HealthCheckService healthChecks,
    GrpcServiceRegistry registry,
    IHostApplicationLifetime lifetime,
    IOptions<GrpcHealthOptions> options) : global::Grpc.Health.V1.Health.HealthBase
{
    /// <inheritdoc />
    public override async Task<HealthCheckResponse> Check(HealthCheckRequest request, ServerCallContext context)
    {
        var status = await GetStatusAsync(request.Service, context.CancellationToken).ConfigureAwait(false)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"Unknown service '{request.Service}'."));
        return new HealthCheckResponse { Status = status };
    }

    /// <inheritdoc />
    public override async Task Watch(HealthCheckRequest request, IServerStreamWriter<HealthCheckResponse> responseStream, ServerCallContext context)
    {
        ServingStatus? last = null;
        try
        {
            while (true)
            {
                var status = await GetStatusAsync(request.Service, context.CancellationToken).ConfigureAwait(false) ?? ServingStatus.ServiceUnknown;
                if (status != last)
                {
                    await responseStream.WriteAsync(new HealthCheckResponse { Status = status }, context.CancellationToken).ConfigureAwait(false);
                    last = status;
                }
                await Task.Delay(options.Value.WatchInterval, context.CancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The watcher went away: the normal end of a Watch.
        }
    }

    private async Task<ServingStatus?> GetStatusAsync(string service, CancellationToken cancellationToken)
    {
        if (service.Length > 0 && !registry.Contains(service))
        {
            return null;
        }
        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            return ServingStatus.NotServing;
        }
        var report = await healthChecks.CheckHealthAsync(options.Value.Predicate, cancellationToken).ConfigureAwait(false);
        return report.Status == HealthStatus.Unhealthy ? ServingStatus.NotServing : ServingStatus.Serving;
    }
}
