using FanPin.Messaging.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FanPin.Messaging.TestHost;

/// <summary>Builds a host the way a service's Program.cs would, with test-friendly short delays.</summary>
public static class ScenarioHost
{
    public static IHost Build(string serviceName, string database, string broker, Action<FanPinMessagingBuilder>? configure = null, LogLevel logLevel = LogLevel.Warning)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        // FANPIN_SCENARIO_LOG=Debug (for instance) shows everything, MassTransit included, when a scenario misbehaves.
        var verbose = Enum.TryParse<LogLevel>(Environment.GetEnvironmentVariable("FANPIN_SCENARIO_LOG"), out var level);
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; }).SetMinimumLevel(verbose ? level : logLevel);
        if (!verbose)
        {
            builder.Logging.AddFilter("MassTransit", LogLevel.Error);
        }
        builder.Configuration["ConnectionStrings:messaging"] = broker;
        builder.Services.AddDbContext<ScenarioDbContext>(o => o.UseNpgsql(database));
        builder.AddFanPinMessaging<ScenarioDbContext>(serviceName, m =>
        {
            var relay = m.Options.Relay;
            relay.PollInterval = TimeSpan.FromMilliseconds(500);
            relay.RetryInitialDelay = TimeSpan.FromMilliseconds(200);
            relay.RetryMaxDelay = TimeSpan.FromSeconds(2);
            relay.PublishTimeout = TimeSpan.FromSeconds(5);
            relay.StatsInterval = TimeSpan.FromSeconds(1);
            m.Options.Watchdog.CheckInterval = TimeSpan.FromSeconds(1);
            m.Options.Watchdog.StuckAfter = TimeSpan.FromSeconds(15);
            m.Options.RetryIntervals.Clear();
            foreach (var interval in new[] { 50, 100, 200, 500, 1000 })
            {
                m.Options.RetryIntervals.Add(TimeSpan.FromMilliseconds(interval));
            }
            configure?.Invoke(m);
        });
        return builder.Build();
    }

    /// <summary>Applies the migrations (as each service does at start-up).</summary>
    public static async Task MigrateAsync(string database)
    {
        await using var db = new ScenarioDbContext(new DbContextOptionsBuilder<ScenarioDbContext>().UseNpgsql(database).Options);
        await db.Database.MigrateAsync();
    }
}
