using System.Diagnostics;
using System.Globalization;
using FanPin.IntegrationEvents;
using FanPin.LocalInfrastructure;
using FanPin.Testing.Suite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace FanPin.Benchmarks.Messaging;

/// <summary>
/// Events committed through the outbox → relay → RabbitMQ → idempotent consumer (inbox + side effect), on private
/// PostgreSQL and RabbitMQ servers started for the run. Two measurements:
/// 1. throughput: N events (default 100,000) committed by 4 writers in transactions of 100, as fast as possible;
///    events/s from the first commit to the last consumer commit;
/// 2. latency: a steady rate (default 1,000 events/s for 30 s), one event per transaction; p50/p99 from the
///    writer's commit returning to the consumer's commit returning.
/// The consumer is the idempotent batch consumer (one transaction per batch of up to 100) or, with
/// <c>--consumer single</c>, the per-message idempotent consumer (one transaction per event).
/// </summary>
public static class MessagingBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var options = Options.Parse(args);
        var state = Path.Combine(Path.GetTempPath(), $"fanpin-bench-{Environment.ProcessId}");
        using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
        Console.WriteLine($"messaging benchmark: {options}; {Environment.ProcessorCount} cores; PostgreSQL {(options.Durable ? "durable (fsync on)" : "non-durable")}; load average {LoadAverage()}");
        await using var infrastructure = await LocalInfrastructure.LocalInfrastructure.StartAsync(new LocalInfrastructureOptions
        {
            StateDirectory = state,
            Fresh = true,
            Durable = options.Durable,
            Servers = new HashSet<string> { LocalInfrastructureOptions.Postgres, LocalInfrastructureOptions.Messaging },
        }, loggerFactory);
        try
        {
            var database = await CreateDatabaseAsync(infrastructure.ConnectionStrings[LocalInfrastructureOptions.Postgres]);
            var recorder = new LatencyRecorder();
            using var host = BuildHost(database, infrastructure.ConnectionStrings[LocalInfrastructureOptions.Messaging], recorder, options.Batch);
            await host.StartAsync();
            await WaitForBusAsync(host);

            // A service runs for days: measure it warm. The JIT's tiering (instrumented tier, then tier 1) needs a few
            // tens of thousands of events before the hot paths are final; before that it competes for the same 2 cores.
            Console.WriteLine($"warm-up: {options.Warmup:N0} events");
            await ThroughputAsync(host, recorder, options.Warmup, quiet: true);

            var cpu = CpuMeter.Start(infrastructure);
            var throughput = await ThroughputAsync(host, recorder, options.Events, quiet: false);
            var used = cpu.Stop();
            var latency = await SteadyRateAsync(host, recorder, options.Rate, options.Seconds);
            await host.StopAsync();

            Console.WriteLine();
            Console.WriteLine($"consumer: {(options.Batch ? "IdempotentBatchConsumer (batches of up to 100)" : "IdempotentConsumer (one transaction per event)")}; load average at the end {LoadAverage()}");
            Console.WriteLine("| measurement | figure |");
            Console.WriteLine("| --- | --- |");
            Console.WriteLine($"| {options.Events:N0} events committed (4 writers × 100 per transaction) | {throughput.CommitRate:N0} events/s |");
            Console.WriteLine($"| same, committed → consumed end to end | {throughput.EndToEndRate:N0} events/s ({throughput.Seconds:0.0} s) |");
            Console.WriteLine($"| CPU per event (writers + relay + consumer / PostgreSQL / RabbitMQ) | {used.Format(options.Events)} |");
            Console.WriteLine($"| events/s the CPU per event allows on {Environment.ProcessorCount} free cores | {Environment.ProcessorCount / used.Total.TotalSeconds * options.Events:N0} events/s |");
            Console.WriteLine($"| steady {options.Rate:N0} events/s for {options.Seconds} s, one event per transaction: achieved rate | {latency.AchievedRate:N0} events/s |");
            Console.WriteLine($"| commit → consumed latency p50 / p99 / max | {latency.P50:0.0} ms / {latency.P99:0.0} ms / {latency.Max:0.0} ms ({latency.Count:N0} events) |");
            return 0;
        }
        finally
        {
            await infrastructure.StopAsync();
            TryDelete(state);
        }
    }

    private static async Task<(double CommitRate, double EndToEndRate, double Seconds)> ThroughputAsync(IHost host, LatencyRecorder recorder, int events, bool quiet)
    {
        recorder.Reset();
        const int writers = 4, perTransaction = 100;
        var watch = Stopwatch.StartNew();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, writers).Select(async _ =>
        {
            while (true)
            {
                var start = Interlocked.Add(ref next, perTransaction) - perTransaction + 1;
                if (start >= events)
                {
                    return;
                }
                await using var scope = host.Services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<BenchDbContext>();
                await using var transaction = await db.Database.BeginTransactionAsync();
                var batch = new List<Guid>(perTransaction);
                for (var i = start; i < Math.Min(events, start + perTransaction); i++)
                {
                    var e = Event(i);
                    db.AddIntegrationEvent(e);
                    batch.Add(e.EventId);
                }
                await db.SaveChangesAsync();
                await transaction.CommitAsync();
                batch.ForEach(recorder.Committed);
            }
        }));
        var committed = watch.Elapsed;
        await WaitForAsync(() => recorder.ConsumedCount >= events, TimeSpan.FromMinutes(10), $"{events} consumed");
        var total = watch.Elapsed;
        var result = (events / committed.TotalSeconds, events / total.TotalSeconds, total.TotalSeconds);
        if (!quiet)
        {
            Console.WriteLine($"throughput: {events:N0} committed in {committed.TotalSeconds:0.0} s ({result.Item1:N0}/s), consumed after {total.TotalSeconds:0.0} s ({result.Item2:N0}/s)");
        }
        return result;
    }

    private static async Task<(double AchievedRate, double P50, double P99, double Max, int Count)> SteadyRateAsync(IHost host, LatencyRecorder recorder, int rate, int seconds)
    {
        recorder.Reset();
        var total = rate * seconds;
        const int writers = 64; // enough that commit latency never throttles the schedule
        var interval = Stopwatch.Frequency / (double)rate;
        var start = Stopwatch.GetTimestamp();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, writers).Select(async _ =>
        {
            while (true)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= total)
                {
                    return;
                }
                var due = start + (long)(i * interval);
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                if (wait > TimeSpan.FromMilliseconds(1))
                {
                    await Task.Delay(wait);
                }
                await using var scope = host.Services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<BenchDbContext>();
                var e = Event(1_000_000 + i);
                db.AddIntegrationEvent(e);
                await db.SaveChangesAsync();
                recorder.Committed(e.EventId);
            }
        }));
        var achieved = total / Stopwatch.GetElapsedTime(start).TotalSeconds;
        await WaitForAsync(() => recorder.ConsumedCount >= total, TimeSpan.FromMinutes(5), $"{total} consumed");
        var (p50, p99, max, count) = recorder.Percentiles();
        Console.WriteLine($"steady rate: {total:N0} events at {achieved:N0}/s; latency p50 {p50:0.0} ms, p99 {p99:0.0} ms, max {max:0.0} ms");
        return (achieved, p50, p99, max, count);
    }

    /// <summary>CPU of this process and of the servers' process trees over a measurement.</summary>
    private sealed record CpuMeter(int?[] Servers, TimeSpan[] Before)
    {
        public static CpuMeter Start(LocalInfrastructure.LocalInfrastructure infrastructure)
        {
            int?[] servers = [Environment.ProcessId, infrastructure.Postgres?.ServerProcessId, infrastructure.RabbitMq?.ServerProcessId];
            return new CpuMeter(servers, Read(servers));
        }

        public CpuUsed Stop()
        {
            var after = Read(Servers);
            return new CpuUsed(after[0] - Before[0], after[1] - Before[1], after[2] - Before[2]);
        }

        // This process alone (the servers' guardians may be its children); each server with its children.
        private static TimeSpan[] Read(int?[] pids) =>
            [.. pids.Select((p, i) => i == 0 ? Process.GetCurrentProcess().TotalProcessorTime : p is { } pid ? ProcessTreeCpu.Of(pid) : TimeSpan.Zero)];
    }

    private sealed record CpuUsed(TimeSpan Process, TimeSpan Postgres, TimeSpan RabbitMq)
    {
        public TimeSpan Total => Process + Postgres + RabbitMq;

        public string Format(int events) =>
            $"{Total.TotalMicroseconds / events:0} µs ({Process.TotalMicroseconds / events:0} / {Postgres.TotalMicroseconds / events:0} / {RabbitMq.TotalMicroseconds / events:0})";
    }

    private static HouseholdChanged Event(int i) => new()
    {
        RegionCode = "620102001001",
        HouseholdId = new Guid(i % 10_000, 0, 0, [0, 0, 0, 0, 0, 0, 0, 1]),
        ChangedFields = ["Category"],
        Version = i,
    };

    private static IHost BuildHost(string database, string broker, LatencyRecorder recorder, bool batch)
    {
        // Content root beside the binaries, as a service has it: the default (the current directory, often /tmp, where
        // the benchmark's own servers write) would keep the configuration file watcher busy.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("MassTransit", LogLevel.Error);
        builder.Configuration["ConnectionStrings:messaging"] = broker;
        builder.Services.AddSingleton(recorder);
        builder.Services.AddDbContext<BenchDbContext>(o => o.UseNpgsql(database));
        builder.AddFanPinMessaging<BenchDbContext>("bench", m =>
        {
            if (batch)
            {
                m.AddBatchConsumer<BenchBatchConsumer>(messageLimit: 100, timeLimitMs: 10, concurrency: 2);
            }
            else
            {
                m.AddConsumer<BenchConsumer>();
            }
        });
        return builder.Build();
    }

    private static async Task<string> CreateDatabaseAsync(string admin)
    {
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand("CREATE DATABASE bench", connection);
            await create.ExecuteNonQueryAsync();
        }
        var database = new NpgsqlConnectionStringBuilder(admin) { Database = "bench", MaxPoolSize = 200 }.ConnectionString;
        await using var db = new BenchDbContext(new DbContextOptionsBuilder<BenchDbContext>().UseNpgsql(database).Options);
        await db.Database.MigrateAsync();
        return database;
    }

    private static async Task WaitForBusAsync(IHost host)
    {
        var bus = host.Services.GetRequiredService<MassTransit.IBusControl>();
        await WaitForAsync(() => bus.CheckHealth().Status == MassTransit.BusHealthStatus.Healthy, TimeSpan.FromSeconds(60), "the bus");
    }

    private static async Task WaitForAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > timeout)
            {
                throw new TimeoutException($"gave up waiting for {what}");
            }
            await Task.Delay(5);
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "?";
        }
    }

    private sealed record Options(int Events, int Rate, int Seconds, bool Durable, bool Batch, int Warmup)
    {
        public static Options Parse(string[] args)
        {
            var o = new Options(100_000, 1_000, 30, true, true, 50_000);
            for (var i = 0; i < args.Length; i++)
            {
                int Next() => int.Parse(args[++i], CultureInfo.InvariantCulture);
                o = args[i] switch
                {
                    "--events" => o with { Events = Next() },
                    "--rate" => o with { Rate = Next() },
                    "--seconds" => o with { Seconds = Next() },
                    "--fast" => o with { Durable = false },
                    "--warmup" => o with { Warmup = Next() },
                    "--consumer" => o with { Batch = args[++i] switch { "batch" => true, "single" => false, var c => throw new ArgumentException($"--consumer {c}: batch or single") } },
                    _ => throw new ArgumentException($"unknown option {args[i]}; expected --events N, --rate N, --seconds N, --warmup N, --consumer batch|single, --fast"),
                };
            }
            return o;
        }

        public override string ToString() => $"{Events:N0} events, steady {Rate:N0}/s for {Seconds} s";
    }
}
