using FanPin.Grpc.Interceptors;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FanPin.Grpc.Server;

/// <summary>The interceptors composed once, in order, around every method of every service.</summary>
internal sealed class GrpcServerPipeline
{
    /// <summary>The built-in interceptors, outermost first: metrics and logging see the final status.</summary>
    public static readonly Type[] BuiltIn =
    [
        typeof(MetricsInterceptor),
        typeof(LoggingInterceptor),
        typeof(ExceptionMappingInterceptor),
        typeof(AuthenticationInterceptor),
    ];

    public GrpcServerPipeline(IServiceProvider services, IOptions<GrpcServerOptions> options)
    {
        ServerCallDelegate pipeline = static context => context.InvokeMethodAsync();
        foreach (var type in BuiltIn.Concat(options.Value.Interceptors).Reverse())
        {
            var interceptor = (IServerInterceptor)ActivatorUtilities.GetServiceOrCreateInstance(services, type);
            var next = pipeline;
            pipeline = context => interceptor.InvokeAsync(context, next);
        }
        Invoke = pipeline;
    }

    public ServerCallDelegate Invoke { get; }
}
