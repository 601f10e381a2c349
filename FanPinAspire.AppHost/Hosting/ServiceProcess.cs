using System.Diagnostics;
using System.Net;

namespace FanPin.AppHost.Hosting;

/// <summary>The lifecycle states shown in the resource table and the status view.</summary>
public enum ResourceState
{
    Starting,
    Running,
    Unhealthy,
    Restarting,
    Stopping,
    Stopped,
    Failed,
}

/// <summary>
/// One service process run from its build output: output prefixed into the console, health polled, restarted
/// with backoff when it crashes, stopped with SIGTERM (then killed) when the AppHost stops.
/// </summary>
public sealed class ServiceProcess(ServiceResource resource, string assemblyPath, IReadOnlyDictionary<string, string> environment,
    string grpcUrl, string healthUrl, ConsoleLog log)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(3) };
    private readonly Lock _gate = new();
    private Process? _process;
    private bool _stopping;
    private int _restarts;

    /// <summary>The service.</summary>
    public ServiceResource Resource { get; } = resource;

    /// <summary>Its gRPC address.</summary>
    public string GrpcUrl { get; } = grpcUrl;

    /// <summary>Its health address (<c>/health</c>, <c>/alive</c> below it).</summary>
    public string HealthUrl { get; } = healthUrl;

    /// <summary>Current state.</summary>
    public ResourceState State { get; private set; } = ResourceState.Stopped;

    /// <summary>The running process's id.</summary>
    public int? ProcessId { get; private set; }

    /// <summary>How often it was restarted after a crash.</summary>
    public int Restarts => _restarts;

    /// <summary>Starts the process (its build output, under `dotnet`).</summary>
    public void Start()
    {
        lock (_gate)
        {
            var start = new ProcessStartInfo("dotnet")
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                WorkingDirectory = Path.GetDirectoryName(assemblyPath)!,
            };
            start.ArgumentList.Add(assemblyPath);
            foreach (var (key, value) in environment)
            {
                start.Environment[key] = value;
            }
            start.Environment["FANPIN_PARENT_PID"] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var process = new Process { StartInfo = start, EnableRaisingEvents = true };
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) log.Line(Resource.Name, e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) log.Line(Resource.Name, e.Data, error: true); };
            process.Exited += (_, _) => OnExited(process);
            process.Start();
            process.StandardInput.Close();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            _process = process;
            ProcessId = process.Id;
            State = ResourceState.Starting;
        }
    }

    /// <summary>Waits until <c>/health</c> answers 200; fails when the process exits or the time is up.</summary>
    public async Task WaitHealthyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (State is ResourceState.Failed or ResourceState.Stopped)
            {
                throw new InvalidOperationException($"{Resource.Name} exited before it was healthy (see its log lines above)");
            }
            if (await IsHealthyAsync(cancellationToken))
            {
                State = ResourceState.Running;
                return;
            }
            if (watch.Elapsed > timeout)
            {
                throw new TimeoutException($"{Resource.Name} was not healthy at {HealthUrl}/health within {timeout.TotalSeconds:0} s");
            }
            await Task.Delay(250, cancellationToken);
        }
    }

    /// <summary>One health probe.</summary>
    public async Task<bool> IsHealthyAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await Http.GetAsync($"{HealthUrl}/health", cancellationToken);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Refreshes Running/Unhealthy from a probe (the status view calls this).</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        if (State is ResourceState.Running or ResourceState.Unhealthy)
        {
            State = await IsHealthyAsync(cancellationToken) ? ResourceState.Running : ResourceState.Unhealthy;
        }
    }

    /// <summary>SIGTERM, then kill after <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        Process? process;
        lock (_gate)
        {
            _stopping = true;
            process = _process;
        }
        if (process is null || process.HasExited)
        {
            State = ResourceState.Stopped;
            return;
        }
        State = ResourceState.Stopping;
        _ = FanPin.LocalInfrastructure.LocalServer.Native.kill(process.Id, FanPin.LocalInfrastructure.LocalServer.Native.SIGTERM);
        using var timeout = new CancellationTokenSource(grace);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            log.Host($"{Resource.Name} did not stop within {grace.TotalSeconds:0} s: killing it", error: true);
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        State = ResourceState.Stopped;
    }

    private void OnExited(Process process)
    {
        lock (_gate)
        {
            if (_stopping || !ReferenceEquals(process, _process))
            {
                return;
            }
            _restarts++;
            var delay = TimeSpan.FromSeconds(Math.Min(30, Math.Pow(2, Math.Min(_restarts - 1, 5))));
            State = ResourceState.Restarting;
            log.Host($"{Resource.Name} exited with status {process.ExitCode}; restart {_restarts} in {delay.TotalSeconds:0} s", error: true);
            _ = Task.Delay(delay).ContinueWith(_ =>
            {
                lock (_gate)
                {
                    if (_stopping)
                    {
                        return;
                    }
                }
                try
                {
                    Start();
                    State = ResourceState.Unhealthy; // the next status refresh or health wait promotes it
                }
                catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
                {
                    State = ResourceState.Failed;
                    log.Host($"{Resource.Name} could not be restarted: {ex.Message}", error: true);
                }
            }, TaskScheduler.Default);
        }
    }
}
