using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using FanPin.Contracts.Notification.V1;
using FanPin.Grpc;
using FanPin.IntegrationEvents;
using FanPin.ServiceDefaults.Authentication;
using FanPin.Testing;
using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace FanPin.Notification.Tests;

/// <summary>
/// The notification service as deployed: its own Program (Production), Kestrel on free loopback ports, a real
/// PostgreSQL database migrated at start-up, its own RabbitMQ vhost (consumers running), Redis for the rate limit,
/// its own signing key. Only the clock is replaced (a manual one) so retry budgets and escalation times can pass.
/// </summary>
public sealed class NotificationServer : IsolatedInfrastructure, IAsyncLifetime
{
    private readonly string _signingKey = "base64:" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private WebApplicationFactory<Program>? _factory;
    private TokenIssuer? _issuer;

    /// <summary>The service's clock.</summary>
    public ManualClock Clock { get; } = new(new DateTimeOffset(2026, 3, 2, 1, 0, 0, TimeSpan.Zero));

    /// <summary>The host's services.</summary>
    public IServiceProvider Services => (_factory ?? throw new InvalidOperationException("not initialized")).Services;

    /// <summary>The gRPC endpoint.</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>The health endpoint.</summary>
    public Uri HealthAddress { get; private set; } = null!;

    /// <inheritdoc />
    public new async Task InitializeAsync()
    {
        await base.InitializeAsync().ConfigureAwait(false);
        Address = new Uri($"http://127.0.0.1:{FreePort()}");
        HealthAddress = new Uri($"http://127.0.0.1:{FreePort()}");
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Production");
            foreach (var (key, value) in ConnectionStringsFor(NotificationServices.DatabaseName))
            {
                b.UseSetting(key, value);
            }
            b.UseSetting("Auth:SigningKey", _signingKey);
            b.UseSetting(FanPin.Notification.Infrastructure.SecretProtector.KeyKey, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
            b.UseSetting("Kestrel:Endpoints:grpc:Url", Address.ToString());
            b.UseSetting("Kestrel:Endpoints:health:Url", HealthAddress.ToString());
            b.UseSetting("Logging:LogLevel:Default", "Warning");
            b.UseSetting("Notification:Webhooks:PollMilliseconds", "50");
            b.UseSetting("Notification:Webhooks:TimeoutSeconds", "30");
            b.UseSetting("Notification:Sms:PollMilliseconds", "100");
            b.UseSetting("Notification:Sms:PerRecipientPerHour", "1");
            b.UseSetting("Notification:Escalation:ScanSeconds", "3600");
            b.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(Clock));
        });
        _factory.UseKestrel();
        _factory.StartServer();
        _issuer = new TokenIssuer(new FanPinAuthOptions { SigningKey = _signingKey });
        var bus = Services.GetRequiredService<IBusControl>();
        // The consumers' queues and bindings exist once the bus is up (the host does not wait for it at start).
        Assert.Equal(BusHealthStatus.Healthy, await bus.WaitForHealthStatus(BusHealthStatus.Healthy, TimeSpan.FromSeconds(60)).ConfigureAwait(false));
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

    /// <summary>A client calling as <paramref name="caller"/> (null: without a token).</summary>
    public NotificationService.NotificationServiceClient As(Caller? caller)
    {
        var options = new GrpcChannelOptions();
        if (caller is not null)
        {
            options.WithBearerToken((_issuer ?? throw new InvalidOperationException("not initialized")).Issue(caller, TimeSpan.FromHours(1)));
        }
        return new NotificationService.NotificationServiceClient(GrpcChannel.ForAddress(Address, options));
    }

    /// <summary>Publishes an event on the bus (as its producer's relay would), <paramref name="times"/> times with the same id.</summary>
    public async Task PublishAsync<T>(T message, int times = 1) where T : IntegrationEvent
    {
        var bus = Services.GetRequiredService<IBusControl>();
        for (var i = 0; i < times; i++)
        {
            await bus.Publish(message, context => context.MessageId = message.EventId).ConfigureAwait(false);
        }
    }

    /// <summary>A scalar of the service's database.</summary>
    public async Task<long> CountAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(PostgresConnectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return Convert.ToInt64(await command.ExecuteScalarAsync().ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Waits for a condition reached asynchronously; the bound only ends a hung test.</summary>
    public static async Task Eventually(Func<Task<bool>> condition, string what, Action? between = null)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition().ConfigureAwait(false))
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(90))
            {
                throw new TimeoutException($"gave up waiting for {what}");
            }
            between?.Invoke();
            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>A clock the tests move (thread-safe: the dispatchers read it concurrently).</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    /// <summary>Moves the clock forward.</summary>
    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}

/// <summary>The callers the tests use (region 620102 = a county of province 62).</summary>
public static class Callers
{
    /// <summary>The village of the test households.</summary>
    public const string Village = "620102001001";

    /// <summary>Village cadre.</summary>
    public static Caller VillageCadre(string village = Village) => new("village-cadre", CallerRole.Village, RegionPrefix.Parse(village), null);

    /// <summary>Township office.</summary>
    public static Caller Township(string township = "620102001") => new("township-office", CallerRole.Township, RegionPrefix.Parse(township), null);

    /// <summary>County dispatch centre.</summary>
    public static Caller County(string county = "620102") => new("county-office", CallerRole.County, RegionPrefix.Parse(county), null);

    /// <summary>Province admin.</summary>
    public static Caller Province(string province = "62") => new("province-it", CallerRole.Province, RegionPrefix.Parse(province), null);

    /// <summary>Department user.</summary>
    public static Caller Department(string scope = "620102", string department = "CivilAffairs") => new("dept-user", CallerRole.Department, RegionPrefix.Parse(scope), department);

    /// <summary>Downstream system.</summary>
    public static Caller Downstream(string scope = "620102") => new("dashboard", CallerRole.Downstream, RegionPrefix.Parse(scope), null);
}

/// <summary>Events as the producers publish them.</summary>
public static class Events
{
    /// <summary>A WarningRaised in the test village, for a new household.</summary>
    public static WarningRaised Raised(WarningGrade grade = WarningGrade.I, string village = Callers.Village) => new()
    {
        RegionCode = village,
        HouseholdId = Guid.NewGuid(),
        WarningId = Guid.NewGuid(),
        Grade = grade,
        ReasonRuleId = "gs-2024.grade-i.income-below-line",
        Sequence = 1,
    };
}
