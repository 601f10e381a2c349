namespace FanPin.Benchmarks;

/// <summary>
/// One benchmark, run as a sub-command. To add one (messaging, registry import, ...): implement this in a
/// new file and add an instance to <see cref="Benchmarks.All"/>.
/// </summary>
public interface IBenchmark
{
    /// <summary>The sub-command, e.g. <c>grpc</c>.</summary>
    string Name { get; }

    /// <summary>One line for <c>list</c>.</summary>
    string Description { get; }

    /// <summary>Runs with the remaining command-line arguments; returns the exit code.</summary>
    Task<int> RunAsync(BenchmarkArguments arguments, CancellationToken cancellationToken);
}

/// <summary>The registered benchmarks.</summary>
public static class Benchmarks
{
    public static IReadOnlyList<IBenchmark> All { get; } =
    [
        new GrpcUnaryBenchmark(),
        new StaticBenchmark("registry", "Registry: import 100,000 households with members; county ledger latency", Registry.RegistryBenchmark.RunAsync),
        new StaticBenchmark("monitoring", "Monitoring: import a 1,000,000-row department feed (COPY + set-based merge)", Monitoring.MonitoringBenchmark.RunAsync),
        new StaticBenchmark("messaging", "Messaging: 100,000 events committed → consumed; latency at a steady 1,000 events/s", Messaging.MessagingBenchmark.RunAsync),
        new StaticBenchmark("grading", "Grading: re-grade 100,000 households after a policy change (and its what-if)", Grading.GradingBenchmark.RunAsync),
        new Datagen.DatagenBenchmark(),
        new Province.ProvinceBenchmark(),
        new Province.LatencyBenchmark(),
        new Province.RegradeBenchmark(),
    ];
}

/// <summary>A benchmark written as a static <c>RunAsync(string[] args)</c> method.</summary>
public sealed class StaticBenchmark(string name, string description, Func<string[], Task<int>> run) : IBenchmark
{
    public string Name { get; } = name;

    public string Description { get; } = description;

    public Task<int> RunAsync(BenchmarkArguments arguments, CancellationToken cancellationToken) => run(arguments.All.ToArray());
}

/// <summary><c>--name value</c> options.</summary>
public sealed class BenchmarkArguments(IReadOnlyList<string> args)
{
    /// <summary>The arguments as given.</summary>
    public IReadOnlyList<string> All => args;

    public string? Get(string name)
    {
        var i = args.ToList().IndexOf("--" + name);
        return i >= 0 && i + 1 < args.Count ? args[i + 1] : null;
    }

    public int GetInt(string name, int fallback) =>
        int.TryParse(Get(name), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : fallback;

    public bool Has(string name) => args.Contains("--" + name);
}
