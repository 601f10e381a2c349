using System.Reflection;
using FanPin.Grading.Application.Common;
using FanPin.Grading.Infrastructure;
using FanPin.Grading.Infrastructure.Bulk;
using FanPin.Grading.Infrastructure.Hosting;
using FanPin.Grading.Infrastructure.Redis;
using FanPin.Grading.Infrastructure.WarningLog;
using FanPin.Grading.Messaging;
using FanPin.Messaging.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using FanPin.ServiceDefaults.HealthChecks;
using Npgsql;
using StackExchange.Redis;

namespace FanPin.Grading;

/// <summary>Wiring of grading: database, policies, clock, Redis projection, warning log, use cases and background services.</summary>
public static class GradingServices
{
    /// <summary>The service's name: queue prefix (<c>grading-risk-signals-detected</c>) and CloudEvents source.</summary>
    public const string ServiceName = "grading";

    /// <summary>Connection string name (<c>ConnectionStrings__gradingdb</c>).</summary>
    public const string DatabaseName = "gradingdb";

    /// <summary>Redis connection string name (<c>ConnectionStrings__cache</c>); absent: no projection, counts from PostgreSQL.</summary>
    public const string CacheName = "cache";

    /// <summary>Prefix of every Redis key (<c>Cache__KeyPrefix</c>).</summary>
    public const string KeyPrefixKey = "Cache:KeyPrefix";

    /// <summary>Whether the background services run (<c>Grading__BackgroundServices</c>, default true; tests switch them off).</summary>
    public const string BackgroundServicesKey = "Grading:BackgroundServices";

    /// <summary>
    /// The host's wiring: grading's services (<see cref="AddApplicationServices"/>), messaging (outbox relay and
    /// the consumers of monitoring's and the registry's events; <c>ConnectionStrings:messaging</c>) and the
    /// readiness checks of its dependencies (<c>/health</c>: <c>postgres</c>, <c>rabbitmq</c>, and <c>redis</c>
    /// when <c>ConnectionStrings__cache</c> is set).
    /// </summary>
    public static TBuilder AddGrading<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddApplicationServices(builder.Configuration);
        // Warning events leave through the outbox (relay → bus and fanpin.events); inputs come in through idempotent consumers.
        builder.AddFanPinMessaging<GradingDbContext>(ServiceName, m => m.AddGradingConsumers());
        var checks = builder.Services.AddHealthChecks()
            .AddPostgres(builder.Configuration.GetConnectionString(DatabaseName)!)
            .AddRabbitMq(builder.Configuration.GetConnectionString(MessagingHostingExtensions.ConnectionName)!);
        if (!string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(CacheName)))
        {
            checks.AddRedis();
        }
        return builder;
    }

    /// <summary>
    /// Grading's consumers, as the host registers them: the high-volume ones (monitoring's evaluations, the registry's
    /// registrations and changes) in set-based batches, the rest one message per transaction. Public so that tests
    /// run the same registration on an in-memory bus.
    /// </summary>
    public static FanPinMessagingBuilder AddGradingConsumers(this FanPinMessagingBuilder messaging)
    {
        ArgumentNullException.ThrowIfNull(messaging);
        return messaging
            .AddBatchConsumer<RiskSignalsDetectedConsumer>()
            .AddBatchConsumer<HouseholdRegisteredConsumer>()
            .AddBatchConsumer<HouseholdChangedConsumer>()
            .AddConsumer<MemberChangedConsumer>()
            .AddConsumer<HouseholdIdentifiedConsumer>()
            .AddConsumer<RiskEliminatedConsumer>();
    }

    /// <summary>Adds grading's services. Use cases are plain scoped classes (namespace <c>FanPin.Grading.Application.*</c>).</summary>
    public static IServiceCollection AddApplicationServices(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var connectionString = configuration.GetConnectionString(DatabaseName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            // appsettings.json names the key with an empty value: the deployment (or the AppHost) sets it.
            throw new InvalidOperationException($"ConnectionStrings:{DatabaseName} is not configured (environment variable ConnectionStrings__{DatabaseName}).");
        }
        services.AddSingleton(_ => new NpgsqlDataSourceBuilder(connectionString).Build());
        services.AddDbContext<GradingDbContext>((sp, o) => o.UseNpgsql(sp.GetRequiredService<NpgsqlDataSource>(),
            npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history")).AddInterceptors(GradingCommitHooks.Instance));
        services.TryAddSingleton<IDomainEventStaging, OutboxStaging>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<GradingClock>();
        services.AddSingleton<PolicyCatalog>();
        services.AddSingleton<RegradeTrigger>();
        services.AddSingleton<WarningLogNotifications>();
        services.AddSingleton(configuration.GetSection("Grading:Watch").Get<WarningWatchOptions>() ?? new WarningWatchOptions());
        services.AddSingleton<WarningLogWatcher>();
        services.Configure<GradingScheduleOptions>(configuration.GetSection("Grading"));
        services.AddScoped<HouseholdRegrader>();
        services.AddScoped<GradeProjector>();
        services.AddScoped<BulkRegrader>();
        services.AddScoped<GradeProjectionRebuilder>();

        var cache = configuration.GetConnectionString(CacheName);
        if (string.IsNullOrWhiteSpace(cache))
        {
            services.AddSingleton<IGradeProjectionStore, NoGradeProjectionStore>();
        }
        else
        {
            var prefix = configuration[KeyPrefixKey] ?? "fanpin:";
            services.AddSingleton(_ => ConnectionMultiplexer.Connect(cache));
            services.AddSingleton<IConnectionMultiplexer>(sp => sp.GetRequiredService<ConnectionMultiplexer>());
            services.AddSingleton<IGradeProjectionStore>(sp => new RedisGradeProjectionStore(sp.GetRequiredService<ConnectionMultiplexer>(), prefix));
        }

        foreach (var useCase in UseCaseTypes)
        {
            services.AddScoped(useCase);
        }
        if (configuration.GetValue(BackgroundServicesKey, true))
        {
            services.AddHostedService<WarningLogListener>();
            services.AddHostedService<EscalationService>();
            services.AddHostedService<RegradeService>();
        }
        return services;
    }

    /// <summary>Every use case: public sealed classes in <c>FanPin.Grading.Application.*</c> with a <c>HandleAsync</c> or <c>Handle</c> method.</summary>
    public static IReadOnlyList<Type> UseCaseTypes { get; } = typeof(GradingServices).Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsSealed: true, IsPublic: true } && t.Namespace?.StartsWith("FanPin.Grading.Application.", StringComparison.Ordinal) == true
            && t.Namespace != "FanPin.Grading.Application.Common"
            && (t.GetMethod("HandleAsync", BindingFlags.Public | BindingFlags.Instance) ?? t.GetMethod("Handle", BindingFlags.Public | BindingFlags.Instance)) is not null)
        .OrderBy(t => t.FullName, StringComparer.Ordinal)
        .ToList();

    /// <summary>Applies pending migrations (a no-op when up to date).</summary>
    public static async Task MigrateGradingDatabaseAsync(this IServiceProvider services, CancellationToken ct = default)
    {
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<GradingDbContext>().Database.MigrateAsync(ct).ConfigureAwait(false);
    }
}
