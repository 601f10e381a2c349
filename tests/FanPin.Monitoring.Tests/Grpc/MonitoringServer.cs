using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using FanPin.Contracts.Monitoring.V1;
using FanPin.Grpc;
using FanPin.Monitoring.Application.Registry;
using FanPin.Monitoring.Infrastructure;
using FanPin.Monitoring.Tests.Support;
using FanPin.ServiceDefaults.Authentication;
using FanPin.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Domain = FanPin.Monitoring.Domain;

namespace FanPin.Monitoring.Tests.Grpc;

/// <summary>
/// The monitoring service as deployed: its own Program (Production environment), Kestrel on free loopback ports
/// (gRPC over h2c, health over HTTP/1.1), a real PostgreSQL database migrated at start-up, its own signing key and
/// ID hash key, and the background worker evaluating queued households. Tests call it with the FanPin gRPC client
/// and real tokens; households are registered through the read-model use cases, as the registry's events would.
/// </summary>
public sealed class MonitoringServer : IsolatedInfrastructure, IAsyncLifetime
{
    private readonly string _signingKey = "base64:" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private WebApplicationFactory<Program>? _factory;
    private TokenIssuer? _issuer;

    /// <summary>The gRPC endpoint (HTTP/2 cleartext).</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>Today in China.</summary>
    public static DateOnly Today => DateOnly.FromDateTime(DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)).DateTime);

    /// <summary>The current month "yyyy-MM".</summary>
    public static string CurrentMonth => Today.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The previous month "yyyy-MM".</summary>
    public static string LastMonth => Today.AddMonths(-1).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The host's services (its bus, to publish what the registry would).</summary>
    public IServiceProvider Services => (_factory ?? throw new InvalidOperationException("not initialized")).Services;

    /// <summary>The server's HMAC key of ID numbers (the registry's, in a deployment).</summary>
    public byte[] HashKey { get; } = RandomNumberGenerator.GetBytes(32);

    /// <summary>A scalar from the service's database.</summary>
    public async Task<long> CountAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new Npgsql.NpgsqlConnection(PostgresConnectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return Convert.ToInt64(await command.ExecuteScalarAsync().ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <inheritdoc />
    public new async Task InitializeAsync()
    {
        await base.InitializeAsync().ConfigureAwait(false);
        Address = new Uri($"http://127.0.0.1:{FreePort()}");
        var health = new Uri($"http://127.0.0.1:{FreePort()}");
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Production");
            b.UseSetting($"ConnectionStrings:{MonitoringServices.DatabaseName}", PostgresConnectionString);
            b.UseSetting("ConnectionStrings:messaging", RabbitMqConnectionString);
            b.UseSetting("Auth:SigningKey", _signingKey);
            b.UseSetting(IdNumberHasher.HashKeyKey, Convert.ToBase64String(HashKey));
            b.UseSetting(MonitoringServices.PolicyDirectoryKey, Path.Combine(AppContext.BaseDirectory, "policies"));
            b.UseSetting("Monitoring:Workers:EvaluationPollInterval", "00:00:00.200");
            b.UseSetting(FanPin.Monitoring.Grpc.SignalGrpcService.PollIntervalKey, "00:00:00.200");
            b.UseSetting("Kestrel:Endpoints:grpc:Url", Address.ToString());
            b.UseSetting("Kestrel:Endpoints:health:Url", health.ToString());
            b.UseSetting("Logging:LogLevel:Default", "Warning");
        });
        _factory.UseKestrel();
        _factory.StartServer();
        _issuer = new TokenIssuer(new FanPinAuthOptions { SigningKey = _signingKey });
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

    /// <summary>Clients of every monitoring service calling as <paramref name="caller"/> (null: without a token).</summary>
    public MonitoringClients As(Caller? caller)
    {
        var options = new GrpcChannelOptions();
        if (caller is not null)
        {
            options.WithBearerToken((_issuer ?? throw new InvalidOperationException("not initialized")).Issue(caller, TimeSpan.FromHours(1)));
        }
        return new MonitoringClients(GrpcChannel.ForAddress(Address, options));
    }

    /// <summary>Registers a monitored household of <paramref name="members"/> in <paramref name="village"/> (as the registry's events would).</summary>
    public async Task<Guid> RegisterAsync(string village, params IdNumber[] members)
    {
        var household = Guid.CreateVersion7();
        var hasher = Services.GetRequiredService<IdNumberHasher>();
        await using (var scope = Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ApplyHouseholdFacts>().HandleAsync(new HouseholdFactsChange(household, village,
                Policies.HouseholdCategory.Ordinary, Domain.HouseholdStatus.Monitored, DateTimeOffset.UtcNow));
        }
        foreach (var member in members)
        {
            await using var scope = Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<ApplyMemberChange>().HandleAsync(new MemberChange(Guid.CreateVersion7(), household, village,
                hasher.Hash(member), MembershipChange.Registered, null, Policies.LabourAbility.Full, DateTimeOffset.UtcNow));
        }
        return household;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>One channel and a client of each monitoring service.</summary>
public sealed class MonitoringClients(GrpcChannel channel) : IDisposable
{
    /// <summary>The channel.</summary>
    public GrpcChannel Channel { get; } = channel;

    /// <summary>Records.</summary>
    public RecordService.RecordServiceClient Records { get; } = new(channel);

    /// <summary>Guarantees.</summary>
    public GuaranteeService.GuaranteeServiceClient Guarantees { get; } = new(channel);

    /// <summary>Visits.</summary>
    public VisitService.VisitServiceClient Visits { get; } = new(channel);

    /// <summary>Feeds.</summary>
    public FeedService.FeedServiceClient Feeds { get; } = new(channel);

    /// <summary>Signals.</summary>
    public SignalService.SignalServiceClient Signals { get; } = new(channel);

    /// <inheritdoc />
    public void Dispose() => Channel.Dispose();
}

/// <summary>The monitoring server shared by the gRPC test classes.</summary>
[CollectionDefinition(Name)]
public sealed class MonitoringServerCollection : ICollectionFixture<MonitoringServer>
{
    /// <summary>Collection name.</summary>
    public const string Name = "monitoring server";
}
