using System.Diagnostics;

namespace FanPin.Grpc.Tests;

/// <summary>
/// Runs tests/interop/run.sh (grpc-js and grpc-python clients against the C# server, the C# client
/// against a grpc-js server), so `dotnet test` — and CI — run the interop suite.
/// </summary>
public class InteropSuiteTests
{
    [Fact]
    public async Task Independent_grpc_stacks_interoperate_with_FanPin_Grpc()
    {
        var root = BindingTests.RepositoryRoot();
        var start = new ProcessStartInfo("bash", [Path.Combine(root, "tests", "interop", "run.sh")])
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // This project references the interop console, so it is built in the same configuration.
        start.Environment["FANPIN_INTEROP_NO_BUILD"] = "1";
        start.Environment["FANPIN_INTEROP_CONFIGURATION"] = Configuration;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        var log = await output + await errors;
        Assert.True(process.ExitCode == 0, $"tests/interop/run.sh failed (exit {process.ExitCode}):\n{log}");
        Assert.Contains("grpcjs-client->csharp-server", log, StringComparison.Ordinal);
        Assert.Contains("grpcpython-client->csharp-server", log, StringComparison.Ordinal);
        Assert.Contains("csharp-client->grpcjs-server", log, StringComparison.Ordinal);
        Assert.DoesNotContain("FAIL ", log, StringComparison.Ordinal);
    }

#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif
}
