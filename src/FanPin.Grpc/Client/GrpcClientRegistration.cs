using System.Collections.Concurrent;
using FanPin.Grpc;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Net.Http.Headers;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Typed clients from configuration: <c>services.AddGrpcClient&lt;RegistryService.RegistryServiceClient&gt;("registry")</c>.</summary>
public static class GrpcClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers <typeparamref name="TClient"/> (transient) on a shared channel to <paramref name="serviceName"/>,
    /// whose address is configuration key <c>services:&lt;name&gt;:grpc:0</c> (environment variable
    /// <c>services__&lt;name&gt;__grpc__0</c>, as Aspire sets it).
    /// </summary>
    public static IServiceCollection AddGrpcClient<TClient>(this IServiceCollection services, string serviceName, Action<IServiceProvider, GrpcChannelOptions>? configure = null)
        where TClient : ClientBase
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceName);
        services.TryAddSingleton<GrpcChannelFactory>();
        if (configure is not null)
        {
            services.AddSingleton(new ChannelConfiguration(serviceName, configure));
        }
        services.TryAddTransient(sp => ActivatorUtilities.CreateInstance<TClient>(sp, sp.GetRequiredService<GrpcChannelFactory>().GetChannel(serviceName)));
        return services;
    }

    /// <summary>
    /// Sends the bearer token of the request being served (read through <see cref="IHttpContextAccessor"/>)
    /// with every call on the channel: the downstream service sees the same caller.
    /// </summary>
    public static GrpcChannelOptions PropagateIncomingBearerToken(this GrpcChannelOptions options, IServiceProvider services)
    {
        var accessor = services.GetRequiredService<IHttpContextAccessor>();
        options.BearerTokenProvider = _ =>
        {
            var authorization = accessor.HttpContext?.Request.Headers[HeaderNames.Authorization].ToString() ?? "";
            const string bearer = "Bearer ";
            return ValueTask.FromResult(authorization.StartsWith(bearer, StringComparison.OrdinalIgnoreCase) ? authorization[bearer.Length..].Trim() : null);
        };
        return options;
    }

    internal sealed record ChannelConfiguration(string ServiceName, Action<IServiceProvider, GrpcChannelOptions> Configure);
}

/// <summary>One channel per configured service, created on first use and disposed with the container.</summary>
public sealed class GrpcChannelFactory(IServiceProvider services, IConfiguration configuration) : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<GrpcChannel>> _channels = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The shared channel to <paramref name="serviceName"/>.</summary>
    public GrpcChannel GetChannel(string serviceName) =>
        _channels.GetOrAdd(serviceName, name => new Lazy<GrpcChannel>(() => Create(name))).Value;

    /// <summary>
    /// The address of <paramref name="serviceName"/>: <c>services:&lt;name&gt;:grpc:0</c> (the environment
    /// variable <c>services__&lt;name&gt;__grpc__0</c> lands on the same key).
    /// </summary>
    public static Uri ResolveAddress(IConfiguration configuration, string serviceName)
    {
        var value = configuration[$"services:{serviceName}:grpc:0"];
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new InvalidOperationException(
                $"No address for gRPC service '{serviceName}': set services__{serviceName}__grpc__0 (e.g. http://127.0.0.1:7101) in the environment or services:{serviceName}:grpc:0 in configuration.");
        }
        return Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new InvalidOperationException($"services:{serviceName}:grpc:0 is '{value}', not an http:// or https:// address.");
    }

    private GrpcChannel Create(string serviceName)
    {
        var options = new GrpcChannelOptions();
        foreach (var configuration in services.GetServices<GrpcClientServiceCollectionExtensions.ChannelConfiguration>())
        {
            if (string.Equals(configuration.ServiceName, serviceName, StringComparison.OrdinalIgnoreCase))
            {
                configuration.Configure(services, options);
            }
        }
        return GrpcChannel.ForAddress(ResolveAddress(configuration, serviceName), options);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var channel in _channels.Values.Where(c => c.IsValueCreated))
        {
            channel.Value.Dispose();
        }
    }
}
