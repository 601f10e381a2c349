using FanPin.LocalInfrastructure;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.Extensions.Logging;

namespace FanPin.Cli;

/// <summary>The <c>fanpin</c> command: development tokens and local infrastructure.</summary>
public static class CliApp
{
    public const string Usage = """
        usage: fanpin <command> [options]

        commands:
          token --role ROLE --region PREFIX [--dept DEPT] [--sub ID] [--name NAME] [--hours H]
                Prints a signed token. ROLE: village, township, county, department, province, downstream.
                PREFIX: the region scope (2, 4, 6, 9 or 12 digits, matching the role's level).
                The key is Auth__SigningKey from the environment, else the development key.
          infra up [--state DIR] [--fresh] [--env-file FILE]
                Starts private PostgreSQL, RabbitMQ and Redis, prints their connection strings
                (and writes them as KEY=VALUE lines to FILE), and stops them on Ctrl-C or SIGTERM.
          messages errors --queue QUEUE [--uri AMQP-URI] [--max N]
                Lists the messages in QUEUE's error queue (QUEUE_error) with their exceptions, leaving them there.
          messages replay --queue QUEUE [--uri AMQP-URI] [--max N]
                Moves the messages of QUEUE_error back to QUEUE (after the cause is fixed); each is removed from
                the error queue only once the broker confirmed the copy. A message that fails again returns to
                the error queue. AMQP-URI defaults to ConnectionStrings__messaging from the environment.
        """ + "\n" + FeedImportCommand.Usage + "\n" + DatagenCommand.Usage;

    public static async Task<int> RunAsync(string[] args)
    {
        try
        {
            if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
            {
                Console.WriteLine(Usage);
                return args.Length == 0 ? 2 : 0;
            }
            return args[0] switch
            {
                "token" => Token(new Arguments(args.Skip(1))),
                "infra" when args.Length > 1 && args[1] == "up" => await InfraUpAsync(new Arguments(args.Skip(2))),
                "feed" when args.Length > 1 && args[1] == "import" => await FeedImportAsync(new Arguments(args.Skip(2))),
                "datagen" => await DatagenCommand.RunAsync(new Arguments(args.Skip(1))),
                "regions" when args.Length > 1 && args[1] == "import" => await DatagenCommand.RegionsImportAsync(new Arguments(args.Skip(2))),
                "households" when args.Length > 1 && args[1] == "import" => await DatagenCommand.HouseholdsImportAsync(new Arguments(args.Skip(2))),
                "feeds" when args.Length > 1 && args[1] == "import" => await DatagenCommand.FeedsImportAsync(new Arguments(args.Skip(2))),
                "messages" when args.Length > 1 && args[1] == "errors" => await MessagesCommands.ErrorsAsync(new Arguments(args.Skip(2))),
                "messages" when args.Length > 1 && args[1] == "replay" => await MessagesCommands.ReplayAsync(new Arguments(args.Skip(2))),
                _ => throw new UsageException($"unknown command '{string.Join(' ', args.Take(2))}'"),
            };
        }
        catch (UsageException ex)
        {
            await Console.Error.WriteLineAsync($"fanpin: {ex.Message}\n\n{Usage}");
            return 2;
        }
        catch (Exception ex) when (ex is MissingPrerequisiteException or LocalServerFailedException or InvalidOperationException
            or RabbitMQ.Client.Exceptions.OperationInterruptedException or RabbitMQ.Client.Exceptions.BrokerUnreachableException
            or FanPin.Grpc.RpcException or FormatException or IOException or HttpRequestException)
        {
            await Console.Error.WriteLineAsync($"fanpin: {ex.Message}");
            return 1;
        }
    }

    private static int Token(Arguments a)
    {
        CheckKnown(a, "role", "region", "dept", "sub", "name", "hours");
        var roleText = a.Require("role");
        if (!Enum.TryParse<CallerRole>(roleText, ignoreCase: true, out var role) || int.TryParse(roleText, out _))
        {
            throw new UsageException($"--role '{roleText}' is not one of village, township, county, department, province, downstream");
        }
        if (!RegionPrefix.TryParse(a.Require("region"), out var region, out var regionError))
        {
            throw new UsageException($"--region {regionError}");
        }
        var hours = double.TryParse(a.Get("hours") ?? "12", System.Globalization.CultureInfo.InvariantCulture, out var h) && h > 0
            ? h
            : throw new UsageException("--hours must be a positive number");
        var caller = new Caller(a.Get("sub") ?? $"dev-{role.ToString().ToLowerInvariant()}-{region}", role, region, a.Get("dept"), a.Get("name"));
        // Check the same rules the services apply, so a token that would be refused is never printed.
        var options = new FanPinAuthOptions { SigningKey = Environment.GetEnvironmentVariable("Auth__SigningKey") ?? FanPinAuthOptions.DevelopmentSigningKey };
        var issuer = new TokenIssuer(options);
        var token = issuer.Issue(caller, TimeSpan.FromHours(hours));
        var (_, error) = issuer.ValidateAsync(token).GetAwaiter().GetResult();
        if (error is not null)
        {
            throw new UsageException(error);
        }
        Console.WriteLine(token);
        return 0;
    }

    private static async Task<int> InfraUpAsync(Arguments a)
    {
        CheckKnown(a, "state", "fresh", "env-file");
        using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        using var term = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        await using var infrastructure = await LocalInfrastructure.LocalInfrastructure.StartAsync(
            new LocalInfrastructureOptions { StateDirectory = a.Get("state") ?? ".fanpin", Fresh = a.Has("fresh") }, loggerFactory, stop.Token);
        var lines = infrastructure.EnvironmentVariables.Select(kv => $"{kv.Key}={kv.Value}").ToList();
        if (infrastructure.RabbitMq is { } rabbit)
        {
            lines.Add($"FANPIN_RABBITMQ_MANAGEMENT={rabbit.ManagementUri}");
        }
        if (a.Get("env-file") is { } envFile)
        {
            await File.WriteAllLinesAsync(envFile, lines);
        }
        lines.ForEach(Console.WriteLine);
        Console.WriteLine("Ready. Ctrl-C stops the servers.");
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(500, stop.Token);
                infrastructure.EnsureRunning();
            }
        }
        catch (OperationCanceledException)
        {
        }
        Console.WriteLine("Stopping...");
        return 0;
    }

    private static async Task<int> FeedImportAsync(Arguments a)
    {
        CheckKnown(a, "department", "month", "file", "region", "feed-id", "address", "token", "rejections", "show");
        try
        {
            return await FeedImportCommand.RunAsync(a);
        }
        catch (FanPin.Grpc.RpcException ex)
        {
            await Console.Error.WriteLineAsync($"fanpin: feed import failed: {ex.StatusCode}: {ex.Status.Detail}");
            return 1;
        }
        catch (Exception ex) when (ex is FormatException or IOException or HttpRequestException)
        {
            await Console.Error.WriteLineAsync($"fanpin: feed import failed: {ex.Message}");
            return 1;
        }
    }

    /// <summary>Like <see cref="CheckKnown"/>, with one positional FILE allowed.</summary>
    internal static void CheckKnownWithFile(Arguments a, params string[] known)
    {
        if (a.Names.FirstOrDefault(n => !known.Contains(n)) is { } unknown)
        {
            throw new UsageException($"unknown option --{unknown}");
        }
        if (a.Positional.Count > 1)
        {
            throw new UsageException($"unexpected argument '{a.Positional[1]}'");
        }
    }

    internal static void CheckKnown(Arguments a, params string[] known)
    {
        if (a.Names.FirstOrDefault(n => !known.Contains(n)) is { } unknown)
        {
            throw new UsageException($"unknown option --{unknown}");
        }
        if (a.Positional.Count > 0)
        {
            throw new UsageException($"unexpected argument '{a.Positional[0]}'");
        }
    }
}
