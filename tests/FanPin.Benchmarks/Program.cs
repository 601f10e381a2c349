using FanPin.Benchmarks.Messaging;

// Suites: messaging. Other suites are added by their owners (one line each).
return args.FirstOrDefault() switch
{
    "messaging" => await MessagingBenchmark.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project tests/FanPin.Benchmarks -- messaging [options]");
    return 2;
}
