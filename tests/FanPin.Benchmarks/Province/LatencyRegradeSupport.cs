using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using FanPin.Grpc;
using FanPin.ServiceDefaults.Authentication;
using FanPin.Testing.Suite;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Mon = FanPin.Contracts.Monitoring.V1;
using Reg = FanPin.Contracts.Registry.V1;

namespace FanPin.Benchmarks.Province;

/// <summary>One synthetic household of a province benchmark: one member, the head, whose name is the household's key.</summary>
internal sealed record BenchHousehold(int Index, string Village, string IdNumber, string HeadName, Reg.LabourAbility Labour,
    Reg.HealthCondition Health, Reg.HouseholdCategory Category)
{
    /// <summary>Registry id, known after the import.</summary>
    public string Id { get; set; } = "";
}

/// <summary>
/// What the province benchmarks (<c>province-latency</c>, <c>province-regrade</c>) share: the suite as a child
/// process, regions and households put in through the public import RPCs, a timed downstream subscriber, and the
/// waits for the services' read models. Only public APIs and the public exchange are used.
/// </summary>
internal static class LatencyRegradeSupport
{
    public const string MedicalDepartment = "medical-insurance";
    public const string WageDepartment = "human-resources";

    /// <summary>The 1-minute load average now.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

    /// <summary>Prints a line with the UTC time.</summary>
    public static void Log(string line) => Console.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {line}");

    /// <summary>Starts the AppHost (its own servers, every service) and waits for <c>Ready.</c>.</summary>
    public static async Task<SuiteProcess> StartSuiteAsync()
    {
        Log($"starting the suite (AppHost as a child process), load {LoadAverage()}");
        var suite = await SuiteProcess.StartAsync(new SuiteOptions { ReadyTimeout = TimeSpan.FromMinutes(6) });
        Log($"suite ready in {suite.StartTime.TotalSeconds:F1} s: {string.Join(", ", suite.Endpoints.Keys)}");
        return suite;
    }

    /// <summary>
    /// Stops the suite. A slow Ctrl-C shutdown on a loaded machine (the AppHost killed after 2 minutes, nothing left
    /// behind) is reported, not thrown: the figures are printed already and the exit code stays the run's.
    /// </summary>
    public static async Task StopSuiteAsync(SuiteProcess suite)
    {
        try
        {
            await suite.DisposeAsync();
        }
        catch (InvalidOperationException ex)
        {
            Log("note: stopping the suite: " + ex.Message.Split('\n')[0]);
        }
    }

    /// <summary>
    /// Imports province 62, city 6201 and <paramref name="counties"/> synthesized counties 6201cc, each with
    /// <paramref name="townships"/> townships of <paramref name="villages"/> villages; returns the village codes.
    /// </summary>
    public static async Task<IReadOnlyList<string>> ImportRegionsAsync(SuiteProcess suite, int counties, int townships, int villages)
    {
        var regions = new List<Reg.Region>
        {
            new() { Code = "620000000000", Name = "甘肃省", Level = Reg.RegionLevel.Province },
            new() { Code = "620100000000", Name = "兰州市", Level = Reg.RegionLevel.City, ParentCode = "620000000000" },
        };
        var villageCodes = new List<string>();
        for (var c = 1; c <= counties; c++)
        {
            var county = string.Create(CultureInfo.InvariantCulture, $"6201{c + 20:D2}");
            regions.Add(new Reg.Region { Code = county + "000000", Name = $"基准县{c}", Level = Reg.RegionLevel.County, ParentCode = "620100000000" });
            for (var t = 0; t < townships; t++)
            {
                var township = string.Create(CultureInfo.InvariantCulture, $"{county}{100 + t:D3}");
                regions.Add(new Reg.Region { Code = township + "000", Name = $"基准县{c}第{t + 1}镇", Level = Reg.RegionLevel.Township, ParentCode = county + "000000" });
                for (var v = 1; v <= villages; v++)
                {
                    var village = string.Create(CultureInfo.InvariantCulture, $"{township}{v:D3}");
                    regions.Add(new Reg.Region { Code = village, Name = $"基准县{c}第{t + 1}镇第{v}村", Level = Reg.RegionLevel.Village, ParentCode = township + "000" });
                    villageCodes.Add(village);
                }
            }
        }
        foreach (var chunk in regions.Chunk(50_000))
        {
            var request = new Reg.ImportRegionsRequest();
            request.Regions.Add(chunk);
            await suite.Province.Regions.ImportRegionsAsync(request, deadline: DateTime.UtcNow.AddMinutes(2));
        }
        Log($"imported {regions.Count:N0} regions ({villageCodes.Count:N0} villages in {counties} counties)");
        return villageCodes;
    }

    /// <summary>A valid, run-unique ID number for household <paramref name="index"/> (born in its county).</summary>
    public static string IdNumberOf(int index, string village) =>
        IdNumber.Create(village[..6], new DateOnly(1960, 1, 1).AddDays(index / 1000), index % 1000).Value;

    /// <summary>The head's name: the household's key in ListHouseholds (events carry only the household id).</summary>
    public static string HeadNameOf(int index) => string.Create(CultureInfo.InvariantCulture, $"基准户{index:D7}");

    /// <summary>
    /// Registers the households with HouseholdService.ImportHouseholds (client stream, messages of 1,000 rows,
    /// batches of at most 200,000) and, when <paramref name="listIds"/>, learns their registry ids (by head name, ListHouseholds).
    /// </summary>
    public static async Task ImportHouseholdsAsync(SuiteProcess suite, IReadOnlyList<BenchHousehold> households, string batchPrefix, bool listIds = true)
    {
        var client = suite.Province.Households;
        var watch = Stopwatch.StartNew();
        var accepted = 0;
        var batch = 0;
        foreach (var part in households.Chunk(200_000))
        {
            batch++;
            using var call = client.ImportHouseholds(deadline: DateTime.UtcNow.AddMinutes(20));
            foreach (var message in part.Chunk(1_000))
            {
                var request = new Reg.ImportHouseholdsRequest { BatchId = $"{batchPrefix}-{batch}" };
                foreach (var h in message)
                {
                    var row = new Reg.ImportHouseholdRow { RowNumber = h.Index + 1, RegionCode = h.Village, Category = h.Category };
                    row.Members.Add(new Reg.MemberInput
                    {
                        Name = h.HeadName,
                        IdNumber = h.IdNumber,
                        Relation = Reg.Relation.Head,
                        LabourAbility = h.Labour,
                        Health = h.Health,
                        Schooling = Reg.SchoolingStage.NotInSchool,
                        EmploymentLocation = h.Labour == Reg.LabourAbility.Full ? Reg.EmploymentLocation.InsideCounty : Reg.EmploymentLocation.None,
                        EmploymentMonths = h.Labour == Reg.LabourAbility.Full ? 8 : 0,
                        MedicalInsured = true,
                        PensionInsured = true,
                    });
                    request.Rows.Add(row);
                }
                await call.RequestStream.WriteAsync(request);
            }
            await call.RequestStream.CompleteAsync();
            var reply = await call;
            if (reply.Rejected > 0)
            {
                throw new InvalidOperationException($"ImportHouseholds refused {reply.Rejected} rows, e.g. " +
                    string.Join("; ", reply.Errors.Take(3).Select(e => e.ToString())));
            }
            accepted += reply.Accepted;
            Log($"  registry import batch {batch}: {reply.Accepted:N0} accepted ({accepted:N0} of {households.Count:N0}, {accepted / watch.Elapsed.TotalSeconds:N0} households/s)");
        }
        Log($"registered {accepted:N0} households in {watch.Elapsed.TotalSeconds:F1} s ({accepted / watch.Elapsed.TotalSeconds:N0} households/s)");

        if (!listIds)
        {
            return;
        }
        // Ids by head name, county by county.
        var byName = households.ToDictionary(h => h.HeadName);
        var found = 0;
        foreach (var county in households.Select(h => h.Village[..6]).Distinct())
        {
            var token = "";
            do
            {
                var page = await client.ListHouseholdsAsync(new Reg.ListHouseholdsRequest { RegionPrefix = county, PageSize = 500, PageToken = token });
                foreach (var summary in page.Households)
                {
                    if (byName.TryGetValue(summary.HeadName, out var h))
                    {
                        h.Id = summary.Id;
                        found++;
                    }
                }
                token = page.NextPageToken;
            }
            while (token.Length > 0);
        }
        if (found != households.Count)
        {
            throw new InvalidOperationException($"ListHouseholds found {found} of the {households.Count} households imported");
        }
    }

    /// <summary>
    /// Waits until monitoring knows every one of <paramref name="households"/> (GetIncomeSummary answers; it learns
    /// them from the registry's HouseholdRegistered), probing concurrently and re-probing only those not known yet.
    /// </summary>
    public static async Task WaitUntilMonitoringKnowsAsync(SuiteProcess suite, IReadOnlyList<BenchHousehold> households, TimeSpan timeout)
    {
        var records = suite.Province.Records;
        var pending = households.Select(h => h.Id).ToList();
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var still = new ConcurrentBag<string>();
            await Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (id, ct) =>
            {
                try
                {
                    await records.GetIncomeSummaryAsync(new Mon.GetIncomeSummaryRequest { HouseholdId = id }, cancellationToken: ct);
                }
                catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
                {
                    still.Add(id);
                }
            });
            Log($"  monitoring knows {households.Count - still.Count:N0} of {households.Count:N0} households");
            if (still.IsEmpty)
            {
                return;
            }
            if (watch.Elapsed > timeout)
            {
                throw new TimeoutException($"monitoring did not learn {still.Count} households within {timeout.TotalSeconds:F0} s");
            }
            pending = [.. still];
            await Task.Delay(TimeSpan.FromSeconds(3));
        }
    }

    /// <summary>
    /// Waits until the services print no new line containing <paramref name="marker"/> for <paramref name="quiet"/>
    /// (monitoring's "Evaluated … households" after a registration wave, grading's consumers), at most <paramref name="timeout"/>.
    /// </summary>
    public static async Task WaitForQuietAsync(SuiteProcess suite, string marker, TimeSpan quiet, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        var count = suite.Lines(marker).Count;
        var since = Stopwatch.StartNew();
        while (since.Elapsed < quiet && watch.Elapsed < timeout)
        {
            await Task.Delay(500);
            var now = suite.Lines(marker).Count;
            if (now != count)
            {
                count = now;
                since.Restart();
            }
        }
    }

    /// <summary>A department's token (province-wide).</summary>
    public static string DepartmentToken(SuiteProcess suite, string department) => suite.Token(CallerRole.Department, "62", department);

    /// <summary>Today's month in China, shifted.</summary>
    public static string Month(int monthsFromNow) =>
        DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8)).AddMonths(monthsFromNow).ToString("yyyy-MM", CultureInfo.InvariantCulture);

    /// <summary>Imports one feed (header, rows in messages of 1,000) and returns the answer.</summary>
    public static async Task<Mon.ImportFeedResponse> ImportFeedAsync(Mon.FeedService.FeedServiceClient feeds, string feedId, string department,
        IReadOnlyList<Mon.FeedRow> rows, TimeSpan deadline)
    {
        using var call = feeds.ImportFeed(deadline: DateTime.UtcNow.Add(deadline));
        await call.RequestStream.WriteAsync(new Mon.ImportFeedRequest
        {
            Header = new Mon.ImportFeedHeader { FeedId = feedId, Department = department, Period = Month(0), Region = "62" },
        });
        foreach (var chunk in rows.Chunk(1_000))
        {
            var batch = new Mon.FeedRowBatch();
            batch.Rows.Add(chunk);
            await call.RequestStream.WriteAsync(new Mon.ImportFeedRequest { Rows = batch });
        }
        await call.RequestStream.CompleteAsync();
        return await call;
    }

    /// <summary>Percentile (nearest rank) of sorted values.</summary>
    public static double Percentile(double[] sorted, double q) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];

    /// <summary>"p50 / p99 / max" in ms of <paramref name="values"/>.</summary>
    public static string Summary(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? "n/a" : string.Create(CultureInfo.InvariantCulture,
            $"p50 {Percentile(sorted, 0.50),8:F1} ms   p99 {Percentile(sorted, 0.99),8:F1} ms   max {sorted[^1],8:F1} ms   (n={sorted.Length:N0})");
    }
}

/// <summary>One CloudEvent as a downstream subscriber received it, with the local receipt time.</summary>
internal sealed record Arrival(string Id, string Type, string Subject, DateTimeOffset? EventTime, DateTimeOffset ReceivedAt, long ReceivedTimestamp);

/// <summary>
/// A downstream system with plain RabbitMQ.Client: an exclusive queue bound to <c>fanpin.events</c> that timestamps
/// every message on arrival (before any parsing of its own) and keeps id, type, subject and the event's time.
/// </summary>
internal sealed class TimedSubscriber : IAsyncDisposable
{
    private readonly IConnection _connection;
    private readonly IChannel _channel;
    private readonly ConcurrentQueue<Arrival> _arrivals = new();
    private int _count;

    private TimedSubscriber(IConnection connection, IChannel channel)
    {
        _connection = connection;
        _channel = channel;
    }

    /// <summary>Messages received so far.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Everything received so far.</summary>
    public IReadOnlyList<Arrival> Arrivals => [.. _arrivals];

    /// <summary>Binds a new exclusive queue with <paramref name="keys"/>.</summary>
    public static async Task<TimedSubscriber> BindAsync(Uri broker, params string[] keys)
    {
        var connection = await new ConnectionFactory { Uri = broker }.CreateConnectionAsync();
        var channel = await connection.CreateChannelAsync();
        await channel.ExchangeDeclareAsync("fanpin.events", ExchangeType.Topic, durable: true, autoDelete: false);
        var queue = (await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true)).QueueName;
        foreach (var key in keys)
        {
            await channel.QueueBindAsync(queue, "fanpin.events", key);
        }
        await channel.BasicQosAsync(0, 1000, false);
        var subscriber = new TimedSubscriber(connection, channel);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            var timestamp = Stopwatch.GetTimestamp();
            var receivedAt = DateTimeOffset.UtcNow;
            using var document = JsonDocument.Parse(delivery.Body);
            var root = document.RootElement;
            DateTimeOffset? time = root.TryGetProperty("time", out var t) && DateTimeOffset.TryParse(t.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed)
                ? parsed : null;
            subscriber._arrivals.Enqueue(new Arrival(root.GetProperty("id").GetString() ?? "", root.GetProperty("type").GetString() ?? "",
                root.GetProperty("subject").GetString() ?? "", time, receivedAt, timestamp));
            Interlocked.Increment(ref subscriber._count);
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(queue, autoAck: true, consumer);
        return subscriber;
    }

    public async ValueTask DisposeAsync()
    {
        await _channel.CloseAsync();
        await _connection.CloseAsync();
        _channel.Dispose();
        _connection.Dispose();
    }
}
