using System.Reflection;
using FanPin.Notification.Application.Common;
using FanPin.Notification.Infrastructure;
using FanPin.Notification.Messaging;
using FanPin.Policies;
using FanPin.ServiceDefaults.HealthChecks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StackExchange.Redis;

namespace FanPin.Notification;

/// <summary>Wiring of the notification service: database, policies, clock, Redis rate limit, consumers, dispatchers, use cases.</summary>
public static class NotificationServices
{
    /// <summary>The service's name: queue prefix (<c>notification-warning-raised</c>).</summary>
    public const string ServiceName = "notification";

    /// <summary>Connection string name (<c>ConnectionStrings__notificationdb</c>).</summary>
    public const string DatabaseName = "notificationdb";

    /// <summary>Redis connection string name (<c>ConnectionStrings__cache</c>), for the rate limit.</summary>
    public const string CacheName = "cache";

    /// <summary>Prefix of every Redis key (<c>Cache__KeyPrefix</c>).</summary>
    public const string KeyPrefixKey = "Cache:KeyPrefix";

    /// <summary>Folder of province policy documents (<c>Notification__PolicyDirectory</c>); absent: the built-in default.</summary>
    public const string PolicyDirectoryKey = "Notification:PolicyDirectory";

    /// <summary>
    /// The host's wiring: the services, messaging (the eight consumers; <c>ConnectionStrings:messaging</c>), the
    /// background dispatchers and the readiness checks (<c>postgres</c>, <c>rabbitmq</c>, <c>redis</c>).
    /// </summary>
    public static TBuilder AddNotification<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddNotification(builder.Configuration, builder.Environment.IsDevelopment());
        builder.AddFanPinMessaging<NotificationDbContext>(ServiceName, m => m
            .AddConsumer<WarningRaisedConsumer>()
            .AddConsumer<WarningGradeChangedConsumer>()
            .AddConsumer<WarningEscalatedConsumer>()
            .AddConsumer<WarningClearedConsumer>()
            .AddConsumer<TaskAssignedConsumer>()
            .AddConsumer<TaskOverdueConsumer>()
            .AddConsumer<FeedOverdueConsumer>()
            .AddConsumer<FeedAnomalyConsumer>());
        builder.Services.AddHostedService<WebhookDispatcher>();
        builder.Services.AddHostedService<SmsDispatcher>();
        builder.Services.AddHostedService<EscalationSchedule>();
        builder.Services.AddHealthChecks()
            .AddPostgres(builder.Configuration.GetConnectionString(DatabaseName)!)
            .AddRabbitMq(builder.Configuration.GetConnectionString(MessagingHostingExtensions.ConnectionName)!)
            .AddRedis();
        return builder;
    }

    /// <summary>Adds the service's parts (no hosted services).</summary>
    public static IServiceCollection AddNotification(this IServiceCollection services, IConfiguration configuration, bool isDevelopment = false)
    {
        services.AddSingleton(SecretProtector.FromConfiguration(configuration, isDevelopment));
        var connectionString = configuration.GetConnectionString(DatabaseName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{DatabaseName} is not configured (environment variable ConnectionStrings__{DatabaseName}).");
        services.AddDbContext<NotificationDbContext>(o => o.UseNpgsql(connectionString, npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history")));
        services.AddSingleton(_ =>
        {
            var directory = configuration[PolicyDirectoryKey];
            return new NotificationPolicies(string.IsNullOrWhiteSpace(directory) ? PolicySet.DefaultOnly : PolicySet.LoadDirectory(directory));
        });
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(NotificationOptions.From(configuration));
        services.AddSingleton<NotificationSignals>();
        services.TryAddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(configuration.GetConnectionString(CacheName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{CacheName} (Redis) is not configured; the SMS rate limit needs it.")));
        services.TryAddSingleton<IRecipientRateLimiter>(sp => new RedisRateLimiter(sp.GetRequiredService<IConnectionMultiplexer>, configuration[KeyPrefixKey] ?? ""));
        foreach (var useCase in UseCaseTypes)
        {
            services.AddScoped(useCase);
        }
        return services;
    }

    /// <summary>Every use case class: public, sealed, in <c>FanPin.Notification.Application.*</c>, with <c>HandleAsync</c>.</summary>
    public static IReadOnlyList<Type> UseCaseTypes { get; } = typeof(NotificationServices).Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsSealed: true, IsPublic: true } && t.Namespace?.StartsWith("FanPin.Notification.Application.", StringComparison.Ordinal) == true
            && t.GetMethod("HandleAsync", BindingFlags.Public | BindingFlags.Instance) is not null)
        .OrderBy(t => t.FullName, StringComparer.Ordinal)
        .ToList();

    /// <summary>Applies pending migrations.</summary>
    public static async Task MigrateNotificationDatabaseAsync(this IServiceProvider services, CancellationToken ct = default)
    {
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<NotificationDbContext>().Database.MigrateAsync(ct).ConfigureAwait(false);
    }
}
