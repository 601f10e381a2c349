using System.Reflection;
using FanPin.Monitoring.Application.Common;
using FanPin.Monitoring.Infrastructure;
using FanPin.Policies;
using FanPin.ServiceDefaults.HealthChecks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FanPin.Monitoring;

/// <summary>Wiring of monitoring: database, ID hashing, policies, clock, every use case and the background workers.</summary>
public static class MonitoringServices
{
    /// <summary>The service's name: queue prefix (<c>monitoring-household-registered</c>) and CloudEvents source.</summary>
    public const string ServiceName = "monitoring";

    /// <summary>Connection string name (<c>ConnectionStrings__monitoringdb</c>).</summary>
    public const string DatabaseName = "monitoringdb";

    /// <summary>Folder of province policy documents (<c>Monitoring__PolicyDirectory</c>); absent: the built-in default.</summary>
    public const string PolicyDirectoryKey = "Monitoring:PolicyDirectory";

    /// <summary>
    /// The host's wiring: monitoring's services (<see cref="AddMonitoring(IServiceCollection, IConfiguration, bool)"/>),
    /// messaging (outbox relay and the registry event consumers; <c>ConnectionStrings:messaging</c>) and the readiness
    /// check of its broker (<c>/health</c>: <c>rabbitmq</c>, next to <c>postgres</c>).
    /// </summary>
    public static TBuilder AddMonitoring<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddMonitoring(builder.Configuration, builder.Environment.IsDevelopment());
        // Events leave through the outbox (relay → RabbitMQ); the registry's events keep the read model current.
        builder.AddFanPinMessaging<MonitoringDbContext>(ServiceName, m => Messaging.RegistryConsumers.Add(m));
        builder.Services.AddHealthChecks()
            .AddRabbitMq(builder.Configuration.GetConnectionString(MessagingHostingExtensions.ConnectionName)!);
        return builder;
    }

    /// <summary>Adds monitoring's services. Use cases are plain scoped classes (namespace <c>FanPin.Monitoring.Application.*</c>).</summary>
    public static IServiceCollection AddMonitoring(this IServiceCollection services, IConfiguration configuration, bool isDevelopment)
    {
        var connectionString = configuration.GetConnectionString(DatabaseName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{DatabaseName} is not configured (environment variable ConnectionStrings__{DatabaseName}).");
        services.AddDbContext<MonitoringDbContext>(o => o.UseNpgsql(connectionString, npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history")));
        services.AddHealthChecks().AddPostgres(connectionString, DatabaseName);
        services.AddSingleton<IDomainEventStaging, OutboxStaging>();
        services.AddSingleton(IdNumberHasher.FromConfiguration(configuration, isDevelopment));
        // The workers' settings (the back-fill hold is read by ImportFeed too), whether the workers run or not.
        services.TryAddSingleton(MonitoringWorkerRegistration.Options(configuration));
        services.AddSingleton(_ =>
        {
            var directory = configuration[PolicyDirectoryKey];
            return new MonitoringPolicies(string.IsNullOrWhiteSpace(directory) ? PolicySet.DefaultOnly : PolicySet.LoadDirectory(directory));
        });
        services.AddSingleton<MonitoringClock>();
        services.AddSingleton<Application.Feeds.FeedImportProgressBoard>();
        services.AddSingleton<EvaluationWakeUp>();
        services.TryAddSingleton(TimeProvider.System);
        foreach (var useCase in UseCaseTypes)
        {
            services.AddScoped(useCase);
        }
        return services;
    }

    /// <summary>Every use case class: public, sealed, in <c>FanPin.Monitoring.Application.*</c>, with a <c>HandleAsync</c> method.</summary>
    public static IReadOnlyList<Type> UseCaseTypes { get; } = typeof(MonitoringServices).Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsSealed: true, IsPublic: true } && t.Namespace?.StartsWith("FanPin.Monitoring.Application.", StringComparison.Ordinal) == true
            && t.GetMethod("HandleAsync", BindingFlags.Public | BindingFlags.Instance) is not null)
        .OrderBy(t => t.FullName, StringComparer.Ordinal)
        .ToList();

    /// <summary>Applies pending migrations (a no-op when up to date).</summary>
    public static async Task MigrateMonitoringDatabaseAsync(this IServiceProvider services, CancellationToken ct = default)
    {
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<MonitoringDbContext>().Database.MigrateAsync(ct).ConfigureAwait(false);
    }
}
