using System.Diagnostics;
using System.Text.Json;
using Xunit.Abstractions;

namespace FanPinAspire.AppHost.Tests;

/// <summary>
/// The AppHost as a developer runs it: a child process that starts the infrastructure and every service,
/// prints endpoints and a token, serves RPCs, and leaves nothing behind after Ctrl-C.
/// </summary>
public class RunTests(ITestOutputHelper log)
{
    [Fact]
    public async Task Every_resource_becomes_healthy_serves_and_Ctrl_C_leaves_no_process()
    {
        var state = Path.Combine(Path.GetTempPath(), $"fanpin-apphost-{Guid.NewGuid():N}");
        var output = new List<string>();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { AppHostAssembly(), "--state", state, "--status-port", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }
        using var apphost = new Process { StartInfo = start };
        apphost.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }
            lock (output)
            {
                output.Add(e.Data);
            }
            if (e.Data.StartsWith("Ready.", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        };
        apphost.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.Add(e.Data); } } };
        var watch = Stopwatch.StartNew();
        apphost.Start();
        apphost.BeginOutputReadLine();
        apphost.BeginErrorReadLine();
        try
        {
            var finished = await Task.WhenAny(ready.Task, apphost.WaitForExitAsync(), Task.Delay(TimeSpan.FromMinutes(3)));
            Assert.True(ready.Task.IsCompleted, "the AppHost did not get ready:\n" + Joined(output));
            var toHealthy = watch.Elapsed;

            var token = Line(output, "TOKEN=")[6..];
            Assert.NotEmpty(token);
            var statusUrl = Line(output, "Status page: ")["Status page: ".Length..];
            using var http = new HttpClient();
            var status = JsonDocument.Parse(await http.GetStringAsync(statusUrl + "status")).RootElement.EnumerateArray().ToList();
            var names = status.Select(r => r.GetProperty("name").GetString()).ToList();
            Assert.Contains("postgres", names);
            Assert.Contains("messaging", names);
            Assert.Contains("cache", names);
            foreach (var service in FanPin.AppHost.Composition.Model.Services)
            {
                var row = status.Single(r => r.GetProperty("name").GetString() == service.Name);
                Assert.Equal("Running", row.GetProperty("state").GetString());
                Assert.Equal("Healthy", row.GetProperty("health").GetString());
            }
            foreach (var answer in await ServiceCalls.CallEachServiceAsync(status, token))
            {
                log.WriteLine(answer);
            }

            // A crashed service is restarted with backoff, says so, and serves again on the same endpoint.
            var victim = status.Single(r => r.GetProperty("name").GetString() == "grading");
            var victimPid = victim.GetProperty("processId").GetInt32();
            _ = FanPin.LocalInfrastructure.LocalServer.Native.kill(victimPid, 9);
            var restarted = await WaitForAsync(async () =>
            {
                var rows = JsonDocument.Parse(await http.GetStringAsync(statusUrl + "status")).RootElement.EnumerateArray().ToList();
                var row = rows.Single(r => r.GetProperty("name").GetString() == "grading");
                return row.GetProperty("restarts").GetInt32() == 1 && row.GetProperty("health").GetString() == "Healthy"
                    && row.GetProperty("processId").GetInt32() != victimPid ? rows : (List<JsonElement>?)null;
            }, TimeSpan.FromMinutes(1));
            Assert.True(restarted is not null, "grading was not restarted and healthy within a minute of SIGKILL:\n" + Joined(output));
            Assert.NotNull(restarted);
            Assert.Contains(Snapshot(output), l => l.Contains("grading exited with status", StringComparison.Ordinal) && l.Contains("restart 1 in", StringComparison.Ordinal));
            status = restarted;
            Assert.Contains("grading: ", (await ServiceCalls.CallEachServiceAsync(status, token)).Single(a => a.StartsWith("grading: ", StringComparison.Ordinal)));

            var pids = status.Select(r => r.GetProperty("processId")).Where(p => p.ValueKind == JsonValueKind.Number).Select(p => p.GetInt32()).Append(victimPid).ToList();
            Assert.NotEmpty(pids);

            _ = FanPin.LocalInfrastructure.LocalServer.Native.kill(apphost.Id, 2); // Ctrl-C
            await apphost.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
            Assert.Equal(0, apphost.ExitCode);

            var left = pids.Where(pid => File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal)).ToList();
            Assert.True(left.Count == 0, $"processes left after Ctrl-C: {string.Join(", ", left)}");
            Assert.DoesNotContain(Directory.EnumerateDirectories("/proc").Select(d => Path.Combine(d, "cmdline")),
                f => { try { return File.ReadAllText(f).Contains(state, StringComparison.Ordinal); } catch (IOException) { return false; } });
            log.WriteLine($"AppHost: all resources healthy {toHealthy.TotalSeconds:0.0} s after start (docs/benchmarks.md)");
        }
        finally
        {
            if (!apphost.HasExited)
            {
                apphost.Kill(entireProcessTree: true);
            }
            if (Directory.Exists(state))
            {
                Directory.Delete(state, recursive: true);
            }
        }
    }

    [Fact]
    public async Task Seed_demo_loads_a_county_through_the_public_APIs_and_warnings_of_every_grade_appear()
    {
        var state = Path.Combine(Path.GetTempPath(), $"fanpin-apphost-{Guid.NewGuid():N}");
        var output = new List<string>();
        var seeded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var argument in new[] { AppHostAssembly(), "--state", state, "--status-port", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture), "--seed", "demo" })
        {
            start.ArgumentList.Add(argument);
        }
        using var apphost = new Process { StartInfo = start };
        void Collect(string? line, bool seedLine)
        {
            if (line is null)
            {
                return;
            }
            lock (output)
            {
                output.Add(line);
            }
            if (seedLine && line.Contains("demo: ", StringComparison.Ordinal) && (line.Contains("every grade are in", StringComparison.Ordinal) || line.Contains("not every grade", StringComparison.Ordinal)))
            {
                seeded.TrySetResult();
            }
        }
        apphost.OutputDataReceived += (_, e) => Collect(e.Data, seedLine: true);
        apphost.ErrorDataReceived += (_, e) => Collect(e.Data, seedLine: true);
        apphost.Start();
        apphost.BeginOutputReadLine();
        apphost.BeginErrorReadLine();
        try
        {
            await Task.WhenAny(seeded.Task, apphost.WaitForExitAsync(), Task.Delay(TimeSpan.FromMinutes(8)));
            var lines = Snapshot(output);
            Assert.True(seeded.Task.IsCompleted, "the demo seed did not finish:\n" + Joined(output));
            Assert.Contains(lines, l => l.Contains("households: 2,000 received", StringComparison.Ordinal) && l.Contains("2,000 accepted", StringComparison.Ordinal));
            Assert.DoesNotContain(lines, l => l.Contains("datagen exited with", StringComparison.Ordinal));
            var verdict = lines.Last(l => l.Contains("demo: ", StringComparison.Ordinal) && l.Contains("grade", StringComparison.Ordinal) && !l.Contains("grade I ", StringComparison.Ordinal));
            Assert.Contains("warnings of every grade are in", verdict, StringComparison.Ordinal);
            log.WriteLine(string.Join('\n', lines.Where(l => l.Contains("demo: ", StringComparison.Ordinal))));

            _ = FanPin.LocalInfrastructure.LocalServer.Native.kill(apphost.Id, 2); // Ctrl-C
            await apphost.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
            Assert.Equal(0, apphost.ExitCode);
        }
        finally
        {
            if (!apphost.HasExited)
            {
                apphost.Kill(entireProcessTree: true);
            }
            if (Directory.Exists(state))
            {
                Directory.Delete(state, recursive: true);
            }
        }
    }

    private static async Task<T?> WaitForAsync<T>(Func<Task<T?>> probe, TimeSpan timeout) where T : class
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            try
            {
                if (await probe() is { } result)
                {
                    return result;
                }
            }
            catch (HttpRequestException)
            {
                // the status page answers again in a moment
            }
            await Task.Delay(500);
        }
        return null;
    }

    private static List<string> Snapshot(List<string> output)
    {
        lock (output)
        {
            return [.. output];
        }
    }

    private static string Line(List<string> output, string prefix)
    {
        lock (output)
        {
            return output.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal)) ?? throw new InvalidOperationException($"no '{prefix}' line:\n{Joined(output)}");
        }
    }

    private static string Joined(List<string> output)
    {
        lock (output)
        {
            return string.Join('\n', output.TakeLast(60));
        }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string AppHostAssembly() => Path.Combine(AppContext.BaseDirectory, "FanPinAspire.AppHost.dll");
}
