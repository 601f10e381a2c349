using System.Net;
using System.Net.Sockets;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FanPin.Grpc.Interop;

/// <summary>
/// A real Kestrel host serving the echo service and the health service the way a FanPin service does:
/// AddServiceDefaults, AddGrpcTransport, endpoints from Kestrel:Endpoints (grpc: Http2, health: Http1).
/// </summary>
public sealed class EchoServer : IAsyncDisposable
{
    private EchoServer(WebApplication app, Uri address, Uri healthAddress)
    {
        App = app;
        Address = address;
        HealthAddress = healthAddress;
    }

    /// <summary>The host.</summary>
    public WebApplication App { get; }

    /// <summary>The gRPC (HTTP/2 cleartext) address.</summary>
    public Uri Address { get; }

    /// <summary>The HTTP/1.1 address of /health and /alive.</summary>
    public Uri HealthAddress { get; }

    /// <summary>Starts a server on free loopback ports.</summary>
    public static async Task<EchoServer> StartAsync(
        Action<GrpcServerOptions>? configure = null,
        Action<WebApplicationBuilder>? configureBuilder = null,
        Action<WebApplication>? configureApp = null,
        LogLevel minimumLevel = LogLevel.Warning,
        bool mapEchoService = true)
    {
        var grpcPort = FreePort();
        var healthPort = FreePort();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = Environments.Development,
            ApplicationName = typeof(EchoServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kestrel:Endpoints:grpc:Url"] = $"http://127.0.0.1:{grpcPort}",
            ["Kestrel:Endpoints:grpc:Protocols"] = "Http2",
            ["Kestrel:Endpoints:health:Url"] = $"http://127.0.0.1:{healthPort}",
            ["Kestrel:Endpoints:health:Protocols"] = "Http1",
        });
        builder.Logging.SetMinimumLevel(minimumLevel);
        builder.AddServiceDefaults();
        builder.AddGrpcTransport(configure);
        builder.Services.AddSingleton<CallRecorder>();
        configureBuilder?.Invoke(builder);
        var app = builder.Build();
        app.MapDefaultEndpoints();
        if (mapEchoService)
        {
            app.MapGrpcService<EchoServiceImpl>();
        }
        app.MapGrpcHealthService();
        configureApp?.Invoke(app);
        await app.StartAsync();
        return new EchoServer(app, new Uri($"http://127.0.0.1:{grpcPort}"), new Uri($"http://127.0.0.1:{healthPort}"));
    }

    /// <summary>A token the server accepts (development signing key).</summary>
    public static string IssueToken(string subject = "interop-client", TimeSpan? lifetime = null, TimeProvider? clock = null)
    {
        var issuer = new TokenIssuer(new FanPinAuthOptions { SigningKey = FanPinAuthOptions.DevelopmentSigningKey }, clock);
        return issuer.Issue(new Caller(subject, CallerRole.County, RegionPrefix.Parse("620102"), null), lifetime ?? TimeSpan.FromHours(1));
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
