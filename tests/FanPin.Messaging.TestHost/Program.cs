using FanPin.IntegrationEvents;
using FanPin.Messaging.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// usage:
//   publish --db CS --broker URI --service NAME --count N --households H --pause-after-batches K
//       commits N HouseholdChanged events (H households, 50 per transaction) while the relay runs; after K relay
//       batches were published the relay stops before marking them ("PAUSED"), and the process waits to be killed.
//   relay --db CS --broker URI --service NAME
//       runs the relay until stdin closes.
var options = Args(args.Skip(1));
var db = options["db"];
var broker = options["broker"];
var service = options["service"];
switch (args.FirstOrDefault())
{
    case "publish":
        return await PublishAsync();
    case "relay":
        using (var host = ScenarioHost.Build(service, db, broker))
        {
            await host.StartAsync();
            Console.WriteLine("RELAYING");
            await Console.In.ReadToEndAsync();
            await host.StopAsync();
        }
        return 0;
    default:
        Console.Error.WriteLine("usage: publish|relay --db CS --broker URI --service NAME [...]");
        return 2;
}

async Task<int> PublishAsync()
{
    var count = int.Parse(options["count"], System.Globalization.CultureInfo.InvariantCulture);
    var households = int.Parse(options["households"], System.Globalization.CultureInfo.InvariantCulture);
    var pauseAfter = int.Parse(options["pause-after-batches"], System.Globalization.CultureInfo.InvariantCulture);
    var batches = 0;
    var paused = 0;
    using var host = ScenarioHost.Build(service, db, broker, m =>
    {
        m.Options.Relay.BatchSize = 100;
        m.Options.Relay.AfterPublishBeforeCommit = async (published, cancellationToken) =>
        {
            if (Interlocked.Increment(ref batches) > pauseAfter)
            {
                if (Interlocked.Exchange(ref paused, 1) == 0)
                {
                    Console.WriteLine($"PAUSED {published.Count}");
                }
                // Published, not yet marked: the window a crash must survive. Wait here until killed.
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
        };
    });
    await host.StartAsync();
    var ids = Enumerable.Range(0, households).Select(i => new Guid(i + 1, 0, 0, new byte[8])).ToArray();
    for (var done = 0; done < count;)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<ScenarioDbContext>();
        await using var transaction = await context.Database.BeginTransactionAsync();
        for (var i = 0; i < 50 && done < count; i++, done++)
        {
            context.AddIntegrationEvent(new HouseholdChanged
            {
                RegionCode = "620102001001",
                HouseholdId = ids[done % households],
                ChangedFields = ["Category"],
                Version = done,
            });
        }
        await context.SaveChangesAsync();
        await transaction.CommitAsync();
    }
    Console.WriteLine($"COMMITTED {count}");
    await Task.Delay(Timeout.Infinite);
    return 0;
}

static Dictionary<string, string> Args(IEnumerable<string> args)
{
    var list = args.ToList();
    var result = new Dictionary<string, string>(StringComparer.Ordinal);
    for (var i = 0; i + 1 < list.Count; i += 2)
    {
        result[list[i].TrimStart('-')] = list[i + 1];
    }
    return result;
}
