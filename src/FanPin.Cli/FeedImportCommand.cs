extern alias monitoring;

using System.Diagnostics;
using System.Globalization;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using monitoring::FanPin.Monitoring;
using monitoring::FanPin.Monitoring.Application.Feeds;
using monitoring::FanPin.Monitoring.Infrastructure;

namespace FanPin.Cli;

/// <summary>
/// <c>fanpin feed import</c>: imports a department's monthly feed from a CSV file with a progress bar. For now
/// it runs the monitoring import use case directly against the monitoring database (connection string
/// <c>ConnectionStrings__monitoringdb</c> or <c>--connection-string</c>); the same rows will go through the
/// ImportFeed client stream once the gRPC client is wired.
/// </summary>
public static class FeedImportCommand
{
    public const string Usage = """
          feed import --department DEPT --month YYYY-MM --file FEED.csv --region PREFIX
                      [--feed-id ID] [--connection-string CS] [--rejections FILE.csv] [--migrate]
                Imports a department's feed (CSV columns: id_number,item,month,amount_fen,value,reference
                and optionally row) as the department with that region scope. The feed id defaults to
                DEPT-YYYY-MM-<file name>; importing the same feed id again applies only new rows.
                The ID hash key is Monitoring__IdNumbers__HashKey (the registry's key); Development
                (DOTNET_ENVIRONMENT=Development) falls back to the development key.
        """;

    public static async Task<int> RunAsync(Arguments a)
    {
        var department = a.Require("department");
        var month = a.Require("month");
        var file = a.Require("file");
        var region = a.Require("region");
        if (!File.Exists(file))
        {
            throw new UsageException($"--file {file} does not exist");
        }
        if (!RegionPrefix.TryParse(region, out var scope, out var regionError))
        {
            throw new UsageException($"--region {regionError}");
        }
        var feedId = a.Get("feed-id") ?? $"{department}-{month}-{Path.GetFileNameWithoutExtension(file)}";
        var connectionString = a.Get("connection-string") ?? Environment.GetEnvironmentVariable($"ConnectionStrings__{MonitoringServices.DatabaseName}")
            ?? throw new UsageException($"--connection-string or ConnectionStrings__{MonitoringServices.DatabaseName} is required");
        var environment = Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT");
        var configuration = new ConfigurationBuilder()
            .AddEnvironmentVariables()
            .AddInMemoryCollection(new Dictionary<string, string?> { [$"ConnectionStrings:{MonitoringServices.DatabaseName}"] = connectionString })
            .Build();
        await using var services = new ServiceCollection().AddLogging()
            .AddMonitoring(configuration, isDevelopment: string.Equals(environment, "Development", StringComparison.OrdinalIgnoreCase))
            .BuildServiceProvider();
        if (a.Has("migrate"))
        {
            await services.MigrateMonitoringDatabaseAsync().ConfigureAwait(false);
        }

        int total;
        await using (var counting = File.OpenRead(file))
        {
            total = await FeedCsv.CountRowsAsync(counting).ConfigureAwait(false);
        }
        var caller = new Caller($"cli-{department}", CallerRole.Department, scope, department, "fanpin feed import");
        var bar = new ProgressBar(total);
        var watch = Stopwatch.StartNew();
        ImportFeedResult result;
        await using (var stream = File.OpenRead(file))
        await using (var scopeServices = services.CreateAsyncScope())
        {
            result = await scopeServices.ServiceProvider.GetRequiredService<ImportFeed>()
                .HandleAsync(caller, new ImportFeedRequest(feedId, department, month), FeedCsv.ReadAsync(stream), bar).ConfigureAwait(false);
        }
        bar.Finish();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            feed {result.FeedId} ({result.Department}, {result.Period}, region {result.RegionPrefix}){(result.FirstImport ? "" : ", imported before")}: {result.RowsReceived:N0} rows in {watch.Elapsed.TotalSeconds:F1} s
              applied {result.Applied:N0}, unchanged {result.Unchanged:N0}, already imported {result.AlreadyImported:N0}
              invalid {result.Invalid:N0}, unknown person {result.Unmatched:N0}, duplicate {result.Duplicates:N0}, outside the region {result.OutsideScope:N0}
              match rate {Rate(result.MatchRate)}, error rate {Rate(result.ErrorRate)}{(result.Late ? $", late (due {result.DueOn:yyyy-MM-dd})" : "")}{(result.Anomalies.Count > 0 ? ", anomalies: " + string.Join(", ", result.Anomalies) : "")}
              households queued for evaluation: {result.HouseholdsQueued:N0}
            """));
        foreach (var rejection in result.Rejections.Take(20))
        {
            Console.WriteLine($"  row {rejection.RowNumber}: {rejection.Outcome}: {rejection.Reason}");
        }
        if (result.Rejections.Count > 20)
        {
            Console.WriteLine($"  ... {result.Rejections.Count - 20:N0} more rejected rows{(a.Has("rejections") ? "" : " (write them all with --rejections FILE.csv)")}");
        }
        if (a.Get("rejections") is { } rejectionsFile)
        {
            await File.WriteAllLinesAsync(rejectionsFile,
                ["row,outcome,reason", .. result.Rejections.Select(r => $"{r.RowNumber},{r.Outcome},\"{r.Reason.Replace("\"", "\"\"", StringComparison.Ordinal)}\"")])
                .ConfigureAwait(false);
        }
        return 0;
    }

    private static string Rate(decimal? rate) => rate is { } r ? r.ToString("P2", CultureInfo.InvariantCulture) : "n/a";

    /// <summary>A one-line progress bar on the console (redrawn in place; plain lines when output is redirected).</summary>
    private sealed class ProgressBar(int total) : IProgress<ImportProgress>
    {
        private readonly Stopwatch _sinceDraw = Stopwatch.StartNew();
        private readonly object _gate = new();

        public void Report(ImportProgress value)
        {
            lock (_gate)
            {
                if (value.Phase == FeedImportPhase.Receiving && _sinceDraw.ElapsedMilliseconds < 200 && value.RowsReceived < total)
                {
                    return;
                }
                _sinceDraw.Restart();
                var done = value.Phase == FeedImportPhase.Receiving ? (total == 0 ? 1.0 : (double)value.RowsReceived / total) : 1.0;
                var filled = (int)Math.Round(done * 30);
                var phase = value.Phase switch
                {
                    FeedImportPhase.Receiving => "reading and checking",
                    FeedImportPhase.Matching => "matching persons to households",
                    FeedImportPhase.Applying => $"applying (step {value.Step}/5)",
                    _ => "committed",
                };
                var line = string.Create(CultureInfo.InvariantCulture,
                    $"[{new string('#', filled)}{new string('.', 30 - filled)}] {value.RowsReceived:N0}/{total:N0} rows  {phase}");
                if (Console.IsOutputRedirected)
                {
                    Console.WriteLine(line);
                }
                else
                {
                    Console.Write("\r" + line.PadRight(Math.Max(line.Length, 79)));
                }
            }
        }

        public void Finish()
        {
            if (!Console.IsOutputRedirected)
            {
                Console.WriteLine();
            }
        }
    }
}
