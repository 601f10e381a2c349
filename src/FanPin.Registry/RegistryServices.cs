using System.Reflection;
using FanPin.Policies;
using FanPin.Registry.Application.Common;
using FanPin.Registry.Infrastructure;
using FanPin.Registry.Messaging;
using FanPin.ServiceDefaults.HealthChecks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FanPin.Registry;

/// <summary>Wiring of the registry: database, ID protection, policies, clock and every use case.</summary>
public static class RegistryServices
{
    /// <summary>The service's name: queue prefix (<c>registry-risk-signals-detected</c>) and CloudEvents source.</summary>
    public const string ServiceName = "registry";

    /// <summary>Connection string name (<c>ConnectionStrings__registrydb</c>).</summary>
    public const string DatabaseName = "registrydb";

    /// <summary>Folder of province policy documents (<c>Registry__PolicyDirectory</c>); absent: the built-in default.</summary>
    public const string PolicyDirectoryKey = "Registry:PolicyDirectory";

    /// <summary>
    /// The host's wiring: the registry's services (<see cref="AddRegistry(IServiceCollection, IConfiguration, bool)"/>),
    /// messaging (outbox relay and the two signal consumers; <c>ConnectionStrings:messaging</c>) and the readiness
    /// checks of its database and broker (<c>/health</c>: <c>postgres</c>, <c>rabbitmq</c>).
    /// </summary>
    public static TBuilder AddRegistry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddRegistry(builder.Configuration, builder.Environment.IsDevelopment());
        // Events leave through the outbox (relay → RabbitMQ); monitoring's signals come in through idempotent consumers,
        // in batches (a feed wave announces thousands of households at once).
        builder.AddFanPinMessaging<RegistryDbContext>(ServiceName, m => m
            .AddBatchConsumer<RiskSignalsDetectedConsumer>()
            .AddConsumer<RiskEliminationProposedConsumer>());
        builder.Services.AddHealthChecks()
            .AddPostgres(builder.Configuration.GetConnectionString(DatabaseName)!)
            .AddRabbitMq(builder.Configuration.GetConnectionString(MessagingHostingExtensions.ConnectionName)!);
        return builder;
    }

    /// <summary>Adds the registry's services. Use cases are plain scoped classes (namespace <c>FanPin.Registry.Application</c>).</summary>
    public static IServiceCollection AddRegistry(this IServiceCollection services, IConfiguration configuration, bool isDevelopment)
    {
        var connectionString = configuration.GetConnectionString(DatabaseName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{DatabaseName} is not configured (environment variable ConnectionStrings__{DatabaseName}).");
        services.AddDbContext<RegistryDbContext>(o => o.UseNpgsql(connectionString, npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history")));
        services.AddSingleton<IDomainEventStaging, OutboxStaging>();
        services.AddSingleton(IdNumberKeys.CreateProtector(configuration, isDevelopment));
        services.AddSingleton(_ =>
        {
            var directory = configuration[PolicyDirectoryKey];
            return new RegistryPolicies(string.IsNullOrWhiteSpace(directory) ? PolicySet.DefaultOnly : PolicySet.LoadDirectory(directory));
        });
        services.AddSingleton<RegistryClock>();
        services.TryAddSingleton(TimeProvider.System);
        foreach (var useCase in UseCaseTypes)
        {
            services.AddScoped(useCase);
        }
        return services;
    }

    /// <summary>Every use case class: public, sealed, in <c>FanPin.Registry.Application.*</c>, with a <c>HandleAsync</c> method.</summary>
    public static IReadOnlyList<Type> UseCaseTypes { get; } = typeof(RegistryServices).Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsSealed: true, IsPublic: true } && t.Namespace?.StartsWith("FanPin.Registry.Application.", StringComparison.Ordinal) == true
            && t.GetMethod("HandleAsync", BindingFlags.Public | BindingFlags.Instance) is not null)
        .OrderBy(t => t.FullName, StringComparer.Ordinal)
        .ToList();

    /// <summary>Applies pending migrations (a no-op when up to date).</summary>
    public static async Task MigrateRegistryDatabaseAsync(this IServiceProvider services, CancellationToken ct = default)
    {
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<RegistryDbContext>().Database.MigrateAsync(ct).ConfigureAwait(false);
    }
}
