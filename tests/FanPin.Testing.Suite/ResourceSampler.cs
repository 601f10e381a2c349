using System.Globalization;

namespace FanPin.Testing.Suite;

/// <summary>
/// Memory and CPU of one resource over a run: peak (VmHWM, the kernel's high-water mark), the sampled RSS, and the CPU
/// its processes (with their descendants: PostgreSQL's backends, RabbitMQ's runtime) used while sampled.
/// </summary>
public sealed record ResourceUsage(string Name, long PeakKiB, long MaxSampledRssKiB, long LastRssKiB, int ProcessesSeen, TimeSpan Cpu);

/// <summary>
/// Samples every resource on the AppHost's status page (services and servers) once a second: from
/// /proc/&lt;pid&gt;/status VmRSS now and VmHWM, the peak resident set the kernel recorded for the process; from
/// /proc/&lt;pid&gt;/stat the CPU of the process tree (<see cref="ProcessTreeCpu"/>), counted from the first sample.
/// Pids come from the status page at every sample, so a restarted service is followed to its new process (the peak
/// is the largest of its processes, the CPU the sum of what each used while sampled).
/// </summary>
public sealed class ResourceSampler : IAsyncDisposable
{
    private readonly SuiteProcess _suite;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Dictionary<string, (long Peak, long MaxRss, long LastRss, HashSet<int> Pids)> _seen = new(StringComparer.Ordinal);
    private readonly Dictionary<int, (TimeSpan First, TimeSpan Last)> _cpu = [];
    private readonly Lock _gate = new();

    public ResourceSampler(SuiteProcess suite, TimeSpan? interval = null)
    {
        _suite = suite;
        _loop = LoopAsync(interval ?? TimeSpan.FromSeconds(1));
    }

    /// <summary>What was seen so far, by resource.</summary>
    public IReadOnlyList<ResourceUsage> Snapshot()
    {
        lock (_gate)
        {
            return _seen.Select(kv => new ResourceUsage(kv.Key, kv.Value.Peak, kv.Value.MaxRss, kv.Value.LastRss, kv.Value.Pids.Count,
                    kv.Value.Pids.Aggregate(TimeSpan.Zero, (sum, pid) => _cpu.TryGetValue(pid, out var c) ? sum + (c.Last - c.First) : sum)))
                .OrderBy(m => m.Name, StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>One sample now (also taken at the end, so short-lived peaks of the last second count).</summary>
    public async Task SampleAsync(CancellationToken cancellationToken = default)
    {
        IReadOnlyList<SuiteProcess.Resource> resources;
        try
        {
            resources = await _suite.StatusAsync(cancellationToken);
        }
        catch (HttpRequestException)
        {
            return;
        }
        var live = resources.Where(r => r.ProcessId is not null).ToList();
        var cpu = ProcessTreeCpu.Of(live.Select(r => r.ProcessId!.Value));
        foreach (var resource in live)
        {
            var pid = resource.ProcessId!.Value;
            if (Read(pid) is not { } memory)
            {
                continue;
            }
            lock (_gate)
            {
                var entry = _seen.TryGetValue(resource.Name, out var e) ? e : (0L, 0L, 0L, new HashSet<int>());
                entry.Item4.Add(pid);
                _seen[resource.Name] = (Math.Max(entry.Item1, memory.Hwm), Math.Max(entry.Item2, memory.Rss), memory.Rss, entry.Item4);
                if (cpu.TryGetValue(pid, out var used))
                {
                    _cpu[pid] = _cpu.TryGetValue(pid, out var c) ? (c.First, used) : (used, used);
                }
            }
        }
    }

    /// <summary>VmRSS and VmHWM (KiB) of <paramref name="pid"/>, or null when it is gone.</summary>
    public static (long Rss, long Hwm)? Read(int pid)
    {
        try
        {
            long rss = 0, hwm = 0;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = KiB(line);
                }
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    hwm = KiB(line);
                }
            }
            return (rss, hwm);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static long KiB(string line) => long.Parse(line.Split(':', 2)[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture);

    private async Task LoopAsync(TimeSpan interval)
    {
        await Task.Yield();
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await SampleAsync(_stop.Token);
                await Task.Delay(interval, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
