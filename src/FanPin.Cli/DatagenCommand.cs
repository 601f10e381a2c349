using System.Globalization;
using FanPin.Cli.Datagen;
using FanPin.Grpc;
using Mon = FanPin.Contracts.Monitoring.V1;

namespace FanPin.Cli;

/// <summary>
/// <c>fanpin datagen</c>: a synthetic province (docs/datagen.md) written as import files, or streamed to the running
/// registry and monitoring services; and <c>fanpin regions import</c> / <c>fanpin households import</c>, which stream
/// those files to the registry over gRPC.
/// </summary>
public static class DatagenCommand
{
    public const string Usage = """
          datagen --seed N --households N [--province 62] [--counties C1,C2,...] [--months 12] [--end-month YYYY-MM]
                  [--output DIR] [--to files|grpc] [--registry URL --monitoring URL --token TOKEN] [--wait-for-monitoring S] [--live]
                Generates a synthetic province (deterministic by seed and options): regions.csv, households.csv,
                feeds/DEPT/YYYY-MM.csv (one per department and reporting month) and manifest.json in DIR
                (default ./datagen). --end-month: the last month of history (default: last month). --to grpc
                writes the files, then streams regions and households to the registry and every feed to
                monitoring (TOKEN: a province token, e.g. from `fanpin token --role province --region 62`),
                after waiting up to S seconds (default 180; 0: no wait) until monitoring has learnt the
                households from the registry's events (feed rows of persons it does not know are refused).
                The feeds are sent as a back-fill: monitoring evaluates each household once, after the last
                feed, instead of after every month; --live sends them as live feeds, each evaluated at once.
          regions import FILE --registry URL --token TOKEN
                Streams a regions.csv (code,name[,level][,parent_code]) to RegionService.ImportRegions.
          households import FILE --registry URL --token TOKEN [--batch-id PREFIX]
                Streams a households.csv (docs/datagen.md) to HouseholdService.ImportHouseholds in batches of
                200,000 households, batch ids PREFIX-1, PREFIX-2, ... (default: the file name); a batch sent again
                is answered with its first outcome, never imported twice.
          feeds import DIR --monitoring URL --token TOKEN [--live]
                Streams every feed of a datagen output folder (its manifest.json) to FeedService.ImportFeed under
                datagen's feed ids (datagen-SEED-DEPT-PERIOD), one line per feed; exits 1 when rows were refused.
                A back-fill, ended with FeedService.EndBackfill after the last feed, unless --live (as above).
          Every import is sent again under the same id when the service goes away mid-stream (a restart):
          up to 20 attempts, 1-5 s apart, a line per retry. Imports are idempotent by id, so nothing is
          imported twice.
        """;

    /// <summary>Parses the datagen options (pure, for tests too).</summary>
    public static DatagenSettings ParseSettings(Arguments a, DateTime utcNow)
    {
        var seed = long.TryParse(a.Require("seed"), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var s)
            ? s : throw new UsageException("--seed must be a whole number");
        var households = int.TryParse(a.Require("households"), NumberStyles.None, CultureInfo.InvariantCulture, out var h) && h > 0
            ? h : throw new UsageException("--households must be a positive whole number");
        var months = int.TryParse(a.Get("months") ?? "12", NumberStyles.None, CultureInfo.InvariantCulture, out var m) && m is >= 1 and <= 60
            ? m : throw new UsageException("--months must be 1 to 60");
        var previousMonth = Month.Of(utcNow.Year, utcNow.Month).AddMonths(-1);
        var lastMonth = previousMonth;
        if (a.Get("end-month") is { } endText && !Month.TryParse(endText, out lastMonth))
        {
            throw new UsageException($"--end-month '{endText}' is not a month (yyyy-MM)");
        }
        if (lastMonth.CompareTo(previousMonth) > 0)
        {
            // Feed rows of the current or a later month, and people born after today, are refused by the imports.
            throw new UsageException($"--end-month {lastMonth} is after last month ({previousMonth}): the imports refuse months that are not over yet");
        }
        var counties = a.Get("counties") is { Length: > 0 } list
            ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : null;
        if (counties?.FirstOrDefault(c => c.Length is not (6 or 12) || !c.All(char.IsAsciiDigit)) is { } bad)
        {
            throw new UsageException($"--counties: '{bad}' is not a 6-digit county code");
        }
        return new DatagenSettings(seed, households, a.Get("province") ?? "62", counties, months, lastMonth);
    }

    public static async Task<int> RunAsync(Arguments a)
    {
        CliApp.CheckKnown(a, "seed", "households", "province", "counties", "months", "end-month", "output", "to", "registry", "monitoring", "token", "wait-for-monitoring",
            "live");
        var settings = ParseSettings(a, DateTime.UtcNow);
        var live = Live(a);
        var to = a.Get("to") ?? "files";
        if (to is not ("files" or "grpc"))
        {
            throw new UsageException("--to must be files or grpc");
        }
        string? registry = null, monitoring = null, token = null;
        var wait = TimeSpan.FromSeconds(int.TryParse(a.Get("wait-for-monitoring") ?? "180", NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? seconds : throw new UsageException("--wait-for-monitoring takes whole seconds (0: do not wait)"));
        if (to == "grpc")
        {
            (registry, monitoring, token) = (a.Require("registry"), a.Require("monitoring"), a.Require("token"));
        }
        var output = a.Get("output") ?? "datagen";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"datagen: seed {settings.Seed}, {settings.Households:N0} households, province {settings.Province}, months {settings.FirstMonth}..{settings.LastMonth} -> {Path.GetFullPath(output)}"));
        DatagenSummary summary;
        try
        {
            summary = await DatagenRunner.WriteFilesAsync(settings, output, new Reporter()).ConfigureAwait(false);
        }
        catch (ArgumentException ex)
        {
            throw new UsageException(ex.Message);
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"wrote {summary.Regions:N0} regions ({summary.Villages:N0} villages), {summary.Households:N0} households, {summary.Members:N0} members, {summary.FeedRows:N0} feed rows in {summary.Feeds.Count} files in {summary.Elapsed.TotalSeconds:F1} s"));
        if (to == "grpc")
        {
            return await StreamAsync(settings, summary, output, registry!, monitoring!, token!, wait, live).ConfigureAwait(false) ? 0 : 1;
        }
        return 0;
    }

    /// <summary>Streams the written files; true when no household and no feed row was refused.</summary>
    private static async Task<bool> StreamAsync(DatagenSettings settings, DatagenSummary summary, string output, string registry, string monitoring, string token, TimeSpan wait,
        bool live)
    {
        var clean = true;
        using (var channel = ImportStreams.Channel(registry, token))
        {
            var regions = await ImportRetry.RunAsync("regions", ct => ImportStreams.ImportRegionsAsync(channel, Path.Combine(output, DatagenRunner.RegionsFile), ct),
                Console.WriteLine).ConfigureAwait(false);
            Console.WriteLine($"regions: {regions.Inserted:N0} inserted, {regions.Renamed:N0} renamed, {regions.Unchanged:N0} unchanged");
            // Batch ids are fixed: sent again after a failure, committed batches are replayed, not imported twice.
            var households = await ImportRetry.RunAsync("households", ct => ImportStreams.ImportHouseholdsAsync(channel, Path.Combine(output, DatagenRunner.HouseholdsFile),
                $"datagen-{settings.Seed}-{settings.Province}", ProgressLine("households", summary.Households), ct), Console.WriteLine).ConfigureAwait(false);
            PrintHouseholds(households);
            clean &= households.Rejected == 0;
        }
        using var monitoringChannel = ImportStreams.Channel(monitoring, token);
        if (wait > TimeSpan.Zero)
        {
            using var registryChannel = ImportStreams.Channel(registry, token);
            var known = await ImportStreams.WaitUntilMonitoringKnowsHouseholdsAsync(registryChannel, monitoringChannel, settings.Province, 2000, wait,
                (done, total) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"monitoring knows {done:N0} of {total:N0} sampled households"))).ConfigureAwait(false);
            if (!known)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"monitoring did not learn every sampled household within {wait.TotalSeconds:0} s (is it consuming the registry's events?); importing the feeds anyway"));
            }
        }
        clean &= await ImportFeedsAsync(monitoringChannel, output, settings.Seed, settings.Province,
            summary.Feeds.Select(f => (f.File.Department, f.File.Period.ToString(), f.File.RelativePath)), live).ConfigureAwait(false);
        if (!clean)
        {
            Console.WriteLine("some rows were refused (unmatched feed rows: monitoring may not have received the registry's households yet; send again, imports are idempotent)");
        }
        return clean;
    }

    /// <summary>
    /// Streams every feed of a datagen output folder to monitoring under the feed id datagen gives it
    /// (<c>datagen-SEED-DEPT-PERIOD</c>), each sent again under the same id when the service goes away
    /// (<see cref="ImportRetry"/>); prints one line per feed. True when no row was refused. Unless
    /// <paramref name="live"/>, the feeds are a back-fill (a year of history): monitoring evaluates each household once,
    /// when the last feed is in and the back-fill is ended here, instead of after every feed (when a household whose
    /// later months are still to come would look poor for a moment and be warned about). A run that fails before the
    /// end leaves the hold to lapse by itself (monitoring's Monitoring:Workers:BackfillHold).
    /// </summary>
    public static async Task<bool> ImportFeedsAsync(GrpcChannel monitoring, string output, long seed, string province,
        IEnumerable<(string Department, string Period, string Path)> feeds, bool live)
    {
        var clean = true;
        foreach (var (department, period, path) in feeds)
        {
            var feedId = $"datagen-{seed}-{department}-{period}";
            var unreadable = new List<Mon.RowRejection>();
            var result = await ImportRetry.RunAsync($"feed {feedId}", ct =>
            {
                unreadable.Clear();
                return ImportStreams.ImportFeedAsync(monitoring, Path.Combine(output, path), feedId, department, period, province, unreadable, backfill: !live, ct);
            }, Console.WriteLine).ConfigureAwait(false);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"feed {feedId}: {result.RowsReceived:N0} rows, applied {result.Applied:N0}, unchanged {result.Unchanged:N0}, already imported {result.AlreadyImported:N0}, invalid {result.Invalid:N0}, unmatched {result.Unmatched:N0}, duplicates {result.Duplicates:N0}"));
            clean &= unreadable.Count + result.Invalid + result.Unmatched + result.Duplicates + result.OutsideScope == 0;
        }
        if (!live)
        {
            var released = await ImportRetry.RunAsync("end of the back-fill", ct => ImportStreams.EndBackfillAsync(monitoring, province, ct), Console.WriteLine)
                .ConfigureAwait(false);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"back-fill ended: {released:N0} households released for evaluation"));
        }
        return clean;
    }

    /// <summary><c>fanpin feeds import DIR</c>: every feed of a datagen output folder (its manifest.json) to monitoring.</summary>
    public static async Task<int> FeedsImportAsync(Arguments a)
    {
        CliApp.CheckKnownWithFile(a, "monitoring", "token", "live");
        var live = Live(a);
        var directory = a.Positional.Count == 1 ? a.Positional[0] : throw new UsageException("expected one DIR (a `fanpin datagen` output folder)");
        var manifest = Path.Combine(directory, DatagenRunner.ManifestFile);
        if (!File.Exists(manifest))
        {
            throw new UsageException($"{manifest} does not exist: DIR must be a `fanpin datagen` output folder");
        }
        using var json = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(manifest).ConfigureAwait(false));
        var root = json.RootElement;
        var feeds = root.GetProperty("feeds").EnumerateArray()
            .Select(f => (f.GetProperty("department").GetString()!, f.GetProperty("period").GetString()!, f.GetProperty("path").GetString()!)).ToList();
        using var channel = ImportStreams.Channel(a.Require("monitoring"), a.Require("token"));
        var clean = await ImportFeedsAsync(channel, directory, root.GetProperty("seed").GetInt64(), root.GetProperty("province").GetString()!, feeds, live).ConfigureAwait(false);
        Console.WriteLine(clean ? $"feeds: {feeds.Count} imported" : $"feeds: {feeds.Count} imported; some rows were refused (see above)");
        return clean ? 0 : 1;
    }

    /// <summary><c>--live</c>: a flag; a value after it is a mistake (most likely DIR put after it).</summary>
    private static bool Live(Arguments a) => a.Has("live") && (a.Get("live") is null
        ? true
        : throw new UsageException($"--live takes no value (got '{a.Get("live")}'; put DIR before the options)"));

    public static async Task<int> RegionsImportAsync(Arguments a)
    {
        CliApp.CheckKnownWithFile(a, "registry", "token");
        var file = ExistingFile(a);
        using var channel = ImportStreams.Channel(a.Require("registry"), a.Require("token"));
        var (inserted, renamed, unchanged) = await ImportRetry.RunAsync("regions", ct => ImportStreams.ImportRegionsAsync(channel, file, ct), Console.WriteLine).ConfigureAwait(false);
        Console.WriteLine($"regions: {inserted:N0} inserted, {renamed:N0} renamed, {unchanged:N0} unchanged");
        return 0;
    }

    public static async Task<int> HouseholdsImportAsync(Arguments a)
    {
        CliApp.CheckKnownWithFile(a, "registry", "token", "batch-id");
        var file = ExistingFile(a);
        using var channel = ImportStreams.Channel(a.Require("registry"), a.Require("token"));
        var prefix = a.Get("batch-id") ?? Path.GetFileNameWithoutExtension(file);
        var result = await ImportRetry.RunAsync("households", ct => ImportStreams.ImportHouseholdsAsync(channel, file, prefix, ProgressLine("households", null), ct),
            Console.WriteLine).ConfigureAwait(false);
        PrintHouseholds(result);
        return result.Rejected > 0 ? 1 : 0;
    }

    private static void PrintHouseholds(ImportStreams.HouseholdsImported result)
    {
        Console.WriteLine($"households: {result.Received:N0} received in {result.Batches} batch(es), {result.Accepted:N0} accepted, {result.Rejected:N0} rejected");
        foreach (var error in result.FirstErrors.Take(20))
        {
            Console.WriteLine($"  household {error.RowNumber}: {error.Field}: {error.Reason}");
        }
    }

    private static string ExistingFile(Arguments a)
    {
        var file = a.Positional.Count == 1 ? a.Positional[0] : throw new UsageException("expected one FILE");
        return File.Exists(file) ? file : throw new UsageException($"{file} does not exist");
    }

    private static Action<int> ProgressLine(string what, long? total)
    {
        var last = DateTime.UtcNow;
        return sent =>
        {
            if ((DateTime.UtcNow - last).TotalSeconds >= 1)
            {
                last = DateTime.UtcNow;
                Console.WriteLine(total is { } t ? $"  {what}: {sent:N0}/{t:N0} sent" : $"  {what}: {sent:N0} sent");
            }
        };
    }

    /// <summary>Prints progress once a second (plain lines: runs are long and often logged).</summary>
    private sealed class Reporter : IProgress<DatagenProgress>
    {
        public void Report(DatagenProgress value)
        {
            var rate = value.Elapsed.TotalSeconds > 0 ? value.HouseholdsDone / value.Elapsed.TotalSeconds : 0;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {value.HouseholdsDone:N0}/{value.HouseholdsTotal:N0} households ({100.0 * value.HouseholdsDone / value.HouseholdsTotal:F0}%), {value.FeedRows:N0} feed rows, {value.Elapsed.TotalSeconds:F1} s, {rate:N0} households/s"));
        }
    }
}
