extern alias monitoring;

using System.Diagnostics;
using System.Globalization;
using FanPin.Contracts.Monitoring.V1;
using FanPin.Grpc;
using FanPin.ServiceDefaults.Authentication;
using MonitoringCsv = monitoring::FanPin.Monitoring.Infrastructure.FeedCsv;
using Pb = FanPin.Contracts.Monitoring.V1;

namespace FanPin.Cli;

/// <summary>
/// <c>fanpin feed import</c>: streams a department's monthly feed from a CSV file to the running monitoring service
/// (the ImportFeed client stream), drawing a progress bar from the progress the service reports while it runs
/// (GetFeedImportProgress), and prints the rejected rows with their row numbers and reasons.
/// </summary>
public static class FeedImportCommand
{
    /// <summary>Where the AppHost tells services (and this tool) the monitoring gRPC endpoint.</summary>
    public const string AddressVariable = "services__monitoring__grpc__0";

    /// <summary>Rows per stream message (about 100 KB).</summary>
    public const int RowsPerMessage = 1_000;

    public const string Usage = """
          feed import --department DEPT --month YYYY-MM --file FEED.csv --region PREFIX
                      [--feed-id ID] [--address URL] [--token TOKEN] [--rejections FILE.csv] [--show N]
                Streams a department's feed (CSV columns: id_number,item,month,amount_fen,value,reference
                and optionally row) to the monitoring service as the department with that region scope, with
                a progress bar, and prints the rejected rows (row number and reason; the first N, default 100;
                all of them to FILE.csv with --rejections). The feed id defaults to DEPT-YYYY-MM-<file name>;
                importing the same feed id again applies only new rows. URL: --address, else
                services__monitoring__grpc__0, else http://127.0.0.1:7102. TOKEN: --token, else a department
                token signed with Auth__SigningKey from the environment (the development key when unset).
        """;

    /// <summary>Runs the command, writing to the console.</summary>
    public static Task<int> RunAsync(Arguments a) => RunAsync(a, Console.Out, Console.IsOutputRedirected);

    /// <summary>Runs the command, writing to <paramref name="output"/> (redrawing the bar in place unless <paramref name="plainLines"/>).</summary>
    public static async Task<int> RunAsync(Arguments a, TextWriter output, bool plainLines, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(output);
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
        var show = int.TryParse(a.Get("show") ?? "100", NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw new UsageException("--show must be a whole number");
        var feedId = a.Get("feed-id") ?? $"{department}-{month}-{Path.GetFileNameWithoutExtension(file)}";
        var addressText = a.Get("address") ?? Environment.GetEnvironmentVariable(AddressVariable) ?? "http://127.0.0.1:7102";
        if (!Uri.TryCreate(addressText, UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https"))
        {
            throw new UsageException($"--address '{addressText}' is not an http:// or https:// URL");
        }
        var token = a.Get("token") ?? DepartmentToken(department, scope);

        int total;
        await using (var counting = File.OpenRead(file))
        {
            total = await MonitoringCsv.CountRowsAsync(counting, ct).ConfigureAwait(false);
        }
        // An ImportFeed answer lists up to 10,000 rejected rows with their reasons (the service allows 16 MiB).
        using var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { MaxReceiveMessageSize = 16 * 1024 * 1024 }.WithBearerToken(token));
        var client = new FeedService.FeedServiceClient(channel);
        var bar = new ProgressBar(output, total, plainLines);
        var unreadable = new List<RowRejection>();
        var watch = Stopwatch.StartNew();
        ImportFeedResponse response;
        using (var polling = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            var poll = PollProgressAsync(client, department, feedId, bar, polling.Token);
            try
            {
                response = await ImportStreams.ImportFeedAsync(channel, file, feedId, department, month, region, unreadable, backfill: false, ct).ConfigureAwait(false);
            }
            finally
            {
                await polling.CancelAsync().ConfigureAwait(false);
                await poll.ConfigureAwait(false);
            }
        }
        bar.Finish(total);

        var invalid = response.Invalid + unreadable.Count;
        var feed = response.Feed;
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"""
            feed {feed.FeedId} ({feed.Department}, {feed.Period}, region {feed.Region}){(response.FirstImport ? "" : ", imported before")}: {total:N0} rows in {watch.Elapsed.TotalSeconds:F1} s
              applied {response.Applied:N0}, unchanged {response.Unchanged:N0}, already imported {response.AlreadyImported:N0}
              invalid {invalid:N0}, unknown person {response.Unmatched:N0}, duplicate {response.Duplicates:N0}, outside the region {response.OutsideScope:N0}
              match rate {Rate(feed.MatchRate)}, error rate {Rate(feed.ErrorRate)}{(feed.Late ? $", late (due {feed.DueOn?.Year:D4}-{feed.DueOn?.Month:D2}-{feed.DueOn?.Day:D2})" : "")}
              households queued for evaluation: {response.HouseholdsQueued:N0}
            """)).ConfigureAwait(false);
        var rejections = unreadable.Concat(response.Rejections).OrderBy(r => r.RowNumber).ToList();
        var notListed = response.RejectionsNotListed;
        if (rejections.Count + notListed > 0)
        {
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"rejected rows: {rejections.Count + notListed:N0}")).ConfigureAwait(false);
        }
        foreach (var rejection in rejections.Take(show))
        {
            await output.WriteLineAsync(Line(rejection)).ConfigureAwait(false);
        }
        if (rejections.Count + notListed > show)
        {
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"  ... {rejections.Count + notListed - show:N0} more rejected rows{(a.Has("rejections") ? "" : " (write them all with --rejections FILE.csv)")}")).ConfigureAwait(false);
        }
        if (a.Get("rejections") is { } rejectionsFile)
        {
            if (notListed > 0)
            {
                // The answer lists the first 10,000; the feed's full list is paged from the service.
                rejections = [.. unreadable, .. await AllRejectionsAsync(client, department, feedId, ct).ConfigureAwait(false)];
                rejections = [.. rejections.OrderBy(r => r.RowNumber)];
            }
            await File.WriteAllLinesAsync(rejectionsFile,
                ["row,outcome,reason", .. rejections.Select(r => $"{r.RowNumber},{OutcomeName(r.Outcome)},\"{r.Reason.Replace("\"", "\"\"", StringComparison.Ordinal)}\"")], ct)
                .ConfigureAwait(false);
        }
        return 0;
    }

    /// <summary>A rejected row as printed: row number, outcome and reason.</summary>
    public static string Line(RowRejection rejection)
    {
        ArgumentNullException.ThrowIfNull(rejection);
        return string.Create(CultureInfo.InvariantCulture, $"  row {rejection.RowNumber}: {OutcomeName(rejection.Outcome)}: {rejection.Reason}");
    }

    /// <summary>A department token signed with the key the services check (Auth__SigningKey, else the development key), as <c>fanpin token</c> issues it.</summary>
    private static string DepartmentToken(string department, RegionPrefix scope)
    {
        var options = new FanPinAuthOptions { SigningKey = Environment.GetEnvironmentVariable("Auth__SigningKey") ?? FanPinAuthOptions.DevelopmentSigningKey };
        return new TokenIssuer(options).Issue(new Caller($"cli-{department}", CallerRole.Department, scope, department, "fanpin feed import"), TimeSpan.FromHours(1));
    }

    /// <summary>Polls the service's progress of this import and draws it, until cancelled (the answer arrived).</summary>
    private static async Task PollProgressAsync(FeedService.FeedServiceClient client, string department, string feedId, ProgressBar bar, CancellationToken ct)
    {
        var request = new GetFeedImportProgressRequest { Department = department, FeedId = feedId };
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(250, ct).ConfigureAwait(false);
                var progress = await client.GetFeedImportProgressAsync(request, cancellationToken: ct).ResponseAsync.ConfigureAwait(false);
                bar.Draw(progress);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.NotFound or StatusCode.Cancelled or StatusCode.Unavailable or StatusCode.DeadlineExceeded)
            {
                // Not started yet, already answered, or a hiccup: the next poll tells; the import itself is unaffected.
            }
        }
    }

    private static async Task<List<RowRejection>> AllRejectionsAsync(FeedService.FeedServiceClient client, string department, string feedId, CancellationToken ct)
    {
        var all = new List<RowRejection>();
        var page = "";
        do
        {
            var response = await client.ListFeedRejectionsAsync(new ListFeedRejectionsRequest { Department = department, FeedId = feedId, PageSize = 1000, PageToken = page },
                cancellationToken: ct).ResponseAsync.ConfigureAwait(false);
            all.AddRange(response.Rejections);
            page = response.NextPageToken;
        }
        while (page.Length > 0);
        return all;
    }

    private static string OutcomeName(FeedRowOutcome outcome) => outcome switch
    {
        FeedRowOutcome.Invalid => "invalid",
        FeedRowOutcome.Unmatched => "unknown person",
        FeedRowOutcome.Duplicate => "duplicate",
        FeedRowOutcome.OutsideScope => "outside the region",
        _ => outcome.ToString().ToLowerInvariant(),
    };

    private static string Rate(string? rate) =>
        decimal.TryParse(rate, NumberStyles.Number, CultureInfo.InvariantCulture, out var r) ? r.ToString("P2", CultureInfo.InvariantCulture) : "n/a";

    /// <summary>A one-line progress bar (redrawn in place; plain lines when output is redirected).</summary>
    private sealed class ProgressBar(TextWriter output, int total, bool plainLines)
    {
        private readonly object _gate = new();
        private string _last = "";

        public void Draw(GetFeedImportProgressResponse progress)
        {
            var done = progress.Phase == FeedImportPhase.Receiving ? (total == 0 ? 1.0 : Math.Min(1.0, (double)progress.RowsReceived / total)) : 1.0;
            var phase = progress.Phase switch
            {
                FeedImportPhase.Receiving => "reading and checking",
                FeedImportPhase.Matching => "matching persons to households",
                FeedImportPhase.Applying => $"applying (step {progress.Step}/5)",
                FeedImportPhase.Done => "committed",
                _ => "waiting for the service",
            };
            Write(done, progress.RowsReceived, phase);
        }

        public void Finish(int rows)
        {
            Write(1.0, rows, "committed");
            if (!plainLines)
            {
                lock (_gate)
                {
                    output.WriteLine();
                }
            }
        }

        private void Write(double done, int rows, string phase)
        {
            var filled = (int)Math.Round(done * 30);
            var line = string.Create(CultureInfo.InvariantCulture, $"[{new string('#', filled)}{new string('.', 30 - filled)}] {rows:N0}/{total:N0} rows  {phase}");
            lock (_gate)
            {
                if (line == _last)
                {
                    return;
                }
                _last = line;
                if (plainLines)
                {
                    output.WriteLine(line);
                }
                else
                {
                    output.Write("\r" + line.PadRight(Math.Max(line.Length, 79)));
                }
            }
        }
    }
}
