using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using FanPin.AppHost.Hosting;
using FanPin.AppHost.Publishing;
using FanPin.LocalInfrastructure;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace FanPin.AppHost;

/// <summary>
/// Our stand-in for an Aspire AppHost (Aspire.Hosting is not on this feed): `run` starts the infrastructure
/// through FanPin.LocalInfrastructure (or uses configured connection strings), creates one database per
/// service, runs every service from its build output with Aspire's environment names, and waits for each
/// one's /health in dependency order; `status` shows a running AppHost's resources; `publish` writes
/// Kubernetes or compose manifests from the same model.
/// </summary>
public static class AppHost
{
    public const string Usage = """
        usage: dotnet run --project FanPinAspire.AppHost -- [run] [--state DIR] [--fresh] [--status-port N] [--seed demo]
               dotnet run --project FanPinAspire.AppHost -- status [--state DIR]
               dotnet run --project FanPinAspire.AppHost -- publish --target kubernetes|compose --output DIR

          run (default)  start infrastructure and services; Ctrl-C stops everything
          --state DIR    where the servers keep their data (default .fanpin/ in the repository)
          --fresh        delete the data of earlier runs first
          --status-port  port of the status page (default 7100; a free one when taken)
          --seed demo    once healthy, load a synthetic county (2,000 households, a year of department
                         feeds) through the public APIs and report the warnings as they appear
          status         print the resources of the AppHost running on the same state folder
          publish        write deployment manifests (see docs/deployment.md)

        Connection strings already configured (ConnectionStrings__postgres, __messaging, __cache in the
        environment) are used as they are; their servers are not started.
        """;

    public static async Task<int> RunAsync(AppModel model, string[] args)
    {
        try
        {
            var verb = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : "run";
            var options = Options.Parse(verb == "run" && (args.Length == 0 || args[0].StartsWith('-')) ? args : args[1..]);
            if (options.Help)
            {
                Console.WriteLine(Usage);
                return 0;
            }
            return verb switch
            {
                "run" => await RunLocalAsync(model, options),
                "status" => await StatusAsync(options),
                "publish" => Publish(model, options),
                _ => throw new ArgumentException($"unknown command '{verb}'"),
            };
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync($"apphost: {ex.Message}\n\n{Usage}");
            return 2;
        }
    }

    private static async Task<int> RunLocalAsync(AppModel model, Options options)
    {
        var log = new ConsoleLog();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(new ConsoleLogProvider(log)).SetMinimumLevel(LogLevel.Information));
        using var stopping = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stopping.Cancel(); };
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stopping.Cancel(); });

        var infrastructureOptions = new LocalInfrastructureOptions { StateDirectory = options.State, Fresh = options.Fresh };
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
        foreach (var name in new[] { LocalInfrastructureOptions.Postgres, LocalInfrastructureOptions.Messaging, LocalInfrastructureOptions.Cache })
        {
            if (configuration.GetConnectionString(name) is { Length: > 0 } configured)
            {
                infrastructureOptions.Configured[name] = configured;
            }
        }

        // Fail before starting anything when a service has not been built.
        var assemblies = model.Services.ToDictionary(s => s, s => AssemblyPath(s));
        if (assemblies.FirstOrDefault(kv => !File.Exists(kv.Value)) is { Key: not null } missing)
        {
            log.Host($"{missing.Key.Name} is not built: {missing.Value} is missing. Run `dotnet build FanPinAspire.AppHost` (dotnet run does it).", error: true);
            return 1;
        }

        LocalInfrastructure.LocalInfrastructure infrastructure;
        try
        {
            infrastructure = await LocalInfrastructure.LocalInfrastructure.StartAsync(infrastructureOptions, loggerFactory, stopping.Token);
        }
        catch (Exception ex) when (ex is MissingPrerequisiteException or LocalServerFailedException or InvalidOperationException)
        {
            log.Host(ex.Message, error: true);
            return 1;
        }
        catch (OperationCanceledException)
        {
            return 130;
        }

        var processes = new List<ServiceProcess>();
        WebApplication? statusPage = null;
        var exitCode = 0;
        await using (infrastructure)
        {
            try
            {
                await CreateDatabasesAsync(model, infrastructure.ConnectionStrings[LocalInfrastructureOptions.Postgres], stopping.Token);
                var urls = model.Services.ToDictionary(s => s, s => (
                    Grpc: $"http://127.0.0.1:{PortOrFree(s.GrpcPort)}",
                    Health: $"http://127.0.0.1:{PortOrFree(s.HealthPort)}"));
                foreach (var service in model.StartOrder())
                {
                    var environment = AppModel.EnvironmentFor(service, name => ConnectionString(infrastructure, name), s => urls[s].Grpc, s => urls[s])
                        .ToDictionary(kv => kv.Key, kv => kv.Value.Value);
                    environment["ASPNETCORE_ENVIRONMENT"] = "Development";
                    environment["DOTNET_ENVIRONMENT"] = "Development";
                    // One line per entry, and no line per health probe: the console interleaves five services.
                    environment["Logging__Console__FormatterName"] = "simple";
                    environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
                    environment["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning";
                    if (Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT") is { Length: > 0 } otlp)
                    {
                        environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlp;
                    }
                    var process = new ServiceProcess(service, assemblies[service], environment, urls[service].Grpc, urls[service].Health, log);
                    processes.Add(process);
                    log.Host($"starting {service.Name} ({urls[service].Grpc})");
                    process.Start();
                    await process.WaitHealthyAsync(TimeSpan.FromSeconds(90), stopping.Token);
                    log.Host($"{service.Name} is healthy");
                }

                var statusPort = PortOrFree(options.StatusPort);
                statusPage = await StatusServer.StartAsync(statusPort, ct => SnapshotAsync(infrastructure, processes, ct));
                var statusUrl = $"http://127.0.0.1:{statusPort}/";
                await File.WriteAllTextAsync(Path.Combine(options.State, "apphost.json"), JsonSerializer.Serialize(new { statusUrl, pid = Environment.ProcessId }), stopping.Token);
                var token = await PrintReadyAsync(infrastructure, processes, statusUrl, stopping.Token);
                if (options.Seed == "demo")
                {
                    string Url(string name) => processes.Single(p => p.Resource.Name == name).GrpcUrl;
                    await DemoSeed.RunAsync(CliAssemblyPath(), options.State, Url("registry"), Url("monitoring"), Url("grading"), token, log, stopping.Token);
                }

                while (!stopping.IsCancellationRequested)
                {
                    await Task.Delay(1000, stopping.Token);
                    // A server that died is started again (same port and data), as services are: clients reconnect.
                    await infrastructure.RestartDeadServersAsync(TimeSpan.FromSeconds(120), stopping.Token);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
            }
            catch (Exception ex) when (ex is LocalServerFailedException or InvalidOperationException or TimeoutException or NpgsqlException)
            {
                log.Host(ex.Message, error: true);
                exitCode = 1;
            }
            log.Host("stopping services...");
            if (statusPage is not null)
            {
                await statusPage.DisposeAsync();
            }
            foreach (var process in Enumerable.Reverse(processes))
            {
                await process.StopAsync(TimeSpan.FromSeconds(20));
            }
            log.Host("stopping infrastructure...");
        }
        File.Delete(Path.Combine(options.State, "apphost.json"));
        log.Host("stopped");
        return exitCode;
    }

    private static async Task<int> StatusAsync(Options options)
    {
        var file = Path.Combine(options.State, "apphost.json");
        if (!File.Exists(file))
        {
            await Console.Error.WriteLineAsync($"apphost: no AppHost is running on {options.State} (no apphost.json)");
            return 1;
        }
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(file));
        var url = new Uri(json.RootElement.GetProperty("statusUrl").GetString()!);
        try
        {
            Console.Write(StatusServer.Table(await StatusServer.FetchAsync(url, CancellationToken.None)));
            return 0;
        }
        catch (HttpRequestException ex)
        {
            await Console.Error.WriteLineAsync($"apphost: the AppHost at {url} does not answer ({ex.Message}); it may have been killed");
            return 1;
        }
    }

    private static int Publish(AppModel model, Options options)
    {
        if (options.Output is null)
        {
            throw new ArgumentException("publish needs --output DIR");
        }
        var files = options.Target switch
        {
            "kubernetes" or "k8s" => ManifestWriter.WriteKubernetes(model, options.Output),
            "compose" => ManifestWriter.WriteCompose(model, options.Output),
            _ => throw new ArgumentException($"--target must be kubernetes or compose, not '{options.Target}'"),
        };
        foreach (var file in files)
        {
            Console.WriteLine(file);
        }
        return 0;
    }

    private static async Task<IReadOnlyList<ResourceStatus>> SnapshotAsync(LocalInfrastructure.LocalInfrastructure infrastructure, IReadOnlyList<ServiceProcess> processes, CancellationToken cancellationToken)
    {
        var rows = new List<ResourceStatus>();
        foreach (var (name, _) in infrastructure.ConnectionStrings)
        {
            var server = infrastructure.StartedServers.FirstOrDefault(s => s.Name == name);
            var healthy = false;
            if (server is not null && server.IsRunning)
            {
                try
                {
                    await server.ProbeAsync(cancellationToken);
                    healthy = true;
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                }
            }
            rows.Add(new ResourceStatus(name, server?.GetType().Name.Replace("Server", "", StringComparison.Ordinal).ToLowerInvariant() ?? "configured",
                server is null ? "Configured" : server.IsRunning ? "Running" : "Failed",
                server is null ? "(configured)" : $"127.0.0.1:{server.Port}", server is null ? "-" : healthy ? "Healthy" : "Unhealthy", server?.ServerProcessId, server is null ? 0 : infrastructure.Restarts(server)));
        }
        foreach (var process in processes)
        {
            await process.RefreshAsync(cancellationToken);
            rows.Add(new ResourceStatus(process.Resource.Name, "service", process.State.ToString(), process.GrpcUrl,
                process.State == ResourceState.Running ? "Healthy" : "Unhealthy", process.ProcessId, process.Restarts));
        }
        return rows;
    }

    private static async Task<string> PrintReadyAsync(LocalInfrastructure.LocalInfrastructure infrastructure, IReadOnlyList<ServiceProcess> processes, string statusUrl, CancellationToken cancellationToken)
    {
        Console.WriteLine();
        Console.Write(StatusServer.Table(await SnapshotAsync(infrastructure, processes, cancellationToken)));
        if (infrastructure.RabbitMq is { } rabbit)
        {
            Console.WriteLine($"RabbitMQ management: {rabbit.ManagementUri} (guest/guest)");
        }
        Console.WriteLine($"Status page: {statusUrl}");
        foreach (var (key, value) in infrastructure.EnvironmentVariables)
        {
            Console.WriteLine($"{key}={value}");
        }
        var token = new TokenIssuer(new FanPinAuthOptions { SigningKey = FanPinAuthOptions.DevelopmentSigningKey })
            .Issue(new Caller("dev-province", CallerRole.Province, RegionPrefix.Parse("62"), null, "Development"), TimeSpan.FromHours(12));
        Console.WriteLine($"Development token (province 62, 12 h; `dotnet run --project src/FanPin.Cli -- token` mints others):");
        Console.WriteLine($"TOKEN={token}");
        Console.WriteLine("Ready. Ctrl-C stops everything.");
        return token;
    }

    private static string ConnectionString(LocalInfrastructure.LocalInfrastructure infrastructure, string name) =>
        infrastructure.ConnectionStrings.TryGetValue(name, out var value)
            ? value
            : new NpgsqlConnectionStringBuilder(infrastructure.ConnectionStrings[LocalInfrastructureOptions.Postgres]) { Database = name }.ConnectionString;

    private static async Task CreateDatabasesAsync(AppModel model, string adminConnectionString, CancellationToken cancellationToken)
    {
        var databases = model.Services.Select(s => s.Database).OfType<string>().ToList();
        if (databases.Count == 0)
        {
            return;
        }
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync(cancellationToken);
        foreach (var database in databases)
        {
            await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
            exists.Parameters.AddWithValue("name", database);
            if (await exists.ExecuteScalarAsync(cancellationToken) is null)
            {
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", connection);
                await create.ExecuteNonQueryAsync(cancellationToken);
            }
        }
    }

    private static int PortOrFree(int preferred)
    {
        try
        {
            using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, preferred);
            probe.Start();
            return preferred;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return PortAllocator.FreeTcpPort();
        }
    }

    /// <summary>A service's build output, in the AppHost's own configuration (Debug or Release).</summary>
    internal static string AssemblyPath(ServiceResource service)
    {
        var projectDirectory = Path.GetDirectoryName(Path.Combine(RepositoryRoot(), service.ProjectPath))!;
        return Path.Combine(projectDirectory, "bin", BuildConfiguration, "net10.0", service.AssemblyName + ".dll");
    }

    /// <summary>The AppHost's own build configuration: the services and the CLI are run from the same one.</summary>
    private static string BuildConfiguration =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    /// <summary>The CLI's build output (`fanpin datagen` loads the demo county).</summary>
    internal static string CliAssemblyPath() => Path.Combine(RepositoryRoot(), "src", "FanPin.Cli", "bin", BuildConfiguration, "net10.0", "fanpin.dll");

    /// <summary>The folder holding FanPinAspire.sln, so the state folder does not depend on the working directory.</summary>
    internal static string RepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "FanPinAspire.sln")))
                {
                    return dir.FullName;
                }
            }
        }
        return Directory.GetCurrentDirectory();
    }

    private sealed class Options
    {
        public string State { get; private set; } = Path.Combine(RepositoryRoot(), ".fanpin");
        public bool Fresh { get; private set; }
        public bool Help { get; private set; }
        public int StatusPort { get; private set; } = 7100;
        public string? Target { get; private set; }
        public string? Output { get; private set; }
        public string? Seed { get; private set; }

        public static Options Parse(string[] args)
        {
            var o = new Options();
            for (var i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
                switch (args[i])
                {
                    case "--state": o.State = Path.GetFullPath(Next()); break;
                    case "--fresh": o.Fresh = true; break;
                    case "--status-port": o.StatusPort = int.TryParse(Next(), CultureInfo.InvariantCulture, out var p) && p is > 0 and < 65536 ? p : throw new ArgumentException("--status-port must be a port number"); break;
                    case "--target": o.Target = Next(); break;
                    case "--output": o.Output = Next(); break;
                    case "--seed": o.Seed = Next() is "demo" ? "demo" : throw new ArgumentException("--seed takes 'demo'"); break;
                    case "--help" or "-h": o.Help = true; break;
                    default: throw new ArgumentException($"unknown argument '{args[i]}'");
                }
            }
            return o;
        }
    }
}

/// <summary>Routes the AppHost's own log lines (infrastructure start/stop) through the prefixed console.</summary>
internal sealed class ConsoleLogProvider(ConsoleLog log) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(log);

    public void Dispose()
    {
    }

    private sealed class Logger(ConsoleLog log) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                log.Host(formatter(state, exception), error: logLevel >= LogLevel.Warning);
            }
        }
    }
}
