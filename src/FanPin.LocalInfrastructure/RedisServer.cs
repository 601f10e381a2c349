using System.Globalization;
using Microsoft.Extensions.Logging;

namespace FanPin.LocalInfrastructure;

/// <summary>A private Redis 7. A cache only: nothing is persisted, so nothing is lost by a restart.</summary>
public sealed class RedisServer(string directory, ILogger logger) : LocalServer("cache", "Redis 7", directory, logger)
{
    private const string Binary = "/usr/bin/redis-server";

    /// <summary>A StackExchange.Redis configuration string.</summary>
    public override string ConnectionString => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)},abortConnect=false";

    public override int? ServerProcessId => GuardianChildPid();

    protected override string DebianPackage => "redis-server";

    protected override IEnumerable<string> RequiredBinaries() => [Binary];

    public override async Task ProbeAsync(CancellationToken cancellationToken)
    {
        var reply = await RespClient.CommandAsync("127.0.0.1", Port, ["PING"], cancellationToken).ConfigureAwait(false);
        if (reply is not "PONG")
        {
            throw new InvalidOperationException($"PING answered '{reply}'");
        }
    }

    protected override Task PrepareAsync(CancellationToken cancellationToken)
    {
        Port = Port != 0 ? Port : PortAllocator.FreeTcpPort();
        return Task.CompletedTask;
    }

    protected override (IReadOnlyList<string> Command, IReadOnlyDictionary<string, string> Environment) ServerCommand() =>
        ([Binary, "--bind", "127.0.0.1", "--port", Port.ToString(CultureInfo.InvariantCulture), "--dir", Directory,
          "--daemonize", "no", "--save", "", "--appendonly", "no", "--protected-mode", "yes", "--loglevel", "warning"],
         new Dictionary<string, string>());

    protected override string StopCommand() => "kill -TERM \"$FANPIN_SERVER_PID\"";
}
