using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using FanPin.Contracts.Registry.V1;
using FanPin.Grpc;
using FanPin.Registry.Application.Common;
using FanPin.ServiceDefaults.Authentication;
using FanPin.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace FanPin.Registry.Tests.Grpc;

/// <summary>
/// The registry service as deployed: its own Program (Production environment), Kestrel on free loopback
/// ports (gRPC over h2c, health over HTTP/1.1), a real PostgreSQL database migrated at start-up and seeded
/// with the regions of <see cref="TestDatabase.SeedRegionsAsync"/>, its own RabbitMQ vhost (outbox relay and
/// consumers running), and its own signing key: tests call it
/// with the FanPin gRPC client and real tokens. Only the registry's clock is replaced (a manual one), so that
/// working-day deadlines and notice periods can pass.
/// </summary>
public sealed class RegistryServer : IsolatedInfrastructure, IAsyncLifetime
{
    private readonly string _signingKey = "base64:" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private WebApplicationFactory<Program>? _factory;
    private TokenIssuer? _issuer;

    /// <summary>The server's HMAC key of ID numbers (to check the hashes its events carry).</summary>
    public byte[] HashKey { get; } = RandomNumberGenerator.GetBytes(32);

    /// <summary>The host's services (its bus, for publishing what monitoring and assistance would).</summary>
    public IServiceProvider Services => (_factory ?? throw new InvalidOperationException("not initialized")).Services;

    /// <summary>The registry's clock; starts on Monday 2025-03-03.</summary>
    public ManualTimeProvider Clock { get; } = new(new DateTimeOffset(2025, 3, 3, 2, 0, 0, TimeSpan.Zero));

    /// <summary>The gRPC endpoint (HTTP/2 cleartext).</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>The health endpoint (HTTP/1.1).</summary>
    public Uri HealthAddress { get; private set; } = null!;

    /// <inheritdoc />
    public new async Task InitializeAsync()
    {
        await base.InitializeAsync().ConfigureAwait(false);
        var grpcPort = FreePort();
        var healthPort = FreePort();
        Address = new Uri($"http://127.0.0.1:{grpcPort}");
        HealthAddress = new Uri($"http://127.0.0.1:{healthPort}");
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Production");
            b.UseSetting($"ConnectionStrings:{RegistryServices.DatabaseName}", PostgresConnectionString);
            b.UseSetting("Auth:SigningKey", _signingKey);
            b.UseSetting("Registry:IdNumbers:EncryptionKey", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            b.UseSetting("Registry:IdNumbers:HashKey", Convert.ToBase64String(HashKey));
            b.UseSetting("ConnectionStrings:messaging", RabbitMqConnectionString);
            b.UseSetting(RegistryServices.PolicyDirectoryKey, Path.Combine(AppContext.BaseDirectory, "policies"));
            b.UseSetting("Kestrel:Endpoints:grpc:Url", Address.ToString());
            b.UseSetting("Kestrel:Endpoints:health:Url", HealthAddress.ToString());
            b.UseSetting("Logging:LogLevel:Default", "Warning");
            b.ConfigureTestServices(s => s.AddSingleton(new RegistryClock(Clock)));
        });
        _factory.UseKestrel();
        _factory.StartServer();
        _issuer = new TokenIssuer(new FanPinAuthOptions { SigningKey = _signingKey });
        await TestDatabase.SeedRegionsAsync(PostgresConnectionString).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public new async Task DisposeAsync()
    {
        if (_factory is not null)
        {
            await _factory.DisposeAsync().ConfigureAwait(false);
        }
        await base.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>A token for <paramref name="caller"/>, signed with the server's key.</summary>
    public string TokenFor(Caller caller) => (_issuer ?? throw new InvalidOperationException("not initialized")).Issue(caller, TimeSpan.FromHours(1));

    /// <summary>Clients of every registry service calling as <paramref name="caller"/> (null: without a token).</summary>
    public RegistryClients As(Caller? caller)
    {
        var options = new GrpcChannelOptions();
        if (caller is not null)
        {
            options.WithBearerToken(TokenFor(caller));
        }
        return new RegistryClients(GrpcChannel.ForAddress(Address, options));
    }

    /// <summary>Rows of every written table (equal snapshots: nothing was written).</summary>
    public Task<string> SnapshotAsync() => TestDatabase.SnapshotAsync(PostgresConnectionString);

    /// <summary>A scalar from the service's database.</summary>
    public Task<long> CountAsync(string sql, params (string Name, object Value)[] parameters) => TestDatabase.CountAsync(PostgresConnectionString, sql, parameters);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>One channel and a client of each registry service.</summary>
public sealed class RegistryClients(GrpcChannel channel) : IDisposable
{
    /// <summary>The channel.</summary>
    public GrpcChannel Channel { get; } = channel;

    /// <summary>Regions.</summary>
    public RegionService.RegionServiceClient Regions { get; } = new(channel);

    /// <summary>Households.</summary>
    public HouseholdService.HouseholdServiceClient Households { get; } = new(channel);

    /// <summary>Identification.</summary>
    public IdentificationService.IdentificationServiceClient Identification { get; } = new(channel);

    /// <summary>Closing.</summary>
    public ClosingService.ClosingServiceClient Closing { get; } = new(channel);

    /// <summary>Ledgers.</summary>
    public LedgerService.LedgerServiceClient Ledger { get; } = new(channel);

    /// <inheritdoc />
    public void Dispose() => Channel.Dispose();
}
