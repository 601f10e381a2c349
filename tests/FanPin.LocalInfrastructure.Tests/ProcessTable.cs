using System.Diagnostics;

namespace FanPin.LocalInfrastructure.Tests;

/// <summary>Reads /proc: which processes belong to a state folder, and whether they still live.</summary>
internal static class ProcessTable
{
    public sealed record Entry(int Pid, string StartTicks, int ProcessGroup, string CommandLine);

    public static IReadOnlyList<Entry> All()
    {
        var entries = new List<Entry>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields[0] == "Z")
                {
                    continue;
                }
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                entries.Add(new Entry(pid, fields[19], int.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture), cmdline));
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return entries;
    }

    /// <summary>Processes whose command line names the folder, and everything in their process groups (epmd, helpers).</summary>
    public static IReadOnlyList<Entry> OwnedBy(string stateDirectory)
    {
        var all = All();
        var direct = all.Where(e => e.CommandLine.Contains(stateDirectory, StringComparison.Ordinal) && e.Pid != Environment.ProcessId).ToList();
        // Guardians lead their own process group (setsid); the owner process, also naming the folder, does not.
        var groups = direct.Where(e => e.Pid == e.ProcessGroup).Select(e => e.ProcessGroup).ToHashSet();
        return all.Where(e => direct.Contains(e) || groups.Contains(e.ProcessGroup))
            .DistinctBy(e => e.Pid)
            .ToList();
    }

    /// <summary>The entries still alive (same pid and start time, not a zombie).</summary>
    public static IReadOnlyList<Entry> StillAlive(IEnumerable<Entry> entries)
    {
        var now = All().ToDictionary(e => e.Pid);
        return entries.Where(e => now.TryGetValue(e.Pid, out var current) && current.StartTicks == e.StartTicks).ToList();
    }

    public static async Task<IReadOnlyList<Entry>> WaitUntilGoneAsync(IReadOnlyList<Entry> entries, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var alive = StillAlive(entries);
            if (alive.Count == 0 || watch.Elapsed > timeout)
            {
                return alive;
            }
            await Task.Delay(200);
        }
    }
}
