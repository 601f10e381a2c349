using FanPin.Grpc;
using FanPin.Grpc.Interceptors;
using FanPin.Grpc.Server;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.Hosting;

/// <summary>Registers the gRPC server: <c>builder.AddGrpcTransport()</c>, then <c>app.MapGrpcService&lt;T&gt;()</c>.</summary>
public static class GrpcHostingExtensions
{
    /// <summary>
    /// Adds the gRPC server with its interceptors (metrics, logging, exception mapping, authentication),
    /// options from <c>Grpc:Server</c>, and FanPin authentication and health checks when not yet added.
    /// Validated bearer tokens are remembered until they expire (<see cref="ValidatedTokenCache"/>).
    /// Kestrel's endpoints come from configuration: <c>Kestrel:Endpoints:grpc</c> (Protocols <c>Http2</c>)
    /// and <c>Kestrel:Endpoints:health</c> (Protocols <c>Http1</c>).
    /// </summary>
    public static TBuilder AddGrpcTransport<TBuilder>(this TBuilder builder, Action<GrpcServerOptions>? configure = null)
        where TBuilder : IHostApplicationBuilder
    {
        var services = builder.Services;
        services.AddOptions<GrpcServerOptions>().BindConfiguration(GrpcServerOptions.Section);
        if (configure is not null)
        {
            services.Configure(configure);
        }
        if (!services.Any(s => s.ServiceType == typeof(FanPinAuthOptions)))
        {
            builder.AddFanPinAuthentication();
        }
        ValidatedTokenCache.AddTo(services);
        services.AddRouting();
        services.AddHealthChecks();
        services.TryAddSingleton<GrpcServiceRegistry>();
        services.TryAddSingleton<GrpcServerPipeline>();
        services.TryAddSingleton<GrpcCallDispatcher>();
        services.TryAddSingleton<MetricsInterceptor>();
        services.TryAddSingleton<LoggingInterceptor>();
        services.TryAddSingleton<ExceptionMappingInterceptor>();
        services.TryAddSingleton<AuthenticationInterceptor>();
        return builder;
    }
}
