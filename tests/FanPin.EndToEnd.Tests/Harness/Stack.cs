using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using FanPin.Contracts.Registry.V1;
using Wire = FanPin.Contracts.Registry.V1;
using FanPin.Grpc;
using FanPin.ServiceDefaults.Authentication;

namespace FanPin.EndToEnd.Tests.Harness;

/// <summary>
/// The whole suite as a developer runs it: the AppHost as a child process (its own PostgreSQL, RabbitMQ and Redis,
/// every service from its build output), started once for all scenarios. The scenarios see only what a client
/// sees: the endpoints and the token the AppHost printed, the broker URI it printed, and tokens minted with the
/// development signing key the services accept in Development.
/// </summary>
public sealed class Stack : IAsyncLifetime
{
    /// <summary>The county the scenarios work in: 皋兰县, Lanzhou, Gansu (real NBS codes, villages synthesized).</summary>
    public const string County = "620122";

    /// <summary>A second county, to show that a county's subscription sees only its own events.</summary>
    public const string OtherCounty = "620123";

    private readonly List<string> _output = [];
    private readonly ConcurrentDictionary<(string Service, string Token), GrpcChannel> _channels = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _state = Path.Combine(Path.GetTempPath(), $"fanpin-e2e-{Guid.NewGuid():N}");
    private readonly TokenIssuer _issuer = new(new FanPinAuthOptions { SigningKey = FanPinAuthOptions.DevelopmentSigningKey });
    private Process? _apphost;

    /// <summary>gRPC endpoint of each service, from the AppHost's status page.</summary>
    public IReadOnlyDictionary<string, string> Endpoints { get; private set; } = new Dictionary<string, string>();

    /// <summary>Process id of each resource (services and servers), for the no-process-left check.</summary>
    public IReadOnlyList<int> ProcessIds { get; private set; } = [];

    /// <summary>The province 62 development token the AppHost printed.</summary>
    public string ProvinceToken { get; private set; } = "";

    /// <summary>The broker (amqp://…) the AppHost printed for the services; downstream subscribers bind here.</summary>
    public Uri Messaging { get; private set; } = null!;

    /// <summary>How long the AppHost took to become ready.</summary>
    public TimeSpan StartTime { get; private set; }

    /// <summary>Every village the scenarios use, with its township, imported at start.</summary>
    public static IReadOnlyList<string> Villages { get; } = ["620122100001", "620122103001", "620122105001", "620122106001", "620123100001"];

    public async Task InitializeAsync()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "FanPinAspire.AppHost.dll"), "--state", _state, "--fresh", "--status-port", FreePort().ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }
        // The registry of this deployment runs identification and exit quietly (no public notice; DOMAIN.md §6
        // "some provinces run it quietly"): a five-day notice cannot be waited for in a test. Services inherit it.
        start.Environment["Registry__PolicyDirectory"] = Path.Combine(AppContext.BaseDirectory, "Policies", "registry");
        _apphost = new Process { StartInfo = start };
        _apphost.OutputDataReceived += (_, e) => OnLine(e.Data);
        _apphost.ErrorDataReceived += (_, e) => OnLine(e.Data);
        var watch = Stopwatch.StartNew();
        _apphost.Start();
        _apphost.BeginOutputReadLine();
        _apphost.BeginErrorReadLine();
        await Task.WhenAny(_ready.Task, _apphost.WaitForExitAsync(), Task.Delay(TimeSpan.FromMinutes(4)));
        if (!_ready.Task.IsCompleted)
        {
            throw new InvalidOperationException("the AppHost did not get ready within 4 minutes:\n" + Tail(80));
        }
        StartTime = watch.Elapsed;

        ProvinceToken = Line("TOKEN=")["TOKEN=".Length..];
        Messaging = new Uri(Line("ConnectionStrings__messaging=")["ConnectionStrings__messaging=".Length..]);
        var statusUrl = Line("Status page: ")["Status page: ".Length..];
        using var http = new HttpClient();
        var rows = JsonDocument.Parse(await http.GetStringAsync(new Uri(statusUrl + "status"))).RootElement.EnumerateArray().ToList();
        Endpoints = rows.Where(r => r.GetProperty("kind").GetString() == "service")
            .ToDictionary(r => r.GetProperty("name").GetString()!, r => r.GetProperty("endpoint").GetString()!);
        ProcessIds = rows.Select(r => r.GetProperty("processId")).Where(p => p.ValueKind == JsonValueKind.Number).Select(p => p.GetInt32()).ToList();

        Eventually.ServiceLog = () => Problems(30);
        await ImportRegionsAsync();
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
        _issuer.Issue(new Caller($"e2e-{role.ToString().ToLowerInvariant()}-{department ?? scope}", role, RegionPrefix.Parse(scope), department, "e2e"), TimeSpan.FromHours(2));

    /// <summary>Clients of every service acting with <paramref name="token"/>.</summary>
    public Clients As(string token) => new(this, token);

    /// <summary>Clients as the province (the AppHost's own token).</summary>
    public Clients Province => As(ProvinceToken);

    /// <summary>Clients as the county office of <see cref="County"/>.</summary>
    public Clients CountyOffice => As(Token(CallerRole.County, County));

    /// <summary>A channel to <paramref name="service"/> carrying <paramref name="token"/>, shared per pair.</summary>
    public GrpcChannel Channel(string service, string token)
    {
        if (!Endpoints.TryGetValue(service, out var endpoint))
        {
            throw new InvalidOperationException($"the AppHost runs no '{service}' service (it runs: {string.Join(", ", Endpoints.Keys)})");
        }
        return _channels.GetOrAdd((service, token), key => GrpcChannel.ForAddress(endpoint, new GrpcChannelOptions { MaxReceiveMessageSize = 16 * 1024 * 1024 }.WithBearerToken(key.Token)));
    }

    /// <summary>The last lines the AppHost and its services printed (for failure messages).</summary>
    public string Tail(int lines = 40, string? containing = null)
    {
        lock (_output)
        {
            var selected = containing is null ? _output : _output.Where(l => l.Contains(containing, StringComparison.OrdinalIgnoreCase)).ToList();
            return string.Join('\n', selected.TakeLast(lines));
        }
    }

    private async Task ImportRegionsAsync()
    {
        // One small real county (皋兰县, its four townships) and one township of its neighbour 榆中县, with villages
        // synthesized under each township as the data README says (TTT + 001…).
        var request = new ImportRegionsRequest();
        foreach (var line in File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Data", "regions-gansu-gaolan.csv")).Skip(1))
        {
            var cells = line.Split(',');
            request.Regions.Add(new Wire.Region { Code = cells[0], Name = cells[1], Level = Level(cells[2]), ParentCode = cells[3] });
        }
        foreach (var village in Villages)
        {
            var township = village[..9] + "000";
            var name = request.Regions.Single(r => r.Code == township).Name + "第" + int.Parse(village[9..], CultureInfo.InvariantCulture) + "村";
            request.Regions.Add(new Wire.Region { Code = village, Name = name, Level = Wire.RegionLevel.Village, ParentCode = township });
        }
        var reply = await Province.Regions.ImportRegionsAsync(request, deadline: DateTime.UtcNow.AddSeconds(60));
        if (reply.Inserted != request.Regions.Count)
        {
            throw new InvalidOperationException($"ImportRegions inserted {reply.Inserted} of {request.Regions.Count} regions into a fresh registry");
        }
    }

    private static Wire.RegionLevel Level(string level) => level switch
    {
        "province" => Wire.RegionLevel.Province,
        "city" => Wire.RegionLevel.City,
        "county" => Wire.RegionLevel.County,
        "township" => Wire.RegionLevel.Township,
        _ => Wire.RegionLevel.Village,
    };

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
    private bool StartedByThisRun(int pid, int apphostPid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Contains(_state, StringComparison.Ordinal)
                || File.ReadAllText($"/proc/{pid}/environ").Split('\0').Contains($"FANPIN_PARENT_PID={apphostPid}");
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

    public async Task DisposeAsync()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }
        if (_apphost is not null)
        {
            if (!_apphost.HasExited)
            {
                _ = FanPin.LocalInfrastructure.LocalServer.Native.kill(_apphost.Id, 2); // Ctrl-C: the AppHost stops everything it started
                try
                {
                    await _apphost.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
                }
                catch (TimeoutException)
                {
                    _apphost.Kill(entireProcessTree: true);
                }
            }
            // Nothing of this run may outlive it (a service or server left would hold ports and memory): what is
            // left is killed, and the run fails saying so.
            var left = ProcessIds.Where(pid => StartedByThisRun(pid, _apphost.Id)).ToList();
            foreach (var pid in left)
            {
                _ = FanPin.LocalInfrastructure.LocalServer.Native.kill(pid, 9);
            }
            var exitCode = _apphost.ExitCode;
            _apphost.Dispose();
            DeleteState();
            if (left.Count > 0 || exitCode != 0)
            {
                throw new InvalidOperationException($"after Ctrl-C the AppHost exited with {exitCode}; processes left: {string.Join(", ", left)}\n{Tail(30)}");
            }
            return;
        }
        DeleteState();
    }

    private void DeleteState()
    {
        if (Directory.Exists(_state))
        {
            try
            {
                Directory.Delete(_state, recursive: true);
            }
            catch (IOException)
            {
                // a server may still be flushing; the temporary folder is left to the OS
            }
        }
    }
}

/// <summary>One AppHost for every scenario: they run one after another and use distinct villages.</summary>
[CollectionDefinition(Name)]
public sealed class StackCollection : ICollectionFixture<Stack>
{
    public const string Name = "stack";
}
