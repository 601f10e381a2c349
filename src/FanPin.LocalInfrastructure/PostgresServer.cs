using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace FanPin.LocalInfrastructure;

/// <summary>A private PostgreSQL 15 cluster. Runs as the <c>postgres</c> user when we are root (it refuses root).</summary>
public sealed class PostgresServer : LocalServer
{
    /// <summary>Where Debian's postgresql-15 package puts the server binaries.</summary>
    public const string DefaultBinDirectory = "/usr/lib/postgresql/15/bin";
    private readonly string _binDirectory;
    private readonly bool _durable;
    private string _password = "";

    public PostgresServer(string directory, bool durable, ILogger logger, string binDirectory = DefaultBinDirectory)
        : base("postgres", "PostgreSQL 15", directory, logger) => (_durable, _binDirectory) = (durable, binDirectory);

    /// <summary>The superuser's connection string (database <c>postgres</c>).</summary>
    public override string ConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = "postgres",
        Password = _password,
        Database = "postgres",
    }.ConnectionString;

    /// <inheritdoc />
    public override int? ServerProcessId
    {
        get
        {
            var pidFile = Path.Combine(DataDirectory, "postmaster.pid");
            try
            {
                return File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), out var pid) ? pid : null;
            }
            catch (IOException)
            {
                return null;
            }
        }
    }

    private string DataDirectory => Path.Combine(Directory, "data");

    private static bool RunningAsRoot => Native.geteuid() == 0;

    protected override string DebianPackage => "postgresql-15";

    protected override IEnumerable<string> RequiredBinaries() => [$"{_binDirectory}/postgres", $"{_binDirectory}/initdb"];

    public override async Task ProbeAsync(CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString) { Timeout = 3, Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT 1", connection);
        await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task PrepareAsync(CancellationToken cancellationToken)
    {
        Port = Port != 0 ? Port : PortAllocator.FreeTcpPort();
        var passwordFile = Path.Combine(Directory, "password");
        if (!File.Exists(passwordFile))
        {
            await File.WriteAllTextAsync(passwordFile, Convert.ToHexString(RandomNumberGenerator.GetBytes(16)), cancellationToken).ConfigureAwait(false);
        }
        _password = (await File.ReadAllTextAsync(passwordFile, cancellationToken).ConfigureAwait(false)).Trim();
        if (RunningAsRoot)
        {
            // The server runs as postgres: it must own its folder (ResolveDirectory made sure it can reach it).
            await RunAsync("chown", ["-R", "postgres:postgres", Directory], cancellationToken).ConfigureAwait(false);
        }
        if (!File.Exists(Path.Combine(DataDirectory, "PG_VERSION")))
        {
            if (System.IO.Directory.Exists(DataDirectory))
            {
                System.IO.Directory.Delete(DataDirectory, recursive: true); // a half-made cluster from an interrupted initdb
            }
            await RunAsPostgresAsync($"{_binDirectory}/initdb",
                ["-D", DataDirectory, "-U", "postgres", $"--pwfile={passwordFile}", "--auth-local=trust",
                 "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"], cancellationToken).ConfigureAwait(false);
        }
    }

    protected override (IReadOnlyList<string> Command, IReadOnlyDictionary<string, string> Environment) ServerCommand()
    {
        var server = new List<string>
        {
            $"{_binDirectory}/postgres", "-D", DataDirectory,
            "-c", $"port={Port.ToString(CultureInfo.InvariantCulture)}",
            "-c", "listen_addresses=127.0.0.1",
            "-c", "unix_socket_directories=",
            "-c", "max_connections=400",
            "-c", "shared_buffers=128MB",
            "-c", "logging_collector=off",
        };
        if (!_durable)
        {
            // Test clusters trade crash safety for speed; development data stays crash-safe.
            server.AddRange(["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]);
        }
        IReadOnlyList<string> command = RunningAsRoot ? ["runuser", "-u", "postgres", "--", .. server] : server;
        return (command, new Dictionary<string, string>());
    }

    // SIGINT is PostgreSQL's "fast" shutdown: roll back open transactions, checkpoint, exit.
    protected override string StopCommand() =>
        $"pid=$(head -n1 '{DataDirectory}/postmaster.pid' 2>/dev/null); [ -n \"$pid\" ] && kill -INT \"$pid\"";

    /// <summary>
    /// Where the cluster can live: <paramref name="preferred"/>, unless we are root and the postgres user cannot
    /// traverse one of its parents (a private temporary folder, say); then a folder under /var/tmp named after it.
    /// </summary>
    public static string ResolveDirectory(string preferred)
    {
        var full = Path.GetFullPath(preferred);
        if (OperatingSystem.IsWindows() || !RunningAsRoot)
        {
            return full;
        }
        for (var dir = new DirectoryInfo(full).Parent; dir is not null; dir = dir.Parent)
        {
            if (dir.Exists && !File.GetUnixFileMode(dir.FullName).HasFlag(UnixFileMode.OtherExecute))
            {
                var hash = Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(full)))[..12].ToLowerInvariant();
                return Path.Combine("/var/tmp", $"fanpin-postgres-{hash}");
            }
        }
        return full;
    }

    private static Task RunAsPostgresAsync(string file, IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        RunningAsRoot ? RunAsync("runuser", ["-u", "postgres", "--", file, .. arguments], cancellationToken) : RunAsync(file, arguments, cancellationToken);

    internal static async Task RunAsync(string file, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed with status {process.ExitCode}: {await error.ConfigureAwait(false)}{await output.ConfigureAwait(false)}");
        }
    }
}
