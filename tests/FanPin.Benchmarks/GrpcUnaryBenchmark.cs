using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using FanPin.Contracts.Testing.V1;
using FanPin.Grpc;
using FanPin.Grpc.Interop;
using Microsoft.Extensions.Logging;

namespace FanPin.Benchmarks;

/// <summary>
/// Unary throughput and latency: the C# client calling the C# server (the full server pipeline: JWT
/// authentication, logging, metrics and exception interceptors), and as the reference the grpc-js client
/// calling a grpc-js server, each pair on this machine over loopback. Options: --seconds (10),
/// --warmup (3), --concurrency (64), --no-js.
/// </summary>
public sealed class GrpcUnaryBenchmark : IBenchmark
{
    public string Name => "grpc";

    public string Description => "unary calls/s, p50 and p99: C# client -> C# server vs grpc-js client -> grpc-js server";

    public async Task<int> RunAsync(BenchmarkArguments arguments, CancellationToken cancellationToken)
    {
        var seconds = arguments.GetInt("seconds", 10);
        var warmup = arguments.GetInt("warmup", 3);
        var concurrency = arguments.GetInt("concurrency", 64);
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd}");
        Console.WriteLine($"unary calls, {concurrency} concurrent callers, {seconds} s measured after {warmup} s warm-up, loopback");
        // Other work on the machine skews every figure: say how busy it was.
        Console.WriteLine($"load average before: {LoadAverage()}");

        var csharp = await RunCsharpAsync(concurrency, warmup, seconds, cancellationToken);
        Print(csharp);
        BenchmarkResult? js = null;
        if (!arguments.Has("no-js"))
        {
            js = await RunGrpcJsAsync(concurrency, warmup, seconds, cancellationToken);
            Print(js);
        }

        Console.WriteLine();
        Console.WriteLine("| pair | calls/s | p50 (ms) | p99 (ms) |");
        Console.WriteLine("| --- | ---: | ---: | ---: |");
        foreach (var result in new[] { csharp, js }.OfType<BenchmarkResult>())
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {result.Pair} | {result.CallsPerSecond:N0} | {result.P50Ms:0.00} | {result.P99Ms:0.00} |"));
        }
        if (js is not null)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio C#/grpc-js: {csharp.CallsPerSecond / js.CallsPerSecond:0.0}x calls/s"));
        }
        Console.WriteLine($"load average after: {LoadAverage()}");
        var met = csharp.CallsPerSecond >= 40_000 && csharp.P99Ms <= 5 && (js is null || csharp.CallsPerSecond >= 5 * js.CallsPerSecond);
        Console.WriteLine($"targets (>= 40,000 calls/s, p99 <= 5 ms, >= 5x grpc-js): {(met ? "met" : "NOT met")}");
        return 0;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static void Print(BenchmarkResult r) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r.Pair}: {r.Calls:N0} calls, {r.CallsPerSecond:N0} calls/s, p50 {r.P50Ms:0.00} ms, p99 {r.P99Ms:0.00} ms"));

    private static async Task<BenchmarkResult> RunCsharpAsync(int concurrency, int warmup, int seconds, CancellationToken cancellationToken)
    {
        await using var server = await EchoServer.StartAsync(minimumLevel: LogLevel.Warning);
        using var channel = GrpcChannel.ForAddress(server.Address, new GrpcChannelOptions().WithBearerToken(EchoServer.IssueToken("benchmark")));
        var client = new EchoService.EchoServiceClient(channel);
        var request = new UnaryRequest { Message = "ping" };
        await DriveAsync(client, request, concurrency, TimeSpan.FromSeconds(warmup), null, cancellationToken);
        var recorder = new LatencyRecorder(concurrency);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var allocated = GC.GetTotalAllocatedBytes();
        var elapsed = await DriveAsync(client, request, concurrency, TimeSpan.FromSeconds(seconds), recorder, cancellationToken);
        var result = recorder.Summarize("C# client -> C# server", elapsed);
        // CPU per call (client and server together) says how efficient the pair is even on a busy machine.
        var cpuPerCall = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / Math.Max(1, result.Calls);
        var bytesPerCall = (GC.GetTotalAllocatedBytes() - allocated) / Math.Max(1, result.Calls);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"C# pair: {cpuPerCall:0.0} µs CPU and {bytesPerCall:N0} bytes allocated per call (client + server, one process)"));
        return result;
    }

    private static async Task<TimeSpan> DriveAsync(
        EchoService.EchoServiceClient client, UnaryRequest request, int concurrency, TimeSpan duration, LatencyRecorder? recorder, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var end = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var callers = Enumerable.Range(0, concurrency).Select(caller => Task.Run(async () =>
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var t0 = Stopwatch.GetTimestamp();
                if (t0 >= end)
                {
                    return;
                }
                await client.UnaryAsync(request);
                recorder?.Record(caller, Stopwatch.GetTimestamp() - t0);
            }
        }, cancellationToken));
        await Task.WhenAll(callers);
        return Stopwatch.GetElapsedTime(started);
    }

    /// <summary>Runs tests/interop/js/bench.js: a grpc-js server process and a grpc-js client process.</summary>
    private static async Task<BenchmarkResult> RunGrpcJsAsync(int concurrency, int warmup, int seconds, CancellationToken cancellationToken)
    {
        var interop = Path.Combine(RepositoryRoot(), "tests", "interop");
        if (!Directory.Exists(Path.Combine(interop, "node_modules", "@grpc", "grpc-js")))
        {
            await RunToEndAsync(new ProcessStartInfo("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"]) { WorkingDirectory = interop }, cancellationToken);
        }
        var script = Path.Combine(interop, "js", "bench.js");
        using var server = Process.Start(new ProcessStartInfo("node", [script, "server"]) { RedirectStandardOutput = true })!;
        try
        {
            string? address = null;
            while (await server.StandardOutput.ReadLineAsync(cancellationToken) is { } line && line != "ready")
            {
                address = line.StartsWith("address ", StringComparison.Ordinal) ? line[8..] : address;
            }
            var output = await RunToEndAsync(new ProcessStartInfo("node",
            [
                script, "client", "--address", address ?? throw new InvalidOperationException("the grpc-js server printed no address"),
                "--concurrency", concurrency.ToString(CultureInfo.InvariantCulture),
                "--warmup", warmup.ToString(CultureInfo.InvariantCulture),
                "--seconds", seconds.ToString(CultureInfo.InvariantCulture),
            ]), cancellationToken);
            var json = JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement;
            return new BenchmarkResult(
                "grpc-js client -> grpc-js server",
                json.GetProperty("calls").GetInt64(),
                json.GetProperty("callsPerSecond").GetDouble(),
                json.GetProperty("p50Ms").GetDouble(),
                json.GetProperty("p99Ms").GetDouble());
        }
        finally
        {
            server.Kill();
            await server.WaitForExitAsync(CancellationToken.None);
        }
    }

    private static async Task<string> RunToEndAsync(ProcessStartInfo start, CancellationToken cancellationToken)
    {
        start.RedirectStandardOutput = true;
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"{start.FileName} {string.Join(' ', start.ArgumentList)} failed with exit code {process.ExitCode}");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "FanPinAspire.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Run from inside the repository (FanPinAspire.sln not found).");
    }
}
