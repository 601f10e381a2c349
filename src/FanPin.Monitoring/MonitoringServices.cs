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
    /// <summary>Connection string name (<c>ConnectionStrings__monitoringdb</c>).</summary>
    public const string DatabaseName = "monitoringdb";

    /// <summary>Folder of province policy documents (<c>Monitoring__PolicyDirectory</c>); absent: the built-in default.</summary>
    public const string PolicyDirectoryKey = "Monitoring:PolicyDirectory";

    /// <summary>Adds monitoring's services. Use cases are plain scoped classes (namespace <c>FanPin.Monitoring.Application.*</c>).</summary>
    public static IServiceCollection AddMonitoring(this IServiceCollection services, IConfiguration configuration, bool isDevelopment)
    {
        var connectionString = configuration.GetConnectionString(DatabaseName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{DatabaseName} is not configured (environment variable ConnectionStrings__{DatabaseName}).");
        services.AddDbContext<MonitoringDbContext>(o => o.UseNpgsql(connectionString, npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history")));
        services.AddHealthChecks().AddPostgres(connectionString, DatabaseName);
        services.TryAddSingleton<IDomainEventStaging, DomainEventJournal>();
        services.AddSingleton(IdNumberHasher.FromConfiguration(configuration, isDevelopment));
        services.AddSingleton(_ =>
        {
            var directory = configuration[PolicyDirectoryKey];
            return new MonitoringPolicies(string.IsNullOrWhiteSpace(directory) ? PolicySet.DefaultOnly : PolicySet.LoadDirectory(directory));
        });
        services.AddSingleton<MonitoringClock>();
        services.AddSingleton<Application.Feeds.FeedImportProgressBoard>();
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
