using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;

namespace FanPin.LocalInfrastructure;

/// <summary>
/// A private RabbitMQ 3.10 node with the management plugin (its HTTP API creates and removes test vhosts).
/// Every path, port and the Erlang cookie are private, so two nodes can run side by side.
/// </summary>
public sealed class RabbitMqServer : LocalServer
{
    private const string BinDirectory = "/usr/lib/rabbitmq/bin";
    private readonly string _nodeName;
    private int _epmdPort;
    private int _distributionPort;

    public RabbitMqServer(string directory, ILogger logger)
        : base("messaging", "RabbitMQ 3.10", directory, logger)
    {
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(directory))))[..10].ToLowerInvariant();
        _nodeName = $"fanpin-{hash}@localhost";
    }

    /// <summary>An AMQP URI for the default vhost.</summary>
    public override string ConnectionString => $"amqp://guest:guest@127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/";

    /// <summary>The management HTTP API's base address (user guest, password guest).</summary>
    public Uri ManagementUri => new($"http://127.0.0.1:{ManagementPort.ToString(CultureInfo.InvariantCulture)}/");

    /// <summary>The management HTTP port.</summary>
    public int ManagementPort { get; private set; }

    public override int? ServerProcessId
    {
        get
        {
            var pidFile = Path.Combine(Directory, "mnesia", _nodeName + ".pid");
            try
            {
                return File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid) ? pid : null;
            }
            catch (IOException)
            {
                return null;
            }
        }
    }

    protected override string DebianPackage => "rabbitmq-server";

    protected override TimeSpan StopTimeout => TimeSpan.FromSeconds(30);

    protected override IEnumerable<string> RequiredBinaries() => [$"{BinDirectory}/rabbitmq-server", "/usr/bin/epmd"];

    public override async Task ProbeAsync(CancellationToken cancellationToken)
    {
        // A real AMQP handshake, then the management API that test fixtures use.
        var factory = new ConnectionFactory { Uri = new Uri(ConnectionString), RequestedConnectionTimeout = TimeSpan.FromSeconds(3) };
        await using (var connection = await factory.CreateConnectionAsync(cancellationToken).ConfigureAwait(false))
        {
            await connection.CloseAsync(cancellationToken).ConfigureAwait(false);
        }
        using var http = RabbitMqManagement.CreateHttpClient(ManagementUri, "guest", "guest");
        using var response = await http.GetAsync("api/overview", cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
    }

    protected override async Task PrepareAsync(CancellationToken cancellationToken)
    {
        if (Port == 0)
        {
            Port = PortAllocator.FreeTcpPort();
            ManagementPort = PortAllocator.FreeTcpPort();
            _epmdPort = PortAllocator.FreeTcpPort();
            _distributionPort = PortAllocator.FreeTcpPort();
        }
        foreach (var sub in new[] { "home", "mnesia", "log" })
        {
            System.IO.Directory.CreateDirectory(Path.Combine(Directory, sub));
        }
        var config = $"""
            listeners.tcp.default = 127.0.0.1:{Port}
            management.tcp.ip = 127.0.0.1
            management.tcp.port = {ManagementPort}
            loopback_users.guest = true
            log.console = false
            log.file.level = info
            disk_free_limit.absolute = 200MB
            classic_queue.default_version = 2
            """;
        await File.WriteAllTextAsync(Path.Combine(Directory, "rabbitmq.conf"), config, cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(Directory, "enabled_plugins"), "[rabbitmq_management].\n", cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(Directory, "rabbitmq-env.conf"), "", cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(Directory, "advanced.config"), "[].\n", cancellationToken).ConfigureAwait(false);
    }

    protected override (IReadOnlyList<string> Command, IReadOnlyDictionary<string, string> Environment) ServerCommand()
    {
        var environment = new Dictionary<string, string>
        {
            ["HOME"] = Path.Combine(Directory, "home"),
            ["PATH"] = $"{BinDirectory}:{Environment.GetEnvironmentVariable("PATH")}",
            ["RABBITMQ_NODENAME"] = _nodeName,
            ["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_NODE_PORT"] = Port.ToString(CultureInfo.InvariantCulture),
            ["RABBITMQ_DIST_PORT"] = _distributionPort.ToString(CultureInfo.InvariantCulture),
            ["ERL_EPMD_PORT"] = _epmdPort.ToString(CultureInfo.InvariantCulture),
            ["ERL_EPMD_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_MNESIA_BASE"] = Path.Combine(Directory, "mnesia"),
            ["RABBITMQ_LOG_BASE"] = Path.Combine(Directory, "log"),
            ["RABBITMQ_CONFIG_FILE"] = Path.Combine(Directory, "rabbitmq.conf"),
            ["RABBITMQ_ADVANCED_CONFIG_FILE"] = Path.Combine(Directory, "advanced.config"),
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(Directory, "enabled_plugins"),
            ["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(Directory, "rabbitmq-env.conf"),
            ["RABBITMQ_PID_FILE"] = Path.Combine(Directory, "mnesia", _nodeName + ".pid"),
            ["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1}",
        };
        // epmd is started here, inside the guardian's process group, so that it is stopped with the node
        // (when erl starts it, it daemonizes and outlives the node).
        return (["bash", "-c", "epmd -port \"$ERL_EPMD_PORT\" -address 127.0.0.1 & sleep 0.3; exec rabbitmq-server"], environment);
    }

    // rabbitmq-server traps SIGTERM and runs `rabbitmqctl stop` with the same environment.
    protected override string StopCommand() => "kill -TERM \"$FANPIN_SERVER_PID\"";
}

/// <summary>The few management HTTP API calls FanPin needs: vhosts for test isolation.</summary>
public sealed class RabbitMqManagement(Uri baseAddress, string user, string password) : IDisposable
{
    private readonly HttpClient _http = CreateHttpClient(baseAddress, user, password);

    internal static HttpClient CreateHttpClient(Uri baseAddress, string user, string password)
    {
        var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(15) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        return http;
    }

    /// <summary>Creates a vhost and gives <paramref name="grantTo"/> full permissions on it.</summary>
    public async Task CreateVhostAsync(string vhost, string grantTo, CancellationToken cancellationToken)
    {
        var name = Uri.EscapeDataString(vhost);
        using (var response = await _http.PutAsync($"api/vhosts/{name}", null, cancellationToken).ConfigureAwait(false))
        {
            response.EnsureSuccessStatusCode();
        }
        using var body = new StringContent("""{"configure":".*","write":".*","read":".*"}""", Encoding.UTF8, "application/json");
        using var granted = await _http.PutAsync($"api/permissions/{name}/{Uri.EscapeDataString(grantTo)}", body, cancellationToken).ConfigureAwait(false);
        granted.EnsureSuccessStatusCode();
    }

    /// <summary>Deletes a vhost with everything in it; a missing vhost is not an error.</summary>
    public async Task DeleteVhostAsync(string vhost, CancellationToken cancellationToken)
    {
        using var response = await _http.DeleteAsync($"api/vhosts/{Uri.EscapeDataString(vhost)}", cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != System.Net.HttpStatusCode.NotFound)
        {
            response.EnsureSuccessStatusCode();
        }
    }

    /// <summary>A queue's type ("classic", "quorum", "stream"), or null when the queue does not exist.</summary>
    public async Task<string?> GetQueueTypeAsync(string vhost, string queue, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync($"api/queues/{Uri.EscapeDataString(vhost)}/{Uri.EscapeDataString(queue)}", cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
        response.EnsureSuccessStatusCode();
        using var json = await System.Text.Json.JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), cancellationToken: cancellationToken).ConfigureAwait(false);
        return json.RootElement.TryGetProperty("type", out var type) ? type.GetString() : "classic";
    }

    /// <summary>Names of all vhosts.</summary>
    public async Task<IReadOnlyList<string>> ListVhostsAsync(CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync("api/vhosts", cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        using var json = await System.Text.Json.JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), cancellationToken: cancellationToken).ConfigureAwait(false);
        return json.RootElement.EnumerateArray().Select(v => v.GetProperty("name").GetString()!).ToList();
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}
