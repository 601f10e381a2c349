using System.Diagnostics;
using System.Globalization;
using FanPin.Grpc;
using Grading = FanPin.Contracts.Grading.V1;

namespace FanPin.AppHost.Hosting;

/// <summary>
/// `--seed demo`: a small synthetic county loaded through the public APIs once every service is healthy, so a
/// newcomer sees warnings appear. The data comes from `fanpin datagen --to grpc` (regions and households to the
/// registry, a year of department feeds to monitoring); the chain registry → monitoring → grading then raises
/// the warnings, and this watches grading's counts until every grade is present.
/// </summary>
public static class DemoSeed
{
    /// <summary>The demo county (永登县, Lanzhou): rural, real townships; villages are synthesised.</summary>
    public const string County = "620121";

    /// <summary>Households in the demo county.</summary>
    public const int Households = 2000;

    /// <summary>Runs the seed and reports the warnings as they appear; false when the seed failed.</summary>
    public static async Task<bool> RunAsync(string cliAssembly, string stateDirectory, string registryUrl, string monitoringUrl, string gradingUrl,
        string token, ConsoleLog log, CancellationToken cancellationToken)
    {
        if (!File.Exists(cliAssembly))
        {
            log.Host($"seed: {cliAssembly} is missing; run `dotnet build FanPinAspire.AppHost` (dotnet run does it)", error: true);
            return false;
        }
        var watch = Stopwatch.StartNew();
        log.Host($"seed: loading the demo county {County} ({Households:N0} households, a year of department feeds) through the public APIs");
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
        {
            cliAssembly, "datagen", "--seed", "2026", "--households", Households.ToString(CultureInfo.InvariantCulture), "--counties", County,
            "--output", Path.Combine(stateDirectory, "demo-seed"), "--to", "grpc",
            "--registry", registryUrl, "--monitoring", monitoringUrl, "--token", token,
        })
        {
            start.ArgumentList.Add(argument);
        }
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) log.Line("seed", e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) log.Line("seed", e.Data, error: true); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        if (process.ExitCode != 0)
        {
            log.Host($"seed: datagen exited with {process.ExitCode} (see its lines above); the warnings below may be incomplete", error: true);
        }

        // Warnings follow asynchronously: registry events → monitoring evaluates the feeds (once each household, when
        // datagen ends its back-fill) → grading grades.
        using var channel = GrpcChannel.ForAddress(new Uri(gradingUrl), new GrpcChannelOptions().WithBearerToken(token));
        var client = new Grading.WarningService.WarningServiceClient(channel);
        var last = (One: -1L, Two: -1L, Three: -1L);
        while (watch.Elapsed < TimeSpan.FromMinutes(5))
        {
            try
            {
                var counts = await client.GetGradeCountsAsync(new Grading.GetGradeCountsRequest { RegionPrefix = County }, cancellationToken: cancellationToken).ResponseAsync;
                var now = (counts.GradeOne, counts.GradeTwo, counts.GradeThree);
                if (now != last)
                {
                    log.Host($"demo: warnings in {County}: grade I {now.GradeOne}, grade II {now.GradeTwo}, grade III {now.GradeThree} ({watch.Elapsed.TotalSeconds:0} s)");
                    last = now;
                }
                if (now.GradeOne > 0 && now.GradeTwo > 0 && now.GradeThree > 0)
                {
                    log.Host($"demo: warnings of every grade are in, {watch.Elapsed.TotalSeconds:0} s after seeding started");
                    return process.ExitCode == 0;
                }
            }
            catch (RpcException ex)
            {
                log.Host($"demo: grading answered {ex.StatusCode}: {ex.Status.Detail}", error: true);
            }
            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        }
        log.Host($"demo: not every grade appeared within 5 minutes (grade I {last.One}, II {last.Two}, III {last.Three})", error: true);
        return false;
    }
}
