using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using FanPin.Grpc;
using FanPin.LocalInfrastructure;
using FanPin.ServiceDefaults.Authentication;

namespace FanPin.Testing.Suite;

/// <summary>How to start the suite.</summary>
public sealed record SuiteOptions
{
    /// <summary>The AppHost's dll; by default the one beside the caller (reference FanPinAspire.AppHost to get it there).</summary>
    public string AppHost { get; init; } = Path.Combine(AppContext.BaseDirectory, "FanPinAspire.AppHost.dll");

    /// <summary>Environment for the AppHost, which its services inherit (for example a policy directory).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>How long the AppHost may take to print <c>Ready.</c>.</summary>
    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromMinutes(4);
}

/// <summary>
/// The whole suite as a developer runs it: the AppHost as a child process (its own PostgreSQL, RabbitMQ and Redis,
/// every service from its build output). A client sees what the AppHost printed: the endpoints (status page), the
/// province token, the broker URI and the connection strings; tokens of other roles are minted with the development
/// signing key the services accept in Development. Disposing sends Ctrl-C and fails when the AppHost exits non-zero or
/// leaves a process behind.
/// </summary>
public sealed class SuiteProcess : IAsyncDisposable
{
    private readonly List<string> _output = [];
    private readonly ConcurrentDictionary<(string Service, string Token), GrpcChannel> _channels = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TokenIssuer _issuer = new(new FanPinAuthOptions { SigningKey = FanPinAuthOptions.DevelopmentSigningKey });
    private readonly Process _apphost;
    private string _statusUrl = "";

    private SuiteProcess(Process apphost, string state)
    {
        _apphost = apphost;
        State = state;
    }

    /// <summary>The AppHost's state folder (servers' data, logs).</summary>
    public string State { get; }

    /// <summary>gRPC endpoint of each service, from the AppHost's status page.</summary>
    public IReadOnlyDictionary<string, string> Endpoints { get; private set; } = new Dictionary<string, string>();

    /// <summary>Process id of each resource (services and servers) when the suite got ready.</summary>
    public IReadOnlyList<int> ProcessIds { get; private set; } = [];

    /// <summary>The province 62 development token the AppHost printed.</summary>
    public string ProvinceToken { get; private set; } = "";

    /// <summary>The broker (amqp://…) the AppHost printed for the services; downstream subscribers bind here.</summary>
    public Uri Messaging { get; private set; } = null!;

    /// <summary>Every <c>ConnectionStrings__name=value</c> line the AppHost printed (databases, broker, cache).</summary>
    public IReadOnlyDictionary<string, string> ConnectionStrings { get; private set; } = new Dictionary<string, string>();

    /// <summary>How long the AppHost took to become ready.</summary>
    public TimeSpan StartTime { get; private set; }

    /// <summary>The AppHost's own process id.</summary>
    public int AppHostProcessId => _apphost.Id;

    /// <summary>Starts the AppHost on a fresh state folder and waits for <c>Ready.</c>.</summary>
    public static async Task<SuiteProcess> StartAsync(SuiteOptions? options = null)
    {
        options ??= new SuiteOptions();
        var state = Path.Combine(Path.GetTempPath(), $"fanpin-suite-{Guid.NewGuid():N}");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { options.AppHost, "--state", state, "--fresh", "--status-port", FreePort().ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in options.Environment)
        {
            start.Environment[name] = value;
        }
        var suite = new SuiteProcess(new Process { StartInfo = start }, state);
        suite._apphost.OutputDataReceived += (_, e) => suite.OnLine(e.Data);
        suite._apphost.ErrorDataReceived += (_, e) => suite.OnLine(e.Data);
        var watch = Stopwatch.StartNew();
        suite._apphost.Start();
        suite._apphost.BeginOutputReadLine();
        suite._apphost.BeginErrorReadLine();
        await Task.WhenAny(suite._ready.Task, suite._apphost.WaitForExitAsync(), Task.Delay(options.ReadyTimeout));
        if (!suite._ready.Task.IsCompleted)
        {
            var tail = suite.Tail(80);
            await suite.DisposeAsync().AsTask().ContinueWith(_ => { }, TaskScheduler.Default);
            throw new InvalidOperationException($"the AppHost did not get ready within {options.ReadyTimeout.TotalMinutes:0} minutes:\n" + tail);
        }
        suite.StartTime = watch.Elapsed;

        suite.ProvinceToken = suite.Line("TOKEN=")["TOKEN=".Length..];
        suite.Messaging = new Uri(suite.Line("ConnectionStrings__messaging=")["ConnectionStrings__messaging=".Length..]);
        lock (suite._output)
        {
            suite.ConnectionStrings = suite._output.Where(l => l.StartsWith("ConnectionStrings__", StringComparison.Ordinal) && l.Contains('=', StringComparison.Ordinal))
                .Select(l => l["ConnectionStrings__".Length..].Split('=', 2))
                .GroupBy(kv => kv[0]).ToDictionary(g => g.Key, g => g.First()[1]);
        }
        suite._statusUrl = suite.Line("Status page: ")["Status page: ".Length..];
        var rows = await suite.StatusAsync();
        suite.Endpoints = rows.Where(r => r.Kind == "service").ToDictionary(r => r.Name, r => r.Endpoint!);
        suite.ProcessIds = rows.Where(r => r.ProcessId is not null).Select(r => r.ProcessId!.Value).ToList();
        return suite;
    }

    /// <summary>One resource on the AppHost's status page.</summary>
    public sealed record Resource(string Name, string Kind, string? Endpoint, int? ProcessId, JsonElement Row);

    /// <summary>The AppHost's status page now (a restarted service has a new process id).</summary>
    public async Task<IReadOnlyList<Resource>> StatusAsync(CancellationToken cancellationToken = default)
    {
        using var http = new HttpClient();
        using var document = JsonDocument.Parse(await http.GetStringAsync(new Uri(_statusUrl + "status"), cancellationToken));
        return document.RootElement.EnumerateArray().Select(r => new Resource(
            r.GetProperty("name").GetString()!,
            r.GetProperty("kind").GetString()!,
            r.TryGetProperty("endpoint", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null,
            r.TryGetProperty("processId", out var p) && p.ValueKind == JsonValueKind.Number ? p.GetInt32() : null,
            r.Clone())).ToList();
    }

    /// <summary>The last error and warning lines of the services (their console format marks the level: "fail:", "warn:", "crit:").</summary>
    public string Problems(int lines)
    {
        lock (_output)
        {
            return string.Join('\n', _output.Where(l => l.Contains("fail:", StringComparison.Ordinal) || l.Contains("crit:", StringComparison.Ordinal)
                || l.Contains("warn:", StringComparison.Ordinal) || l.Contains("exited with", StringComparison.Ordinal)).TakeLast(lines).Select(l => "    " + (l.Length > 400 ? l[..400] + "…" : l)));
        }
    }

    /// <summary>A token of <paramref name="role"/> over <paramref name="scope"/> (a department names itself).</summary>
    public string Token(CallerRole role, string scope, string? department = null) =>
        _issuer.Issue(new Caller($"suite-{role.ToString().ToLowerInvariant()}-{department ?? scope}", role, RegionPrefix.Parse(scope), department, "suite"), TimeSpan.FromHours(2));

    /// <summary>A channel to <paramref name="service"/> carrying <paramref name="token"/>, shared per pair.</summary>
    public GrpcChannel Channel(string service, string token)
    {
        if (!Endpoints.TryGetValue(service, out var endpoint))
        {
            throw new InvalidOperationException($"the AppHost runs no '{service}' service (it runs: {string.Join(", ", Endpoints.Keys)})");
        }
        return _channels.GetOrAdd((service, token), key => GrpcChannel.ForAddress(endpoint, new GrpcChannelOptions { MaxReceiveMessageSize = 16 * 1024 * 1024 }.WithBearerToken(key.Token)));
    }

    /// <summary>Clients of every service acting with <paramref name="token"/>.</summary>
    public SuiteClients As(string token) => new(this, token);

    /// <summary>Clients as the province (the AppHost's own token).</summary>
    public SuiteClients Province => As(ProvinceToken);

    /// <summary>The last lines the AppHost and its services printed (for failure messages).</summary>
    public string Tail(int lines = 40, string? containing = null)
    {
        lock (_output)
        {
            var selected = containing is null ? _output : _output.Where(l => l.Contains(containing, StringComparison.OrdinalIgnoreCase)).ToList();
            return string.Join('\n', selected.TakeLast(lines));
        }
    }

    /// <summary>Every line printed so far that contains <paramref name="text"/>.</summary>
    public IReadOnlyList<string> Lines(string text)
    {
        lock (_output)
        {
            return _output.Where(l => l.Contains(text, StringComparison.Ordinal)).ToList();
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.Add(line);
        }
        if (line.StartsWith("Ready.", StringComparison.Ordinal))
        {
            _ready.TrySetResult();
        }
    }

    private string Line(string prefix)
    {
        lock (_output)
        {
            return _output.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal))
                ?? throw new InvalidOperationException($"the AppHost printed no '{prefix}' line:\n{string.Join('\n', _output.TakeLast(60))}");
        }
    }

    /// <summary>A server of this run names the state folder; a service carries its AppHost's pid.</summary>
    private bool StartedByThisRun(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Contains(State, StringComparison.Ordinal)
                || File.ReadAllText($"/proc/{pid}/environ").Split('\0').Contains($"FANPIN_PARENT_PID={_apphost.Id}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false; // gone
        }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }
        var started = false;
        try
        {
            started = _apphost.Id > 0;
        }
        catch (InvalidOperationException)
        {
            // never started
        }
        if (!started)
        {
            DeleteState();
            return;
        }
        // Resources restarted since start have new pids: take them from the status page while it still answers.
        var pids = ProcessIds.ToList();
        try
        {
            pids.AddRange((await StatusAsync().WaitAsync(TimeSpan.FromSeconds(5))).Where(r => r.ProcessId is not null).Select(r => r.ProcessId!.Value));
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutException or TaskCanceledException or UriFormatException or JsonException)
        {
            // the status page is gone already
        }
        if (!_apphost.HasExited)
        {
            _ = LocalServer.Native.kill(_apphost.Id, 2); // Ctrl-C: the AppHost stops everything it started
            try
            {
                await _apphost.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
            }
            catch (TimeoutException)
            {
                _apphost.Kill(entireProcessTree: true);
            }
        }
        // Nothing of this run may outlive it (a service or server left would hold ports and memory): what is left is
        // killed, and the run fails saying so.
        var left = pids.Distinct().Where(StartedByThisRun).ToList();
        foreach (var pid in left)
        {
            _ = LocalServer.Native.kill(pid, 9);
        }
        var exitCode = _apphost.ExitCode;
        _apphost.Dispose();
        DeleteState();
        if (left.Count > 0 || exitCode != 0)
        {
            throw new InvalidOperationException($"after Ctrl-C the AppHost exited with {exitCode}; processes left: {string.Join(", ", left)}\n{Tail(30)}");
        }
    }

    private void DeleteState()
    {
        // FANPIN_KEEP_SUITE_STATE=1 keeps the databases and logs of a run for a post-mortem (the path is printed).
        if (Environment.GetEnvironmentVariable("FANPIN_KEEP_SUITE_STATE") == "1")
        {
            Console.WriteLine($"suite state kept in {State} (FANPIN_KEEP_SUITE_STATE=1)");
            return;
        }
        if (Directory.Exists(State))
        {
            try
            {
                Directory.Delete(State, recursive: true);
            }
            catch (IOException)
            {
                // a server may still be flushing; the temporary folder is left to the OS
            }
        }
    }
}
