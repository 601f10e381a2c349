using FanPin.Grpc;
using FanPin.Grpc.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps gRPC services onto endpoint routing.</summary>
public static class GrpcEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Serves every method of <typeparamref name="TService"/>'s proto service at <c>POST /package.Service/Method</c>.
    /// Attributes on the class or its methods (e.g. <c>[AllowAnonymous]</c>) become endpoint metadata; the
    /// returned builder applies conventions to all of the service's endpoints.
    /// </summary>
    public static IEndpointConventionBuilder MapGrpcService<TService>(this IEndpointRouteBuilder endpoints)
        where TService : class, IGrpcService
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var dispatcher = endpoints.ServiceProvider.GetService<GrpcCallDispatcher>()
            ?? throw new InvalidOperationException("Call builder.AddGrpcTransport() before mapping gRPC services.");
        var registry = endpoints.ServiceProvider.GetRequiredService<GrpcServiceRegistry>();
        var descriptor = TService.Descriptor;
        if (!registry.Add(descriptor.FullName))
        {
            throw new InvalidOperationException($"The gRPC service {descriptor.FullName} is mapped twice.");
        }
        var serviceAttributes = typeof(TService).GetCustomAttributes(inherit: true);
        var builders = new List<IEndpointConventionBuilder>();
        foreach (var (method, implementation) in ServiceMethodBinder.Bind<TService>(descriptor))
        {
            var builder = endpoints.Map(RoutePatternFactory.Parse(method.Method.FullName), http => dispatcher.HandleAsync(http, method));
            builder.WithMetadata(new HttpMethodMetadata([HttpMethods.Post]), method.Method);
            builder.WithMetadata(serviceAttributes);
            builder.WithMetadata(implementation.GetCustomAttributes(inherit: true));
            builder.WithDisplayName($"gRPC {method.Method.FullName}");
            builders.Add(builder);
        }
        MapUnimplemented(endpoints, registry);
        return new CompositeConventionBuilder(builders);
    }

    /// <summary>
    /// Answers gRPC calls to paths no service serves with UNIMPLEMENTED (mapped once, after every literal
    /// route, so it only catches what nothing else matched).
    /// </summary>
    private static void MapUnimplemented(IEndpointRouteBuilder endpoints, GrpcServiceRegistry registry)
    {
        if (!registry.TryMarkUnimplementedMapped())
        {
            return;
        }
        endpoints.Map(RoutePatternFactory.Parse("{**path}"), http => GrpcCallDispatcher.HandleUnimplementedAsync(http, registry))
            .WithMetadata(new HttpMethodMetadata([HttpMethods.Post]))
            .WithDisplayName("gRPC unimplemented")
            .Add(b => ((RouteEndpointBuilder)b).Order = int.MaxValue);
    }

    private sealed class CompositeConventionBuilder(IReadOnlyList<IEndpointConventionBuilder> builders) : IEndpointConventionBuilder
    {
        public void Add(Action<EndpointBuilder> convention)
        {
            foreach (var builder in builders)
            {
                builder.Add(convention);
            }
        }

        public void Finally(Action<EndpointBuilder> finallyConvention)
        {
            foreach (var builder in builders)
            {
                builder.Finally(finallyConvention);
            }
        }
    }
}
