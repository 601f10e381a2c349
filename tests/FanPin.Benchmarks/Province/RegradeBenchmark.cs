using System.Diagnostics;
using System.Globalization;
using FanPin.Testing.Suite;
using static FanPin.Benchmarks.Province.LatencyRegradeSupport;
using GradingApi = FanPin.Contracts.Grading.V1;
using Mon = FanPin.Contracts.Monitoring.V1;
using Reg = FanPin.Contracts.Registry.V1;

namespace FanPin.Benchmarks.Province;

/// <summary>
/// <c>province-regrade</c> (issue 11): a province policy publish re-grades every household, end to end through the
/// whole suite (the AppHost as a child process, its own servers).
/// <para>
/// Setup (not measured, but timed and printed): N single-member households in 20 counties are registered with the
/// registry's bulk import (grading and monitoring learn them from HouseholdRegistered); the human-resources department
/// sends one wage feed with every household's yearly wage (<c>--low-income-percent</c> of the households, 10 by
/// default, spread evenly over 3,000–10,000 CNY, the others over 10,000–40,000, above every line); monitoring evaluates
/// them and announces the signals (RiskSignalsDetected), grading grades them. In this deployment monitoring already
/// watches at the raised line (its own policy directory: 7,000 CNY, poverty line 4,667), while grading still grades
/// under the built-in default (6,500; grade I below 1.5 × 4,333): so grading knows the incomes of the band
/// 6,499.5–7,000 and has graded it none (able to work) or III (partly able). The run waits until grading is settled
/// (the initial warnings stop arriving on the exchange).
/// </para>
/// <para>
/// Measured: the what-if of the province's new version (EvaluateDraftPolicy: the line raised to 7,000 as
/// MonitoringLineRaiseScenario does), then PolicyService.PublishPolicy for today → the bulk re-grade, from the
/// publish call to grading's log line "Re-graded province 62 …" (re-grade complete), and to the last of the
/// re-grade's events arriving at a plain RabbitMQ.Client subscriber of <c>fanpin.events</c> (<c>warning.#</c>). The
/// number of events must equal the what-if's count of changed households.
/// </para>
/// Usage: <c>province-regrade [--households 1000000] [--counties 20] [--low-income-percent 10] [--settle-seconds 20] [--target-seconds 60]</c>.
/// Exit 0: counts agree and the re-grade met the target; 3: target missed; 4: counts disagree or events missing.
/// </summary>
public sealed class RegradeBenchmark : IBenchmark
{
    public string Name => "province-regrade";

    public string Description => "Province: re-grade of 1,000,000 households after a policy publish, to the last event on fanpin.events, whole suite";

    public async Task<int> RunAsync(BenchmarkArguments arguments, CancellationToken cancellationToken)
    {
        var count = arguments.GetInt("households", 1_000_000);
        var counties = arguments.GetInt("counties", 20);
        // About 5 % of a province's households end up monitored (DOMAIN.md); 10 % in the low band signals about 5.7 %.
        var lowIncomePercent = Math.Clamp(arguments.GetInt("low-income-percent", 10), 0, 100);
        var settle = TimeSpan.FromSeconds(arguments.GetInt("settle-seconds", 20));
        var target = TimeSpan.FromSeconds(arguments.GetInt("target-seconds", 60));
        var loadBefore = LoadAverage();
        Log($"province-regrade: {count:N0} households in {counties} counties, {lowIncomePercent} % with low incomes; load average {loadBefore}");

        // Monitoring's deployment: province 62 watches at 7,000 CNY (see the summary above).
        var policies = Path.Combine(Path.GetTempPath(), $"fanpin-bench-regrade-{Guid.NewGuid():N}");
        Directory.CreateDirectory(policies);
        await File.WriteAllTextAsync(Path.Combine(policies, "62-bench-line-7000.yaml"), """
            # Monitoring's policy of the province-regrade benchmark: the raised line is already in force here.
            base: default
            province: "62"
            version: 1
            effective_from: 2024-01-01
            title: "benchmark: monitoring line 7,000 CNY"
            monitoring:
              monitoring_line_fen: 700_000
              poverty_line_fen: 466_700
            """, cancellationToken);
        Log($"starting the suite (AppHost as a child process), load {LoadAverage()}");
        var suite = await SuiteProcess.StartAsync(new SuiteOptions
        {
            ReadyTimeout = TimeSpan.FromMinutes(6),
            Environment = new Dictionary<string, string> { ["Monitoring__PolicyDirectory"] = policies },
        });
        Log($"suite ready in {suite.StartTime.TotalSeconds:F1} s");
        try
        {
            return await RunAsync(suite, count, counties, lowIncomePercent, settle, target, loadBefore);
        }
        catch
        {
            Console.WriteLine("services' recent errors and warnings:\n" + suite.Problems(40));
            throw;
        }
        finally
        {
            await StopSuiteAsync(suite);
            Directory.Delete(policies, recursive: true);
        }
    }

    private static uint Hash(int i) => unchecked((uint)i * 2654435761u) ^ ((uint)i >> 7);

    private static async Task<int> RunAsync(SuiteProcess suite, int count, int counties, int lowIncomePercent, TimeSpan settle, TimeSpan target, string loadBefore)
    {
        var setup = Stopwatch.StartNew();
        var villages = await ImportRegionsAsync(suite, counties, townships: 10, villages: 10);
        var households = new List<BenchHousehold>(count);
        var incomes = new long[count];
        for (var i = 0; i < count; i++)
        {
            var h = Hash(i);
            var village = villages[(int)(h % (uint)villages.Count)];
            var labour = ((h >> 8) % 100) switch
            {
                < 55 => Reg.LabourAbility.Full,
                < 90 => Reg.LabourAbility.Partial,
                _ => Reg.LabourAbility.Lost,
            };
            var category = (h >> 16) % 2 == 0 ? Reg.HouseholdCategory.PovertyAlleviated : Reg.HouseholdCategory.Ordinary;
            households.Add(new BenchHousehold(i, village, IdNumberOf(i, village), HeadNameOf(i), labour,
                labour == Reg.LabourAbility.Full ? Reg.HealthCondition.Healthy : Reg.HealthCondition.Chronic, category));
            var low = (long)i * lowIncomePercent / 100 != (long)(i + 1) * lowIncomePercent / 100; // spread evenly
            incomes[i] = low
                ? 300_000 + (long)((ulong)Hash(i + 7_777_777) % 700_001UL)       // 3,000.00–10,000.00 CNY a year
                : 1_000_000 + (long)((ulong)Hash(i + 7_777_777) % 3_000_001UL);  // 10,000.00–40,000.00
        }

        await using var subscriber = await TimedSubscriber.BindAsync(suite.Messaging, "warning.#");
        var registry = Stopwatch.StartNew();
        await ImportHouseholdsAsync(suite, households, "bench-regrade", listIds: false);
        var registryTime = registry.Elapsed;

        // Monitoring must know every person before the feed (an unknown person's row is refused as unmatched).
        await WaitUntilMonitoringKnowsSampleAsync(suite, counties, TimeSpan.FromMinutes(30));
        await WaitForQuietAsync(suite, "Evaluated ", TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(30));
        Log($"monitoring knows the households; {setup.Elapsed.TotalSeconds:F0} s into setup; load {LoadAverage()}");

        var feedClock = Stopwatch.StartNew();
        var rows = households.Select(h => new Mon.FeedRow
        {
            RowNumber = h.Index + 1, IdNumber = h.IdNumber, Item = "wage", Month = Month(-1), AmountFen = incomes[h.Index],
            Reference = string.Create(CultureInfo.InvariantCulture, $"HR-{h.Index:D7}"),
        }).ToList();
        var feed = await ImportFeedAsync(suite.As(DepartmentToken(suite, WageDepartment)).Feeds, "bench-regrade-wages", WageDepartment, rows, TimeSpan.FromMinutes(30));
        rows.Clear();
        Log($"wage feed: {feed.Applied:N0} of {count:N0} rows applied in {feedClock.Elapsed.TotalSeconds:F1} s (unmatched {feed.Unmatched}, invalid {feed.Invalid}); load {LoadAverage()}");
        if (feed.Applied != count)
        {
            throw new InvalidOperationException($"the wage feed applied {feed.Applied} of {count} rows: " +
                string.Join("; ", feed.Rejections.Take(5).Select(r => $"row {r.RowNumber} {r.Outcome} {r.Reason}")));
        }

        // Settled: monitoring evaluated and grading graded everything (no new warning on the exchange, no evaluation).
        var settleClock = Stopwatch.StartNew();
        var seen = -1;
        var quiet = Stopwatch.StartNew();
        while (quiet.Elapsed < settle)
        {
            await Task.Delay(1000);
            var now = subscriber.Count + suite.Lines("Evaluated ").Count;
            if (now != seen)
            {
                seen = now;
                quiet.Restart();
                if (settleClock.Elapsed.TotalSeconds % 30 < 1)
                {
                    Log($"  settling: {subscriber.Count:N0} warning events so far; load {LoadAverage()}");
                }
            }
        }
        var initialEvents = subscriber.Count;
        Log($"setup done in {setup.Elapsed.TotalSeconds:F0} s (registry import {registryTime.TotalSeconds:F0} s); initial grading announced {initialEvents:N0} warnings; load {LoadAverage()}");

        var today = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var document = $"""
            base: default
            province: "62"
            version: 1
            effective_from: {today}
            title: "benchmark: Gansu raises its monitoring line to 7,000 CNY"
            monitoring:
              monitoring_line_fen: 700_000
              poverty_line_fen: 466_700
            """;
        // Grading must know every household before the publish, or the re-grade covers fewer than asked: it learns
        // them from HouseholdRegistered, which can lag far behind the warnings (a first 1,000,000 run re-graded
        // 286,869). The what-if counts the households grading knows.
        var policies = suite.Province.Policies;
        GradingApi.EvaluateDraftPolicyResponse whatIf;
        TimeSpan whatIfTime;
        var known = Stopwatch.StartNew();
        while (true)
        {
            var whatIfClock = Stopwatch.StartNew();
            whatIf = await policies.EvaluateDraftPolicyAsync(new GradingApi.EvaluateDraftPolicyRequest { Document = document }, deadline: DateTime.UtcNow.AddMinutes(10));
            whatIfTime = whatIfClock.Elapsed;
            Log($"what-if: {whatIf.Households:N0} households graded, {whatIf.Changed:N0} would change, in {whatIfTime.TotalSeconds:F2} s");
            if (whatIf.Households >= count)
            {
                break;
            }
            if (known.Elapsed > TimeSpan.FromMinutes(60))
            {
                throw new InvalidOperationException($"grading knows {whatIf.Households:N0} of {count:N0} households after an hour");
            }
            await Task.Delay(TimeSpan.FromSeconds(30));
        }
        var loadAtStart = LoadAverage();

        var before = subscriber.Count;
        var regradedLines = suite.Lines("Re-graded province 62").Count;
        var publishStart = Stopwatch.GetTimestamp();
        var published = await policies.PublishPolicyAsync(new GradingApi.PublishPolicyRequest { Document = document }, deadline: DateTime.UtcNow.AddMinutes(5));
        var publishReturned = Stopwatch.GetElapsedTime(publishStart);
        Log($"published {published.Province} v{published.Version}, re-grade on {published.RegradeOn}");
        TimeSpan? regradeDone = null;
        TimeSpan? allEvents = null;
        var firstEvent = (TimeSpan?)null;
        var lastCount = before;
        var stall = Stopwatch.StartNew();
        while (stall.Elapsed < TimeSpan.FromMinutes(3))
        {
            if (regradeDone is null && suite.Lines("Re-graded province 62").Count > regradedLines)
            {
                regradeDone = Stopwatch.GetElapsedTime(publishStart);
                Log($"  re-grade complete after {regradeDone.Value.TotalSeconds:F2} s: {suite.Lines("Re-graded province 62")[^1].Trim()}");
            }
            var got = subscriber.Count - before;
            if (got > 0 && firstEvent is null)
            {
                firstEvent = Stopwatch.GetElapsedTime(publishStart);
            }
            if (got != lastCount)
            {
                lastCount = got;
                stall.Restart();
            }
            if (got >= whatIf.Changed && regradeDone is not null)
            {
                allEvents = Stopwatch.GetElapsedTime(publishStart);
                break;
            }
            await Task.Delay(100);
        }
        await Task.Delay(TimeSpan.FromSeconds(5)); // anything extra would arrive now
        var events = subscriber.Arrivals.Skip(before).ToList();
        var loadAfter = LoadAverage();
        var byType = events.GroupBy(e => e.Type).Select(g => $"{g.Key.Replace("cn.fanpin.warning.", "", StringComparison.Ordinal)} {g.Count():N0}");
        var distinct = events.Select(e => e.Subject).Distinct().Count();
        var lastArrival = events.Count == 0 ? (TimeSpan?)null : Stopwatch.GetElapsedTime(publishStart, events.Max(e => e.ReceivedTimestamp));

        Console.WriteLine();
        Console.WriteLine("province-regrade results");
        Console.WriteLine($"  load average            {loadBefore} at start, {loadAtStart} before the publish, {loadAfter} after");
        Console.WriteLine($"  setup (not measured)    {setup.Elapsed.TotalSeconds:F0} s: registry import of {count:N0} households {registryTime.TotalSeconds:F0} s " +
            $"({count / registryTime.TotalSeconds:N0}/s), wage feed, evaluation and initial grading ({initialEvents:N0} warnings)");
        Console.WriteLine($"  what-if                 {whatIf.Households:N0} households, {whatIf.Changed:N0} would change, {whatIfTime.TotalSeconds:F2} s");
        Console.WriteLine($"  publish call            {publishReturned.TotalMilliseconds:F0} ms");
        Console.WriteLine($"  re-grade complete       {(regradeDone is { } r ? $"{r.TotalSeconds:F2} s after the publish" : "NOT SEEN")}");
        Console.WriteLine($"  events on fanpin.events {events.Count:N0} ({string.Join(", ", byType)}; {distinct:N0} households); first after {firstEvent?.TotalSeconds:F2} s, " +
            $"last after {lastArrival?.TotalSeconds:F2} s");
        Console.WriteLine($"  all events received     {(allEvents is { } a ? $"{a.TotalSeconds:F2} s after the publish" : "NOT ALL")}");
        var agrees = events.Count == whatIf.Changed && distinct == whatIf.Changed;
        Console.WriteLine($"  count = what-if         {(agrees ? "yes" : "NO")} ({events.Count:N0} events for {distinct:N0} households; what-if {whatIf.Changed:N0})");
        var met = allEvents is { } all && all <= target;
        Console.WriteLine($"  target                  re-grade and its events in ≤ {target.TotalSeconds:F0} s: {(met ? "met" : "MISSED")}");
        return !agrees ? 4 : met ? 0 : 3;
    }

    /// <summary>Monitoring knows a sample of every county's households (the registry's events reach it in order).</summary>
    private static async Task WaitUntilMonitoringKnowsSampleAsync(SuiteProcess suite, int counties, TimeSpan timeout)
    {
        var sample = new List<BenchHousehold>();
        for (var c = 1; c <= counties; c++)
        {
            var county = string.Create(CultureInfo.InvariantCulture, $"6201{c + 20:D2}");
            var page = await suite.Province.Households.ListHouseholdsAsync(new Reg.ListHouseholdsRequest { RegionPrefix = county, PageSize = 50 });
            sample.AddRange(page.Households.Select(h => new BenchHousehold(0, h.RegionCode, "", h.HeadName, Reg.LabourAbility.Full, Reg.HealthCondition.Healthy,
                Reg.HouseholdCategory.Ordinary) { Id = h.Id }));
        }
        await WaitUntilMonitoringKnowsAsync(suite, sample, timeout);
    }
}
