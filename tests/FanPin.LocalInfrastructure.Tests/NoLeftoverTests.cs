using System.Diagnostics;

namespace FanPin.LocalInfrastructure.Tests;

/// <summary>
/// The owner of the servers is a real separate process (the fanpin CLI's `infra up`), stopped the two ways
/// that matter: Ctrl-C (SIGINT) and SIGKILL. Either way no server, guardian or epmd process is left.
/// </summary>
public class NoLeftoverTests
{
    [Theory]
    [InlineData("SIGINT")]
    [InlineData("SIGKILL")]
    public async Task No_server_process_outlives_its_owner(string signal)
    {
        var state = Path.Combine(Path.GetTempPath(), $"fanpin-owner-{signal}-{Guid.NewGuid():N}");
        var envFile = state + ".env";
        using var owner = StartCli($"infra up --state {state} --env-file {envFile}");
        try
        {
            await WaitForFileAsync(envFile, owner, TimeSpan.FromSeconds(120));
            var lines = await File.ReadAllLinesAsync(envFile);
            Assert.Contains(lines, l => l.StartsWith("ConnectionStrings__postgres=", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith("ConnectionStrings__messaging=amqp://", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith("ConnectionStrings__cache=", StringComparison.Ordinal));

            var owned = ProcessTable.OwnedBy(state);
            Assert.Contains(owned, e => e.CommandLine.Contains("postgres -D", StringComparison.Ordinal));
            Assert.Contains(owned, e => e.CommandLine.Contains("redis-server", StringComparison.Ordinal));
            Assert.Contains(owned, e => e.CommandLine.Contains("beam.smp", StringComparison.Ordinal));
            Assert.Contains(owned, e => e.CommandLine.StartsWith("epmd", StringComparison.Ordinal));

            _ = LocalServer.Native.kill(owner.Id, signal == "SIGINT" ? 2 : 9);
            await owner.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));

            var left = await ProcessTable.WaitUntilGoneAsync(owned, TimeSpan.FromSeconds(60));
            Assert.True(left.Count == 0, "left behind: " + string.Join("; ", left.Select(e => $"{e.Pid} {e.CommandLine}")));
            Assert.Empty(ProcessTable.OwnedBy(state));
            Directory.Delete(state, recursive: true);
            File.Delete(envFile);
        }
        finally
        {
            if (!owner.HasExited)
            {
                owner.Kill(entireProcessTree: true);
            }
        }
    }

    internal static Process StartCli(string arguments)
    {
        var start = new ProcessStartInfo("dotnet", $"{CliPath()} {arguments}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static string CliPath()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "FanPinAspire.sln")))
        {
            dir = dir.Parent;
        }
        var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("repository root not found"), "src", "FanPin.Cli", "bin", configuration, "net10.0", "fanpin.dll");
    }

    private static async Task WaitForFileAsync(string path, Process owner, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (!File.Exists(path) || new FileInfo(path).Length == 0)
        {
            Assert.False(owner.HasExited, $"the owner exited with status {(owner.HasExited ? owner.ExitCode : 0)} before the servers were ready");
            Assert.True(watch.Elapsed < timeout, "servers not ready in time");
            await Task.Delay(200);
        }
    }
}
