using FanPin.LocalInfrastructure;
using Npgsql;

namespace FanPin.Testing;

/// <summary>Where the test servers are and with which credentials.</summary>
public sealed record InfrastructureEndpoints(
    string PostgresAdmin,
    string RabbitMqAdmin,
    Uri RabbitMqManagement,
    string Redis,
    LocalInfrastructure.LocalInfrastructure? Owned)
{
    /// <summary>Throws a clear <see cref="LocalServerFailedException"/> when a server this run started has died.</summary>
    public void EnsureRunning() => Owned?.EnsureRunning();
}

/// <summary>
/// The servers of one test run: started once per test process on first use (or taken from
/// <c>FANPIN_TEST_POSTGRES</c>, <c>FANPIN_TEST_RABBITMQ</c> [+ <c>FANPIN_TEST_RABBITMQ_MANAGEMENT</c>] and
/// <c>FANPIN_TEST_REDIS</c>), stopped when the process exits; their guardians stop them if it is killed.
/// </summary>
public static class SharedInfrastructure
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static InfrastructureEndpoints? _endpoints;

    /// <summary>Starts (once) or returns the run's servers.</summary>
    public static async Task<InfrastructureEndpoints> GetAsync()
    {
        await Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_endpoints is null)
            {
                RemoveStaleStateFolders();
                _endpoints = await StartAsync(FromEnvironment(), Path.Combine(Path.GetTempPath(), $"fanpin-test-{Environment.ProcessId}")).ConfigureAwait(false);
                var endpoints = _endpoints;
                AppDomain.CurrentDomain.ProcessExit += (_, _) => StopAsync(endpoints).GetAwaiter().GetResult();
            }
            return _endpoints;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Configured servers from the environment, by LocalInfrastructure name.</summary>
    public static Dictionary<string, string> FromEnvironment()
    {
        var configured = new Dictionary<string, string>();
        void Take(string variable, string name)
        {
            if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value)
            {
                configured[name] = value;
            }
        }
        Take("FANPIN_TEST_POSTGRES", LocalInfrastructureOptions.Postgres);
        Take("FANPIN_TEST_RABBITMQ", LocalInfrastructureOptions.Messaging);
        Take("FANPIN_TEST_REDIS", LocalInfrastructureOptions.Cache);
        return configured;
    }

    /// <summary>Starts the servers not in <paramref name="configured"/> under <paramref name="stateDirectory"/> (non-durable: tests favour speed).</summary>
    public static async Task<InfrastructureEndpoints> StartAsync(IDictionary<string, string> configured, string stateDirectory, ISet<string>? servers = null)
    {
        var owned = await LocalInfrastructure.LocalInfrastructure.StartAsync(new LocalInfrastructureOptions
        {
            StateDirectory = stateDirectory,
            Durable = false,
            Fresh = true,
            Configured = configured,
            Servers = servers ?? new HashSet<string> { LocalInfrastructureOptions.Postgres, LocalInfrastructureOptions.Messaging, LocalInfrastructureOptions.Cache },
        }).ConfigureAwait(false);
        var strings = owned.ConnectionStrings;
        var rabbit = strings.GetValueOrDefault(LocalInfrastructureOptions.Messaging) ?? "";
        var management = owned.RabbitMq?.ManagementUri
            ?? (Environment.GetEnvironmentVariable("FANPIN_TEST_RABBITMQ_MANAGEMENT") is { Length: > 0 } m ? new Uri(m)
                : rabbit.Length > 0 ? new UriBuilder(new Uri(rabbit)) { Scheme = "http", Port = 15672, Path = "/", UserName = "", Password = "" }.Uri
                : new Uri("http://127.0.0.1:15672/"));
        return new InfrastructureEndpoints(
            strings.GetValueOrDefault(LocalInfrastructureOptions.Postgres) ?? "",
            rabbit,
            management,
            strings.GetValueOrDefault(LocalInfrastructureOptions.Cache) ?? "",
            owned.StartedServers.Count > 0 ? owned : null);
    }

    /// <summary>Stops servers this run started and deletes their state folder.</summary>
    public static async Task StopAsync(InfrastructureEndpoints endpoints)
    {
        if (endpoints.Owned is { } owned)
        {
            await owned.DisposeAsync().ConfigureAwait(false);
            foreach (var server in owned.StartedServers)
            {
                TryDelete(server.Directory);
            }
        }
        NpgsqlConnection.ClearAllPools();
    }

    /// <summary>
    /// A test process stops its servers at exit but may be ended before it deletes their data: folders of
    /// test processes that are gone are removed by the next run.
    /// </summary>
    private static void RemoveStaleStateFolders()
    {
        foreach (var folder in Directory.EnumerateDirectories(Path.GetTempPath(), "fanpin-test-*"))
        {
            if (int.TryParse(Path.GetFileName(folder)["fanpin-test-".Length..], out var pid) && !Directory.Exists($"/proc/{pid}"))
            {
                TryDelete(folder);
            }
        }
    }

    internal static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
