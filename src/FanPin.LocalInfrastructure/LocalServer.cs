using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace FanPin.LocalInfrastructure;

/// <summary>
/// One private server process (PostgreSQL, RabbitMQ or Redis) run by the guardian script: a session of its
/// own, so Ctrl-C in the terminal reaches only the owner, who stops servers in order; and a watch on the
/// owner, so the server stops even when the owner is killed.
/// </summary>
public abstract partial class LocalServer : IAsyncDisposable
{
    private Process? _guardian;
    private int _stopping;

    protected LocalServer(string name, string displayName, string directory, ILogger logger)
    {
        Name = name;
        DisplayName = displayName;
        Directory = directory;
        Logger = logger;
    }

    /// <summary>The connection-string name the server's address is handed out under.</summary>
    public string Name { get; }

    /// <summary>Human name for messages, e.g. "PostgreSQL 15".</summary>
    public string DisplayName { get; }

    /// <summary>The server's state folder (data, logs, configuration).</summary>
    public string Directory { get; }

    /// <summary>The guardian's log, which also holds the server's own output.</summary>
    public string LogPath => Path.Combine(Directory, "server.log");

    /// <summary>The connection string, valid once started.</summary>
    public abstract string ConnectionString { get; }

    /// <summary>The loopback port clients connect to.</summary>
    public int Port { get; protected set; }

    /// <summary>The guardian's pid (also the process group of the server and its helpers).</summary>
    public int? GuardianProcessId => _guardian?.Id;

    /// <summary>The server process's own pid, for diagnostics and fault tests.</summary>
    public abstract int? ServerProcessId { get; }

    /// <summary>True while the server's guardian runs, that is, until it is stopped or the server died.</summary>
    public bool IsRunning => _guardian is { HasExited: false };

    protected ILogger Logger { get; }

    protected string GuardianPidFile => Path.Combine(Directory, "server.pid");

    /// <summary>Debian package that provides the server, for the missing-binary message.</summary>
    protected abstract string DebianPackage { get; }

    /// <summary>Checks the binaries exist before anything is started.</summary>
    public void CheckPrerequisites()
    {
        foreach (var binary in RequiredBinaries())
        {
            if (!File.Exists(binary))
            {
                throw new MissingPrerequisiteException(DisplayName, binary, DebianPackage);
            }
        }
    }

    /// <summary>
    /// Starts the server and returns once it really serves (a query, a handshake, a PING). A server that was
    /// stopped can be started again: it keeps its ports and data, so clients reconnect (broker-restart tests).
    /// </summary>
    public async Task StartAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        CheckPrerequisites();
        if (IsRunning)
        {
            throw new InvalidOperationException($"{DisplayName} is already running.");
        }
        _guardian?.Dispose();
        _guardian = null;
        _stopping = 0;
        System.IO.Directory.CreateDirectory(Directory);
        await PrepareAsync(cancellationToken).ConfigureAwait(false);
        var (command, environment) = ServerCommand();
        StartGuardian(command, environment, StopCommand());
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var started = Stopwatch.StartNew();
        Exception? last = null;
        while (true)
        {
            if (!IsRunning)
            {
                throw Failure($"exited while starting");
            }
            try
            {
                await ProbeAsync(deadline.Token).ConfigureAwait(false);
                Logger.LogInformation("{Server} serves on 127.0.0.1:{Port} after {Elapsed} ms", DisplayName, Port, started.ElapsedMilliseconds);
                return;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                last = ex;
            }
            if (deadline.IsCancellationRequested)
            {
                await StopAsync().ConfigureAwait(false);
                throw Failure($"did not serve within {timeout.TotalSeconds:0} s (last probe: {last?.Message})");
            }
            try
            {
                await Task.Delay(100, deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }
        }
    }

    /// <summary>Throws <see cref="LocalServerFailedException"/> when the server is no longer running.</summary>
    public void EnsureRunning()
    {
        if (!IsRunning)
        {
            throw Failure("is no longer running");
        }
    }

    /// <summary>One readiness probe: a real request that the server must answer.</summary>
    public abstract Task ProbeAsync(CancellationToken cancellationToken);

    /// <summary>Asks the guardian to stop the server gracefully and waits; kills the process group as a last resort.</summary>
    public async Task StopAsync()
    {
        var guardian = _guardian;
        if (guardian is null || Interlocked.Exchange(ref _stopping, 1) == 1)
        {
            return;
        }
        if (!guardian.HasExited)
        {
            _ = Native.kill(guardian.Id, Native.SIGTERM);
            using var wait = new CancellationTokenSource(StopTimeout + TimeSpan.FromSeconds(10));
            try
            {
                await guardian.WaitForExitAsync(wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Logger.LogWarning("{Server} did not stop in time: killing its process group {Pgid}", DisplayName, guardian.Id);
                _ = Native.kill(-guardian.Id, Native.SIGKILL);
                await guardian.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        await AfterStopAsync().ConfigureAwait(false);
        Logger.LogInformation("{Server} stopped", DisplayName);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _guardian?.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>How long the graceful stop may take before the guardian kills the server.</summary>
    protected virtual TimeSpan StopTimeout => TimeSpan.FromSeconds(20);

    protected abstract IEnumerable<string> RequiredBinaries();

    /// <summary>Creates data folders and configuration (once; kept across runs).</summary>
    protected abstract Task PrepareAsync(CancellationToken cancellationToken);

    /// <summary>The foreground server command and its environment.</summary>
    protected abstract (IReadOnlyList<string> Command, IReadOnlyDictionary<string, string> Environment) ServerCommand();

    /// <summary>A bash command that asks the server to stop; <c>$FANPIN_SERVER_PID</c> is the server's pid.</summary>
    protected abstract string StopCommand();

    protected virtual Task AfterStopAsync() => Task.CompletedTask;

    protected LocalServerFailedException Failure(string what)
    {
        var exit = _guardian is { HasExited: true } g ? $" (guardian exit status {g.ExitCode})" : "";
        return new LocalServerFailedException(DisplayName, $"{DisplayName} on port {Port} {what}{exit}.", LogPath, TailOfLog(LogPath, 15));
    }

    protected static string TailOfLog(string path, int lines)
    {
        try
        {
            return File.Exists(path) ? string.Join('\n', File.ReadLines(path).TakeLast(lines)) : "";
        }
        catch (IOException)
        {
            return "";
        }
    }

    private void StartGuardian(IReadOnlyList<string> command, IReadOnlyDictionary<string, string> environment, string stopCommand)
    {
        var script = Path.Combine(Directory, "guardian.sh");
        using (var resource = typeof(LocalServer).Assembly.GetManifestResourceStream("guardian.sh")
            ?? throw new InvalidOperationException("guardian.sh resource missing"))
        using (var file = File.Create(script))
        {
            resource.CopyTo(file);
        }
        File.Delete(GuardianPidFile);
        var self = Environment.ProcessId;
        // The guardian writes its own and the server's output to the log, never to our pipes: if this
        // process dies, a write to a broken pipe must not kill the guardian before it stops the server.
        var log = LogPath.Replace("'", "'\\''", StringComparison.Ordinal);
        var start = new ProcessStartInfo("setsid")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Directory,
        };
        foreach (var argument in new[]
        {
            "bash", "-c", $"exec >>'{log}' 2>&1; exec bash \"$0\" \"$@\"", script,
            self.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Native.ProcessStartTicks(self), GuardianPidFile,
            ((int)StopTimeout.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
            stopCommand, "--",
        }.Concat(command))
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        _guardian = Process.Start(start) ?? throw new InvalidOperationException("could not start setsid");
        _guardian.StandardInput.Close();
        Logger.LogDebug("{Server} guardian pid {Pid}, log {Log}", DisplayName, _guardian.Id, LogPath);
    }

    /// <summary>The pid the guardian started (the direct child), once it has written it.</summary>
    protected int? GuardianChildPid()
    {
        try
        {
            return File.Exists(GuardianPidFile) && int.TryParse(File.ReadAllText(GuardianPidFile).Trim(), out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    public static partial class Native
    {
        public const int SIGKILL = 9;
        public const int SIGTERM = 15;

        [LibraryImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static partial int kill(int pid, int sig);

        [LibraryImport("libc")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static partial uint geteuid();

        /// <summary>Field 22 of /proc/PID/stat (start time in clock ticks): a pid plus this names one process for good.</summary>
        public static string ProcessStartTicks(int pid)
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields[19];
        }
    }
}
