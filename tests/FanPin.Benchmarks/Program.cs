using FanPin.Benchmarks;

// usage: dotnet run -c Release --project tests/FanPin.Benchmarks -- <benchmark> [options] | list
var name = args.FirstOrDefault();
var benchmark = Benchmarks.All.FirstOrDefault(b => b.Name == name);
if (benchmark is null)
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project tests/FanPin.Benchmarks -- <benchmark> [options]\n\nbenchmarks:");
    foreach (var b in Benchmarks.All)
    {
        Console.Error.WriteLine($"  {b.Name,-12} {b.Description}");
    }
    return name is null or "list" ? 0 : 2;
}
using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cts.Cancel();
};
return await benchmark.RunAsync(new BenchmarkArguments(args.Skip(1).ToList()), cts.Token);
