using System.Globalization;

namespace FanPin.Testing.Suite;

/// <summary>
/// CPU time used by a process and all its descendants (Linux /proc): what a server such as PostgreSQL (one backend
/// process per connection) or RabbitMQ costs during a measurement. On a shared machine wall-clock rates move with the
/// neighbours' load; CPU time per unit of work does not, so benchmarks print both.
/// </summary>
public static class ProcessTreeCpu
{
    /// <summary>User + system CPU of <paramref name="root"/> and its live descendants, plus what their reaped children used.</summary>
    public static TimeSpan Of(int root) => Of([root])[root];

    /// <summary>The same for several roots from one pass over /proc (a root that is gone counts zero).</summary>
    public static IReadOnlyDictionary<int, TimeSpan> Of(IEnumerable<int> roots)
    {
        var stats = new List<(int Pid, int Parent, long Ticks)>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }
            try
            {
                var text = File.ReadAllText(Path.Combine(directory, "stat"));
                // Fields after the command name (which may contain spaces), counted from field 3 (state).
                var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
                long Field(int n) => long.Parse(fields[n - 3], CultureInfo.InvariantCulture);
                stats.Add((pid, (int)Field(4), Field(14) + Field(15) + Field(16) + Field(17)));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
            {
                // the process ended while we looked
            }
        }
        var children = stats.ToLookup(s => s.Parent);
        var ticks = stats.ToDictionary(s => s.Pid, s => s.Ticks);
        var result = new Dictionary<int, TimeSpan>();
        foreach (var root in roots)
        {
            long total = 0;
            var pending = new Stack<int>([root]);
            while (pending.Count > 0)
            {
                var pid = pending.Pop();
                total += ticks.GetValueOrDefault(pid);
                foreach (var child in children[pid])
                {
                    pending.Push(child.Pid);
                }
            }
            result[root] = TimeSpan.FromSeconds(total / (double)TicksPerSecond);
        }
        return result;
    }

    /// <summary>USER_HZ: 100 on every Linux this runs on.</summary>
    private const int TicksPerSecond = 100;
}
