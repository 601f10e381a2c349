using System.Runtime.InteropServices;
using FanPin.LocalInfrastructure;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace FanPin.AppHost;

/// <summary>
/// Our stand-in for an Aspire AppHost (Aspire.Hosting is not on this feed): starts the infrastructure
/// through FanPin.LocalInfrastructure, or uses configured connection strings, and hands every resource's
/// address out under Aspire's names, so services run unchanged under a real Aspire AppHost.
/// </summary>
public static class AppHost
{
    public const string Usage = """
        usage: dotnet run --project FanPinAspire.AppHost -- [--state DIR] [--fresh]

          --state DIR  where the servers keep their data (default .fanpin/ in the repository)
          --fresh      delete the data of earlier runs first

        Connection strings already configured (ConnectionStrings__postgres, __messaging, __cache in the
        environment) are used as they are; their servers are not started. Ctrl-C stops everything.
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine(Usage);
            return 0;
        }
        var options = new LocalInfrastructureOptions { StateDirectory = Path.Combine(RepositoryRoot(), ".fanpin") };
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--state" when i + 1 < args.Length:
                    options.StateDirectory = args[++i];
                    break;
                case "--fresh":
                    options.Fresh = true;
                    break;
                default:
                    await Console.Error.WriteLineAsync($"apphost: unknown argument '{args[i]}'\n\n{Usage}");
                    return 2;
            }
        }
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
        foreach (var name in new[] { LocalInfrastructureOptions.Postgres, LocalInfrastructureOptions.Messaging, LocalInfrastructureOptions.Cache })
        {
            if (configuration.GetConnectionString(name) is { Length: > 0 } configured)
            {
                options.Configured[name] = configured;
            }
        }

        using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; }));
        var logger = loggerFactory.CreateLogger("apphost");
        using var stopping = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stopping.Cancel(); };
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stopping.Cancel(); });

        LocalInfrastructure.LocalInfrastructure infrastructure;
        try
        {
            infrastructure = await LocalInfrastructure.LocalInfrastructure.StartAsync(options, loggerFactory, stopping.Token);
        }
        catch (Exception ex) when (ex is MissingPrerequisiteException or LocalServerFailedException or InvalidOperationException)
        {
            logger.LogError("{Message}", ex.Message);
            return 1;
        }
        catch (OperationCanceledException)
        {
            return 130;
        }
        await using (infrastructure)
        {
            PrintResources(infrastructure);
            try
            {
                while (!stopping.IsCancellationRequested)
                {
                    await Task.Delay(1000, stopping.Token);
                    infrastructure.EnsureRunning();
                }
            }
            catch (OperationCanceledException)
            {
            }
            catch (LocalServerFailedException ex)
            {
                logger.LogError("{Message}", ex.Message);
                return 1;
            }
            logger.LogInformation("Stopping...");
        }
        return 0;
    }

    private static void PrintResources(LocalInfrastructure.LocalInfrastructure infrastructure)
    {
        Console.WriteLine();
        Console.WriteLine($"{"resource",-12} {"state",-10} {"endpoint",-28} source");
        foreach (var (name, value) in infrastructure.ConnectionStrings)
        {
            var server = infrastructure.StartedServers.FirstOrDefault(s => s.Name == name);
            var endpoint = server is null ? "(configured)" : $"127.0.0.1:{server.Port}";
            Console.WriteLine($"{name,-12} {(server is null || server.IsRunning ? "running" : "stopped"),-10} {endpoint,-28} {(server is null ? "configuration" : server.Directory)}");
        }
        if (infrastructure.RabbitMq is { } rabbit)
        {
            Console.WriteLine($"{"rabbitmq-ui",-12} {"running",-10} {rabbit.ManagementUri,-28} guest/guest");
        }
        Console.WriteLine();
        foreach (var (key, value) in infrastructure.EnvironmentVariables)
        {
            Console.WriteLine($"{key}={value}");
        }
        var token = new TokenIssuer(new FanPinAuthOptions { SigningKey = FanPinAuthOptions.DevelopmentSigningKey })
            .Issue(new Caller("dev-province", CallerRole.Province, RegionPrefix.Parse("62"), null, "Development"), TimeSpan.FromHours(12));
        Console.WriteLine();
        Console.WriteLine($"Development token (province 62, 12 h): {token}");
        Console.WriteLine("Ready. Ctrl-C stops everything.");
    }

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
}
