using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using FanPin.Policies;

namespace FanPin.Cli.Datagen;

/// <summary>Progress of a run: households done of the total, and elapsed time.</summary>
public sealed record DatagenProgress(long HouseholdsDone, long HouseholdsTotal, long FeedRows, TimeSpan Elapsed);

/// <summary>What a run wrote.</summary>
public sealed record DatagenSummary(
    int Regions,
    int Villages,
    long Households,
    long Members,
    long FeedRows,
    IReadOnlyList<(FeedFile File, long Rows)> Feeds,
    TimeSpan Elapsed);

/// <summary>
/// Writes a synthetic province to a directory: <c>regions.csv</c>, <c>households.csv</c>, <c>feeds/DEPT/YYYY-MM.csv</c>
/// (one per department and reporting month) and <c>manifest.json</c>. Chunks of households are generated on all cores and
/// written in household order, a few chunks at a time: memory stays flat whatever the number of households.
/// </summary>
public static class DatagenRunner
{
    /// <summary>Name of the regions file.</summary>
    public const string RegionsFile = "regions.csv", HouseholdsFile = "households.csv", ManifestFile = "manifest.json";

    /// <summary>Header of regions.csv (the reference data's columns).</summary>
    public const string RegionsHeader = "code,name,level,parent_code";

    /// <summary>Generates under the built-in default policy.</summary>
    public static Task<DatagenSummary> WriteFilesAsync(DatagenSettings settings, string directory, IProgress<DatagenProgress>? progress = null, CancellationToken ct = default) =>
        WriteFilesAsync(settings, DefaultPolicy.For(settings.Province), directory, progress, ct);

    /// <summary>Generates <paramref name="settings"/> under <paramref name="policy"/> into <paramref name="directory"/>.</summary>
    public static async Task<DatagenSummary> WriteFilesAsync(DatagenSettings settings, ProvincePolicy policy, string directory,
        IProgress<DatagenProgress>? progress = null, CancellationToken ct = default)
    {
        var watch = Stopwatch.StartNew();
        var tree = RegionTree.Build(settings.Province, settings.Counties, settings.Seed);
        var generator = new ProvinceGenerator(settings, tree, policy);
        Directory.CreateDirectory(directory);
        var utf8 = new UTF8Encoding(false);
        await using (var regions = new StreamWriter(Path.Combine(directory, RegionsFile), false, utf8))
        {
            regions.NewLine = "\n";
            await regions.WriteLineAsync(RegionsHeader).ConfigureAwait(false);
            foreach (var r in tree.Regions)
            {
                await regions.WriteLineAsync($"{r.Code},{r.Name},{r.Level},{r.ParentCode}").ConfigureAwait(false);
            }
        }

        var files = generator.FeedFiles;
        var feedStreams = new FileStream[files.Count];
        var feedRows = new long[files.Count];
        long members = 0, householdsDone = 0, rowsDone = 0;
        await using var households = Open(Path.Combine(directory, HouseholdsFile), HouseholdCsv.Header);
        try
        {
            for (var i = 0; i < files.Count; i++)
            {
                var path = Path.Combine(directory, files[i].RelativePath);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                feedStreams[i] = Open(path, DatagenFeeds.Header);
            }
            var pool = new ConcurrentBag<ChunkOutput>();
            var pending = new Queue<Task<ChunkOutput>>();
            var window = Math.Max(2, Environment.ProcessorCount + 1);
            var next = 0;
            var chunks = generator.Chunks;
            var sinceReport = Stopwatch.StartNew();
            while (pending.Count > 0 || next < chunks.Count)
            {
                while (next < chunks.Count && pending.Count < window)
                {
                    var chunk = chunks[next++];
                    pending.Enqueue(Task.Run(() =>
                    {
                        var output = pool.TryTake(out var reused) ? reused : new ChunkOutput(files.Count);
                        generator.Generate(chunk, output);
                        return output;
                    }, ct));
                }
                var done = await pending.Dequeue().ConfigureAwait(false);
                households.Write(done.Households.Span);
                for (var i = 0; i < files.Count; i++)
                {
                    if (done.FeedRows[i] > 0)
                    {
                        feedStreams[i].Write(done.Feeds[i].Span);
                        feedRows[i] += done.FeedRows[i];
                        rowsDone += done.FeedRows[i];
                    }
                }
                householdsDone += done.HouseholdCount;
                members += done.MemberCount;
                pool.Add(done);
                if (progress is not null && (sinceReport.ElapsedMilliseconds >= 1000 || householdsDone == settings.Households))
                {
                    sinceReport.Restart();
                    progress.Report(new DatagenProgress(householdsDone, settings.Households, rowsDone, watch.Elapsed));
                }
            }
        }
        finally
        {
            foreach (var stream in feedStreams)
            {
                if (stream is not null)
                {
                    await stream.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
        var summary = new DatagenSummary(tree.Regions.Count, tree.Villages.Count, householdsDone, members, rowsDone,
            files.Select((f, i) => (f, feedRows[i])).ToList(), watch.Elapsed);
        await WriteManifestAsync(Path.Combine(directory, ManifestFile), settings, tree, summary).ConfigureAwait(false);
        return summary;
    }

    private static FileStream Open(string path, string header)
    {
        var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
        stream.Write(Encoding.UTF8.GetBytes(header + "\n"));
        return stream;
    }

    private static async Task WriteManifestAsync(string path, DatagenSettings settings, RegionTree tree, DatagenSummary summary)
    {
        // No timestamps or timings: the manifest is part of the deterministic output.
        await using var stream = File.Create(path);
        await using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteNumber("seed", settings.Seed);
        json.WriteString("province", settings.Province);
        json.WriteStartArray("counties");
        foreach (var county in tree.Counties)
        {
            json.WriteStringValue(county[..6]);
        }
        json.WriteEndArray();
        json.WriteString("first_month", settings.FirstMonth.ToString());
        json.WriteString("last_month", settings.LastMonth.ToString());
        json.WriteNumber("months", settings.Months);
        json.WriteNumber("regions", summary.Regions);
        json.WriteNumber("villages", summary.Villages);
        json.WriteNumber("households", summary.Households);
        json.WriteNumber("members", summary.Members);
        json.WriteNumber("feed_rows", summary.FeedRows);
        json.WriteStartArray("feeds");
        foreach (var (file, rows) in summary.Feeds)
        {
            json.WriteStartObject();
            json.WriteString("department", file.Department);
            json.WriteString("period", file.Period.ToString());
            json.WriteString("path", file.RelativePath.Replace('\\', '/'));
            json.WriteNumber("rows", rows);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync().ConfigureAwait(false);
    }
}
