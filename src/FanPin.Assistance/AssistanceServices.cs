using System.Reflection;
using FanPin.Assistance.Application.Common;
using FanPin.Assistance.Application.Tasks;
using FanPin.Assistance.Infrastructure;
using FanPin.Assistance.Messaging;
using FanPin.ServiceDefaults.HealthChecks;
using FanPin.Policies;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StackExchange.Redis;

namespace FanPin.Assistance;

/// <summary>Wiring of the assistance service: database, policies, clock, income summaries, scan lock and every use case.</summary>
public static class AssistanceServices
{
    /// <summary>The service's name: queue prefix (<c>assistance-warning-raised</c>) and CloudEvents source.</summary>
    public const string ServiceName = "assistance";

    /// <summary>The monitoring service's name: its address is <c>services:monitoring:grpc:0</c> (<c>services__monitoring__grpc__0</c>).</summary>
    public const string MonitoringServiceName = "monitoring";

    /// <summary>Connection string name (<c>ConnectionStrings__assistancedb</c>).</summary>
    public const string DatabaseName = "assistancedb";

    /// <summary>Redis connection string name (<c>ConnectionStrings__cache</c>), for the overdue-scan lock.</summary>
    public const string CacheName = "cache";

    /// <summary>Prefix of every Redis key (<c>Cache__KeyPrefix</c>).</summary>
    public const string KeyPrefixKey = "Cache:KeyPrefix";

    /// <summary>Folder of province policy documents (<c>Assistance__PolicyDirectory</c>); absent: the built-in default.</summary>
    public const string PolicyDirectoryKey = "Assistance:PolicyDirectory";

    /// <summary>Seconds between overdue scans (<c>Assistance__OverdueScan__IntervalSeconds</c>, default 300).</summary>
    public const string ScanIntervalKey = "Assistance:OverdueScan:IntervalSeconds";

    /// <summary>Expiry of the scan lock in seconds (<c>Assistance__OverdueScan__LockSeconds</c>, default 120).</summary>
    public const string ScanLockKey = "Assistance:OverdueScan:LockSeconds";

    /// <summary>
    /// The host's wiring: the service's parts (<see cref="AddAssistance(IServiceCollection, IConfiguration)"/>), the
    /// overdue scan, messaging (outbox relay and the warning consumers; <c>ConnectionStrings:messaging</c>) and the
    /// readiness checks of its database and broker (<c>/health</c>: <c>postgres</c>, <c>rabbitmq</c>).
    /// </summary>
    public static TBuilder AddAssistance<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddAssistance(builder.Configuration).AddOverdueScanSchedule().AddEffectReviewSchedule();
        // Events leave through the outbox (relay → RabbitMQ); grading's warnings come in through idempotent consumers.
        builder.AddFanPinMessaging<AssistanceDbContext>(ServiceName, m => m
            .AddConsumer<WarningRaisedConsumer>()
            .AddConsumer<WarningGradeChangedConsumer>()
            .AddConsumer<WarningClearedConsumer>());
        builder.Services.AddHealthChecks()
            .AddPostgres(builder.Configuration.GetConnectionString(DatabaseName)!)
            .AddRabbitMq(builder.Configuration.GetConnectionString(MessagingHostingExtensions.ConnectionName)!);
        return builder;
    }

    /// <summary>Seconds between effect reviews (<c>Assistance__EffectReview__IntervalSeconds</c>, default 86400: income summaries change monthly).</summary>
    public const string EffectReviewIntervalKey = "Assistance:EffectReview:IntervalSeconds";

    /// <summary>Adds the service's parts. The scheduled scan is added separately (<see cref="AddOverdueScanSchedule"/>).</summary>
    public static IServiceCollection AddAssistance(this IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = configuration.GetConnectionString(DatabaseName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{DatabaseName} is not configured (environment variable ConnectionStrings__{DatabaseName}).");
        services.AddDbContext<AssistanceDbContext>(o => o.UseNpgsql(connectionString, npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history")));
        services.TryAddSingleton<IDomainEventStaging, OutboxStaging>();
        services.AddSingleton(_ =>
        {
            var directory = configuration[PolicyDirectoryKey];
            return new AssistancePolicies(string.IsNullOrWhiteSpace(directory) ? PolicySet.DefaultOnly : PolicySet.LoadDirectory(directory));
        });
        services.AddSingleton<AssistanceClock>();
        services.TryAddSingleton(TimeProvider.System);
        // Income summaries from the monitoring service over gRPC, with the service's own short-lived tokens.
        services.AddGrpcClient<FanPin.Contracts.Monitoring.V1.RecordService.RecordServiceClient>(MonitoringServiceName);
        services.AddGrpcClient<FanPin.Contracts.Monitoring.V1.GuaranteeService.GuaranteeServiceClient>(MonitoringServiceName);
        services.TryAddSingleton(sp => new ServiceTokens(sp.GetRequiredService<FanPin.ServiceDefaults.Authentication.TokenIssuer>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IIncomeSummaries, MonitoringIncomeSummaries>();
        services.TryAddSingleton<Lazy<IConnectionMultiplexer>>(_ => new Lazy<IConnectionMultiplexer>(() =>
            ConnectionMultiplexer.Connect(configuration.GetConnectionString(CacheName)
                ?? throw new InvalidOperationException($"ConnectionStrings:{CacheName} (Redis) is not configured; the overdue scan needs it for its lock."))));
        services.TryAddSingleton<IScanLock>(sp =>
        {
            var redis = sp.GetRequiredService<Lazy<IConnectionMultiplexer>>();
            var seconds = configuration.GetValue(ScanLockKey, 120);
            return new RedisScanLock(() => redis.Value, (configuration[KeyPrefixKey] ?? "") + "assistance:overdue-scan", TimeSpan.FromSeconds(seconds));
        });
        services.AddScoped<EffectEvaluation>();
        foreach (var useCase in UseCaseTypes)
        {
            services.AddScoped(useCase);
        }
        return services;
    }

    /// <summary>Runs the overdue scan every <see cref="ScanIntervalKey"/> seconds (one instance at a time, by the lock).</summary>
    public static IServiceCollection AddOverdueScanSchedule(this IServiceCollection services)
    {
        services.AddHostedService<OverdueScanSchedule>();
        return services;
    }

    /// <summary>Reviews finished plans without a proposal every <see cref="EffectReviewIntervalKey"/> seconds (<see cref="ReviewPendingEffects"/>).</summary>
    public static IServiceCollection AddEffectReviewSchedule(this IServiceCollection services)
    {
        services.AddHostedService<EffectReviewSchedule>();
        return services;
    }

    /// <summary>Every use case class: public, sealed, in <c>FanPin.Assistance.Application.*</c>, with <c>HandleAsync</c>.</summary>
    public static IReadOnlyList<Type> UseCaseTypes { get; } = typeof(AssistanceServices).Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsSealed: true, IsPublic: true } && t.Namespace?.StartsWith("FanPin.Assistance.Application.", StringComparison.Ordinal) == true
            && t.GetMethod("HandleAsync", BindingFlags.Public | BindingFlags.Instance) is not null)
        .OrderBy(t => t.FullName, StringComparer.Ordinal)
        .ToList();

    /// <summary>Applies pending migrations.</summary>
    public static async Task MigrateAssistanceDatabaseAsync(this IServiceProvider services, CancellationToken ct = default)
    {
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<AssistanceDbContext>().Database.MigrateAsync(ct).ConfigureAwait(false);
    }
}

/// <summary>The periodic overdue scan.</summary>
internal sealed partial class OverdueScanSchedule(IServiceScopeFactory scopes, IConfiguration configuration, TimeProvider time, ILogger<OverdueScanSchedule> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(configuration.GetValue(AssistanceServices.ScanIntervalKey, 300)), time);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var result = await scope.ServiceProvider.GetRequiredService<ScanOverdueTasks>().HandleAsync(stoppingToken).ConfigureAwait(false);
                if (result.Ran)
                {
                    LogScan(result.Flagged);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogScanFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Overdue scan flagged {Flagged} task(s)")]
    private partial void LogScan(int flagged);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Overdue scan failed; it runs again at the next tick")]
    private partial void LogScanFailed(Exception ex);
}

/// <summary>
/// The periodic effect review. No lock: a proposal is once per plan version (the plan's row version makes a second
/// reviewer's save fail), so two instances at worst ask monitoring twice.
/// </summary>
internal sealed partial class EffectReviewSchedule(IServiceScopeFactory scopes, IConfiguration configuration, TimeProvider time, ILogger<EffectReviewSchedule> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(configuration.GetValue(AssistanceServices.EffectReviewIntervalKey, 86400)), time);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var result = await scope.ServiceProvider.GetRequiredService<ReviewPendingEffects>().HandleAsync(stoppingToken).ConfigureAwait(false);
                if (result.Reviewed > 0)
                {
                    LogReview(result.Reviewed, result.Proposed);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogReviewFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Effect review: {Reviewed} finished plan(s) looked at, {Proposed} proposed for risk elimination")]
    private partial void LogReview(int reviewed, int proposed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Effect review failed; it runs again at the next tick")]
    private partial void LogReviewFailed(Exception ex);
}
