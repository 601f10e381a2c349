using System.Text.Json;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every FanPin service shares, in the Aspire style: health, telemetry, logging, authentication and
/// graceful shutdown. A service's Program.cs calls <see cref="AddServiceDefaults"/> and <see cref="MapDefaultEndpoints"/>.
/// </summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>Liveness tag: checks that only say the process runs.</summary>
    public const string Live = "live";

    /// <summary>ActivitySource and Meter names traced and measured besides the framework's own.</summary>
    public static readonly string[] TelemetrySources = ["FanPin.*", "Npgsql", "MassTransit"];

    /// <summary>Adds health checks, OpenTelemetry, JSON logs outside Development, JWT authentication and shutdown settings.</summary>
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureLogging();
        builder.ConfigureOpenTelemetry();
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), [Live]);
        builder.AddFanPinAuthentication();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(20));
        if (int.TryParse(builder.Configuration[FanPin.ServiceDefaults.ParentProcessWatcher.Variable], out var parent) && OperatingSystem.IsLinux())
        {
            builder.Services.AddHostedService(sp => ActivatorUtilities.CreateInstance<FanPin.ServiceDefaults.ParentProcessWatcher>(sp, parent));
        }
        return builder;
    }

    /// <summary>Maps <c>/health</c> (every readiness check) and <c>/alive</c> (the process runs), anonymous, JSON bodies.</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = WriteHealthJson }).AllowAnonymous();
        app.MapHealthChecks("/alive", new HealthCheckOptions { Predicate = r => r.Tags.Contains(Live), ResponseWriter = WriteHealthJson }).AllowAnonymous();
        return app;
    }

    private static void ConfigureLogging(this IHostApplicationBuilder builder)
    {
        if (!builder.Environment.IsDevelopment())
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddJsonConsole(o =>
            {
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            });
        }
    }

    private static void ConfigureOpenTelemetry(this IHostApplicationBuilder builder)
    {
        // Export only where an OTLP endpoint is configured (the AppHost or a province's collector sets it).
        if (string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            return;
        }
        var serviceName = builder.Configuration["OTEL_SERVICE_NAME"] ?? builder.Environment.ApplicationName;
        var resource = ResourceBuilder.CreateDefault().AddService(serviceName);
        builder.Logging.AddOpenTelemetry(o =>
        {
            o.SetResourceBuilder(resource);
            o.IncludeFormattedMessage = true;
            o.IncludeScopes = true;
            o.AddOtlpExporter();
        });
        var tracing = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            .AddSource("Microsoft.AspNetCore", "System.Net.Http")
            .AddSource(TelemetrySources)
            .AddOtlpExporter()
            .Build();
        var metrics = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(resource)
            .AddMeter("Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Net.Http", "System.Runtime")
            .AddMeter(TelemetrySources)
            .AddOtlpExporter()
            .Build();
        // The hosting extensions package is not on this feed: the container disposes (flushes) the providers at shutdown.
        builder.Services.AddSingleton(tracing);
        builder.Services.AddSingleton(metrics);
    }

    private static Task WriteHealthJson(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var body = new
        {
            status = report.Status.ToString(),
            durationMs = report.TotalDuration.TotalMilliseconds,
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body));
    }
}
