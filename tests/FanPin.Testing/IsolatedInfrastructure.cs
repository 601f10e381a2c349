using FanPin.LocalInfrastructure;
using Npgsql;
using Xunit;

namespace FanPin.Testing;

/// <summary>
/// A test class's own slice of the run's servers: a PostgreSQL database, a RabbitMQ vhost and a Redis key
/// prefix, all removed afterwards. Use as <c>IClassFixture&lt;IsolatedInfrastructure&gt;</c> (or as a
/// collection fixture); classes run in parallel without seeing each other's data.
/// </summary>
public class IsolatedInfrastructure : IAsyncLifetime
{
    private readonly InfrastructureEndpoints? _given;
    private InfrastructureEndpoints? _endpoints;

    /// <summary>Uses the run's shared servers (xunit needs this one public constructor for fixtures).</summary>
    public IsolatedInfrastructure()
    {
    }

    private IsolatedInfrastructure(InfrastructureEndpoints endpoints) => _given = endpoints;

    /// <summary>A slice of the given servers instead of the shared ones (fixture tests start their own).</summary>
    public static IsolatedInfrastructure On(InfrastructureEndpoints endpoints) => new(endpoints);

    /// <summary>A short unique id naming this slice's database, vhost and key prefix.</summary>
    public string Id { get; } = "t" + Guid.CreateVersion7().ToString("N")[..20];

    /// <summary>The servers behind this slice.</summary>
    public InfrastructureEndpoints Endpoints => _endpoints ?? throw new InvalidOperationException("not initialized");

    /// <summary>Name of this slice's database.</summary>
    public string DatabaseName => Id;

    /// <summary>Connection string to this slice's own database.</summary>
    public string PostgresConnectionString => new NpgsqlConnectionStringBuilder(Endpoints.PostgresAdmin) { Database = DatabaseName }.ConnectionString;

    /// <summary>This slice's RabbitMQ vhost.</summary>
    public string VirtualHost => Id;

    /// <summary>AMQP URI of this slice's own vhost.</summary>
    public string RabbitMqConnectionString => new UriBuilder(new Uri(Endpoints.RabbitMqAdmin)) { Path = "/" + Uri.EscapeDataString(VirtualHost) }.Uri.ToString();

    /// <summary>Redis configuration (shared server; keep to <see cref="RedisKeyPrefix"/>).</summary>
    public string RedisConfiguration => Endpoints.Redis;

    /// <summary>The prefix every Redis key of this slice must carry.</summary>
    public string RedisKeyPrefix => Id + ":";

    /// <summary>Connection strings under the names services read (<c>ConnectionStrings:&lt;name&gt;</c>), for a host under test.</summary>
    public IReadOnlyDictionary<string, string?> ConnectionStringsFor(string databaseName) => new Dictionary<string, string?>
    {
        [$"ConnectionStrings:{databaseName}"] = PostgresConnectionString,
        ["ConnectionStrings:messaging"] = RabbitMqConnectionString,
        ["ConnectionStrings:cache"] = RedisConfiguration,
        ["Cache:KeyPrefix"] = RedisKeyPrefix,
    };

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        _endpoints = _given ?? await SharedInfrastructure.GetAsync().ConfigureAwait(false);
        _endpoints.EnsureRunning();
        await Wrap("PostgreSQL", async ct =>
        {
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Endpoints.PostgresAdmin) { Timeout = 5 }.ConnectionString);
            await connection.OpenAsync(ct).ConfigureAwait(false);
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{DatabaseName}\"", connection);
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }).ConfigureAwait(false);
        if (Endpoints.RabbitMqAdmin.Length > 0)
        {
            await Wrap("RabbitMQ", async ct =>
            {
                var admin = new Uri(Endpoints.RabbitMqAdmin);
                var (user, password) = Credentials(admin);
                using var management = new RabbitMqManagement(Endpoints.RabbitMqManagement, user, password);
                await management.CreateVhostAsync(VirtualHost, user, ct).ConfigureAwait(false);
            }).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_endpoints is null || _endpoints.Owned is { } owned && owned.StartedServers.Any(s => !s.IsRunning))
        {
            return; // nothing to clean on a server that is gone
        }
        NpgsqlConnection.ClearAllPools();
        await using (var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Endpoints.PostgresAdmin) { Timeout = 5 }.ConnectionString))
        {
            await connection.OpenAsync().ConfigureAwait(false);
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{DatabaseName}\" WITH (FORCE)", connection);
            await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        }
        if (Endpoints.RabbitMqAdmin.Length > 0)
        {
            var (user, password) = Credentials(new Uri(Endpoints.RabbitMqAdmin));
            using var management = new RabbitMqManagement(Endpoints.RabbitMqManagement, user, password);
            await management.DeleteVhostAsync(VirtualHost, CancellationToken.None).ConfigureAwait(false);
        }
        if (Endpoints.Redis.Length > 0)
        {
            await DeleteRedisKeysAsync(RedisKeyPrefix).ConfigureAwait(false);
        }
    }

    /// <summary>Deletes every key with the prefix (KEYS is acceptable on a test server).</summary>
    public async Task<long> DeleteRedisKeysAsync(string prefix)
    {
        var (host, port) = RedisHostPort(Endpoints.Redis);
        var deleted = await RespClient.CommandAsync(host, port,
            ["EVAL", "local n = 0 for _, k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) n = n + 1 end return n", "0", prefix + "*"],
            CancellationToken.None).ConfigureAwait(false);
        return long.Parse(deleted ?? "0", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Host and port from a StackExchange.Redis configuration string.</summary>
    public static (string Host, int Port) RedisHostPort(string configuration)
    {
        var endpoint = configuration.Split(',')[0].Trim();
        var colon = endpoint.LastIndexOf(':');
        return colon < 0 ? (endpoint, 6379) : (endpoint[..colon], int.Parse(endpoint[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    private static (string User, string Password) Credentials(Uri amqp)
    {
        var parts = amqp.UserInfo.Split(':', 2);
        return parts.Length == 2 && parts[0].Length > 0 ? (Uri.UnescapeDataString(parts[0]), Uri.UnescapeDataString(parts[1])) : ("guest", "guest");
    }

    private async Task Wrap(string server, Func<CancellationToken, Task> action)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await action(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not LocalServerFailedException)
        {
            // A dead server explains itself better than its client's error; its guardian notices within a second.
            for (var i = 0; i < 20; i++)
            {
                _endpoints?.EnsureRunning();
                await Task.Delay(100).ConfigureAwait(false);
            }
            throw new InvalidOperationException($"Test fixture could not prepare {server} for {Id}: {ex.Message}", ex);
        }
    }
}
