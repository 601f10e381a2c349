using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FanPin.ServiceDefaults;

/// <summary>
/// Stops the service when the process that launched it is gone (<c>FANPIN_PARENT_PID</c>, set by the
/// AppHost), so that killing the AppHost, even with SIGKILL, never leaves services behind.
/// </summary>
public sealed class ParentProcessWatcher(IHostApplicationLifetime lifetime, ILogger<ParentProcessWatcher> logger, int parentPid) : BackgroundService
{
    /// <summary>The environment variable naming the parent's pid.</summary>
    public const string Variable = "FANPIN_PARENT_PID";

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var startTicks = StartTicks(parentPid);
        if (startTicks is null)
        {
            logger.LogWarning("Parent process {Pid} is already gone: stopping", parentPid);
            lifetime.StopApplication();
            return;
        }
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            if (StartTicks(parentPid) != startTicks)
            {
                logger.LogWarning("Parent process {Pid} is gone: stopping", parentPid);
                lifetime.StopApplication();
                return;
            }
        }
    }

    // A pid plus its start time names one process for good (pids are reused).
    private static string? StartTicks(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields[0] == "Z" ? null : fields[19];
        }
        catch (IOException)
        {
            return null;
        }
    }
}
