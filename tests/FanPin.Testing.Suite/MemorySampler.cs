using System.Globalization;

namespace FanPin.Testing.Suite;

/// <summary>Memory of one resource over a run: peak (VmHWM, the kernel's high-water mark) and the sampled RSS.</summary>
public sealed record ResourceMemory(string Name, long PeakKiB, long MaxSampledRssKiB, long LastRssKiB, int ProcessesSeen);

/// <summary>
/// Samples the memory of every resource on the AppHost's status page (services and servers) once a second from
/// /proc/&lt;pid&gt;/status: VmRSS now and VmHWM, the peak resident set the kernel recorded for the process. Pids come
/// from the status page at every sample, so a restarted service is followed to its new process (the peak is the
/// largest of its processes).
/// </summary>
public sealed class MemorySampler : IAsyncDisposable
{
    private readonly SuiteProcess _suite;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Dictionary<string, (long Peak, long MaxRss, long LastRss, HashSet<int> Pids)> _seen = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public MemorySampler(SuiteProcess suite, TimeSpan? interval = null)
    {
        _suite = suite;
        _loop = LoopAsync(interval ?? TimeSpan.FromSeconds(1));
    }

    /// <summary>What was seen so far, by resource.</summary>
    public IReadOnlyList<ResourceMemory> Snapshot()
    {
        lock (_gate)
        {
            return _seen.Select(kv => new ResourceMemory(kv.Key, kv.Value.Peak, kv.Value.MaxRss, kv.Value.LastRss, kv.Value.Pids.Count)).OrderBy(m => m.Name, StringComparer.Ordinal).ToList();
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
        foreach (var resource in resources.Where(r => r.ProcessId is not null))
        {
            if (Read(resource.ProcessId!.Value) is not { } memory)
            {
                continue;
            }
            lock (_gate)
            {
                var entry = _seen.TryGetValue(resource.Name, out var e) ? e : (0L, 0L, 0L, new HashSet<int>());
                entry.Item4.Add(resource.ProcessId.Value);
                _seen[resource.Name] = (Math.Max(entry.Item1, memory.Hwm), Math.Max(entry.Item2, memory.Rss), memory.Rss, entry.Item4);
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
