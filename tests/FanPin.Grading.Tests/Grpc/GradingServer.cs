using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using FanPin.Contracts.Grading.V1;
using FanPin.Grading.Application.Grading;
using FanPin.Grading.Domain;
using FanPin.Grading.Infrastructure;
using FanPin.Grpc;
using FanPin.Policies;
using FanPin.ServiceDefaults.Authentication;
using FanPin.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using WarningGrade = FanPin.Grading.Domain.WarningGrade;

namespace FanPin.Grading.Tests.Grpc;

/// <summary>
/// The grading service as deployed: its own Program (Production environment), Kestrel on free loopback ports
/// (gRPC over h2c, health over HTTP/1.1), a real PostgreSQL database migrated at start-up, Redis under the
/// run's key prefix, its own RabbitMQ vhost (outbox relay and consumers running), and its own signing key: tests call it with the FanPin gRPC client and real tokens.
/// Background services are off (no sweep or re-grade moves data under the tests); the watch falls back to
/// polling every 200 ms. Households are seeded through the input use cases, as the consumers would.
/// </summary>
public sealed class GradingServer : IsolatedInfrastructure, IAsyncLifetime
{
    private readonly string _signingKey = "base64:" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private WebApplicationFactory<Program>? _factory;
    private TokenIssuer? _issuer;

    /// <summary>The gRPC endpoint (HTTP/2 cleartext).</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>The health endpoint (HTTP/1.1).</summary>
    public Uri HealthAddress { get; private set; } = null!;

    /// <summary>The server's root services.</summary>
    public IServiceProvider Services => (_factory ?? throw new InvalidOperationException("not initialized")).Services;

    /// <inheritdoc />
    public new async Task InitializeAsync()
    {
        await base.InitializeAsync().ConfigureAwait(false);
        Address = new Uri($"http://127.0.0.1:{FreePort()}");
        HealthAddress = new Uri($"http://127.0.0.1:{FreePort()}");
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Production");
            b.UseSetting($"ConnectionStrings:{GradingServices.DatabaseName}", PostgresConnectionString);
            b.UseSetting($"ConnectionStrings:{GradingServices.CacheName}", RedisConfiguration);
            b.UseSetting(GradingServices.KeyPrefixKey, RedisKeyPrefix);
            b.UseSetting("ConnectionStrings:messaging", RabbitMqConnectionString);
            b.UseSetting(GradingServices.BackgroundServicesKey, "false");
            b.UseSetting("Grading:Watch:PollInterval", "00:00:00.200");
            b.UseSetting("Grading:Watch:BatchSize", "3");
            b.UseSetting("Auth:SigningKey", _signingKey);
            b.UseSetting("Kestrel:Endpoints:grpc:Url", Address.ToString());
            b.UseSetting("Kestrel:Endpoints:health:Url", HealthAddress.ToString());
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

    /// <summary>Clients of both grading services calling as <paramref name="caller"/> (null: without a token).</summary>
    public GradingClients As(Caller? caller)
    {
        var options = new GrpcChannelOptions();
        if (caller is not null)
        {
            options.WithBearerToken((_issuer ?? throw new InvalidOperationException("not initialized")).Issue(caller, TimeSpan.FromHours(1)));
        }
        return new GradingClients(GrpcChannel.ForAddress(Address, options));
    }

    /// <summary>A household of <paramref name="village"/> graded I (lost labour) or III (partial labour), fed as registry facts.</summary>
    public async Task<Guid> Graded(string village, WarningGrade grade)
    {
        var household = Guid.CreateVersion7();
        await ApplyFacts(household, village, grade);
        return household;
    }

    /// <summary>New registry facts for a household: grade I (lost labour) or III (partial labour).</summary>
    public async Task ApplyFacts(Guid household, string village, WarningGrade grade)
    {
        LabourAbility[] members = grade switch
        {
            WarningGrade.One => [LabourAbility.Lost, LabourAbility.None],
            WarningGrade.Three => [LabourAbility.Partial, LabourAbility.None],
            _ => throw new ArgumentOutOfRangeException(nameof(grade), grade, "seeded grades are I and III"),
        };
        var facts = new HouseholdFactsChanged(Guid.CreateVersion7(), DateTimeOffset.UtcNow, household, village, HouseholdCategory.PovertyAlleviated,
            MonitoringStatus.Monitored, MonitoringType.UnstablePostPoverty, [RiskType.Illness], members);
        await using var scope = Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ApplyHouseholdFacts>().HandleAsync(facts);
    }

    /// <summary>A query on a fresh context of the server.</summary>
    public async Task<T> Db<T>(Func<GradingDbContext, Task<T>> query)
    {
        await using var scope = Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<GradingDbContext>());
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>One channel and a client of each grading service.</summary>
public sealed class GradingClients(GrpcChannel channel) : IDisposable
{
    /// <summary>The channel.</summary>
    public GrpcChannel Channel { get; } = channel;

    /// <summary>Policies.</summary>
    public PolicyService.PolicyServiceClient Policies { get; } = new(channel);

    /// <summary>Warnings.</summary>
    public WarningService.WarningServiceClient Warnings { get; } = new(channel);

    /// <inheritdoc />
    public void Dispose() => Channel.Dispose();
}

/// <summary>The grading server shared by the gRPC test classes (they run one after another, on one server).</summary>
[CollectionDefinition(Name)]
public sealed class GradingServerCollection : ICollectionFixture<GradingServer>
{
    /// <summary>Collection name.</summary>
    public const string Name = "grading server";
}

/// <summary>Status assertions for the gRPC tests.</summary>
internal static class GrpcAssert
{
    /// <summary>The call fails with <paramref name="code"/>; returns the error for further checks.</summary>
    public static async Task<RpcException> Fails(StatusCode code, Func<Task> call)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(call);
        Assert.True(ex.StatusCode == code, $"expected {code}, got {ex.StatusCode}: {ex.Status.Detail}");
        return ex;
    }

    /// <summary>The fields named by an INVALID_ARGUMENT's BadRequest detail.</summary>
    public static string[] Fields(RpcException ex) =>
        (ex.GetDetail<Google.Rpc.BadRequest>() ?? throw new InvalidOperationException($"no BadRequest detail in {ex.Status}")).FieldViolations.Select(v => v.Field).ToArray();
}
