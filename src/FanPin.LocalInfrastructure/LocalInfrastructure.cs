using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FanPin.LocalInfrastructure;

/// <summary>What to start and where.</summary>
public sealed class LocalInfrastructureOptions
{
    /// <summary>Connection-string names, as services read them (<c>ConnectionStrings__&lt;name&gt;</c>).</summary>
    public const string Postgres = "postgres", Messaging = "messaging", Cache = "cache";

    /// <summary>State folder: data, logs and configuration of the servers (git-ignored).</summary>
    public string StateDirectory { get; set; } = ".fanpin";

    /// <summary>Delete existing data first.</summary>
    public bool Fresh { get; set; }

    /// <summary>Keep PostgreSQL crash-safe (development). Tests turn it off for speed.</summary>
    public bool Durable { get; set; } = true;

    /// <summary>Which servers are wanted: any of <see cref="Postgres"/>, <see cref="Messaging"/>, <see cref="Cache"/>.</summary>
    public ISet<string> Servers { get; init; } = new HashSet<string> { Postgres, Messaging, Cache };

    /// <summary>
    /// Connection strings that are already configured, by name. A server whose connection string is given
    /// here is used as it is and not started.
    /// </summary>
    public IDictionary<string, string> Configured { get; init; } = new Dictionary<string, string>();

    /// <summary>How long each server may take to serve.</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(90);
}

/// <summary>
/// Private PostgreSQL, RabbitMQ and Redis servers on free loopback ports, as the AppHost, the test
/// fixtures and CI use them. Stops them on dispose; their guardians stop them if this process dies.
/// </summary>
public sealed class LocalInfrastructure : IAsyncDisposable
{
    private readonly List<LocalServer> _servers;
    private readonly Dictionary<string, string> _connectionStrings;
    private readonly FileStream _lock;
    private readonly ILogger _logger;
    private readonly Dictionary<LocalServer, int> _restarts = [];

    private LocalInfrastructure(List<LocalServer> servers, Dictionary<string, string> connectionStrings, FileStream stateLock, ILogger logger)
    {
        _servers = servers;
        _connectionStrings = connectionStrings;
        _lock = stateLock;
        _logger = logger;
    }

    /// <summary>The PostgreSQL server we started, or null when it was configured or not wanted.</summary>
    public PostgresServer? Postgres => _servers.OfType<PostgresServer>().SingleOrDefault();

    /// <summary>The RabbitMQ node we started, or null.</summary>
    public RabbitMqServer? RabbitMq => _servers.OfType<RabbitMqServer>().SingleOrDefault();

    /// <summary>The Redis server we started, or null.</summary>
    public RedisServer? Redis => _servers.OfType<RedisServer>().SingleOrDefault();

    /// <summary>The servers this instance started (not the configured ones).</summary>
    public IReadOnlyList<LocalServer> StartedServers => _servers;

    /// <summary>Connection strings by name, whether started here or configured.</summary>
    public IReadOnlyDictionary<string, string> ConnectionStrings => _connectionStrings;

    /// <summary>The same as Aspire-convention environment variables (<c>ConnectionStrings__postgres</c>, ...).</summary>
    public IReadOnlyDictionary<string, string> EnvironmentVariables =>
        _connectionStrings.ToDictionary(kv => $"ConnectionStrings__{kv.Key}", kv => kv.Value);

    /// <summary>Starts every wanted server that is not configured, in parallel, and returns once all serve.</summary>
    public static async Task<LocalInfrastructure> StartAsync(LocalInfrastructureOptions options, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("FanPin.LocalInfrastructure");
        var state = Path.GetFullPath(options.StateDirectory);
        Directory.CreateDirectory(state);
        var stateLock = AcquireLock(state);
        var servers = new List<LocalServer>();
        var connectionStrings = new Dictionary<string, string>();
        try
        {
            foreach (var name in options.Servers)
            {
                if (options.Configured.TryGetValue(name, out var configured) && !string.IsNullOrWhiteSpace(configured))
                {
                    logger.LogInformation("Using the configured {Name} connection string; not starting a server", name);
                    connectionStrings[name] = configured;
                    continue;
                }
                servers.Add(name switch
                {
                    LocalInfrastructureOptions.Postgres => new PostgresServer(PostgresServer.ResolveDirectory(Path.Combine(state, "postgres")), options.Durable, logger),
                    LocalInfrastructureOptions.Messaging => new RabbitMqServer(Path.Combine(state, "rabbitmq"), logger),
                    LocalInfrastructureOptions.Cache => new RedisServer(Path.Combine(state, "redis"), logger),
                    _ => throw new ArgumentException($"Unknown server '{name}'; expected postgres, messaging or cache.", nameof(options)),
                });
            }
            // Every binary is checked before anything starts, so a missing package is reported at once.
            foreach (var server in servers)
            {
                server.CheckPrerequisites();
            }
            if (options.Fresh)
            {
                foreach (var server in servers.Where(s => Directory.Exists(s.Directory)))
                {
                    logger.LogInformation("--fresh: deleting {Directory}", server.Directory);
                    Directory.Delete(server.Directory, recursive: true);
                }
            }
            var watch = Stopwatch.StartNew();
            await Task.WhenAll(servers.Select(s => s.StartAsync(options.StartTimeout, cancellationToken))).ConfigureAwait(false);
            logger.LogInformation("Local infrastructure ready in {Elapsed} ms", watch.ElapsedMilliseconds);
            foreach (var server in servers)
            {
                connectionStrings[server.Name] = server.ConnectionString;
            }
            return new LocalInfrastructure(servers, connectionStrings, stateLock, logger);
        }
        catch
        {
            await Task.WhenAll(servers.Select(s => s.StopAsync())).ConfigureAwait(false);
            await stateLock.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Throws <see cref="LocalServerFailedException"/> naming the first server that is no longer running.</summary>
    public void EnsureRunning()
    {
        foreach (var server in _servers)
        {
            server.EnsureRunning();
        }
    }

    /// <summary>How often <paramref name="server"/> was started again by <see cref="RestartDeadServersAsync"/>.</summary>
    public int Restarts(LocalServer server) => _restarts.GetValueOrDefault(server);

    /// <summary>
    /// Starts again every server that died by itself (a crash, an OOM kill, a fault test's SIGKILL), on the same port
    /// and data, so clients reconnect as they would to a restarted production server. Throws
    /// <see cref="LocalServerFailedException"/> when one does not serve again within <paramref name="timeout"/>.
    /// </summary>
    public async Task<IReadOnlyList<LocalServer>> RestartDeadServersAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var restarted = new List<LocalServer>();
        foreach (var server in _servers.Where(s => !s.IsRunning).ToList())
        {
            _restarts[server] = Restarts(server) + 1;
            _logger.LogWarning("{Server} is no longer running (log: {Log}); restart {Restart} on the same port and data", server.DisplayName, server.LogPath, _restarts[server]);
            await server.StartAsync(timeout, cancellationToken).ConfigureAwait(false);
            restarted.Add(server);
        }
        return restarted;
    }

    /// <summary>Stops the servers: the broker and cache first, the database last.</summary>
    public async Task StopAsync()
    {
        var order = _servers.OrderBy(s => s is PostgresServer ? 1 : 0).ToList();
        await Task.WhenAll(order.Where(s => s is not PostgresServer).Select(s => s.StopAsync())).ConfigureAwait(false);
        await Task.WhenAll(order.Where(s => s is PostgresServer).Select(s => s.StopAsync())).ConfigureAwait(false);
        _logger.LogInformation("Local infrastructure stopped");
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        foreach (var server in _servers)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }
        await _lock.DisposeAsync().ConfigureAwait(false);
    }

    private static FileStream AcquireLock(string state)
    {
        var path = Path.Combine(state, "lock");
        try
        {
            // FileShare.None takes an advisory flock on Linux: one owner per state folder.
            var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            stream.SetLength(0);
            var pid = System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            stream.Write(pid);
            stream.Flush();
            return stream;
        }
        catch (IOException)
        {
            var owner = "";
            try
            {
                using var reader = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                owner = new StreamReader(reader).ReadToEnd().Trim();
            }
            catch (IOException)
            {
            }
            throw new InvalidOperationException(
                $"The state folder {state} is in use by another FanPin process{(owner.Length > 0 ? $" (pid {owner})" : "")}. " +
                "Stop it first, or choose another state folder.");
        }
    }
}
