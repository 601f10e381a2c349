using System.Text.Json.Serialization;
using FanPin.IntegrationEvents;
using FanPin.Messaging;
using FanPin.Messaging.Hosting;
using FanPin.Messaging.Outbox;
using FanPin.Messaging.Transport;
using FanPin.Messaging.Serialization;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.Hosting;

/// <summary>The one call that gives a service FanPin's messaging conventions.</summary>
public static class MessagingHostingExtensions
{
    /// <summary>The connection-string name of the broker (an amqp:// URI with the vhost), as Aspire hands it out.</summary>
    public const string ConnectionName = "messaging";

    /// <summary>Configuration key of <see cref="MessagingOptions.QuorumQueues"/> (<c>Messaging__QuorumQueues</c>).</summary>
    public const string QuorumQueuesKey = "Messaging:QuorumQueues";

    /// <summary>
    /// Adds MassTransit on RabbitMQ with FanPin's conventions, the outbox relay of <typeparamref name="TDbContext"/>
    /// and the public exchange publisher. Reads <c>ConnectionStrings:messaging</c>.
    /// </summary>
    /// <example><code>
    /// builder.Services.AddDbContext&lt;GradingDbContext&gt;(o => o.UseNpgsql(builder.Configuration.GetConnectionString("gradingdb")));
    /// builder.AddFanPinMessaging&lt;GradingDbContext&gt;("grading", m => m.AddConsumer&lt;RiskSignalsDetectedConsumer&gt;());
    /// </code></example>
    public static IHostApplicationBuilder AddFanPinMessaging<TDbContext>(this IHostApplicationBuilder builder, string serviceName,
        Action<FanPinMessagingBuilder>? configure = null)
        where TDbContext : DbContext
    {
        var uri = builder.Configuration.GetConnectionString(ConnectionName);
        if (string.IsNullOrWhiteSpace(uri))
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:{ConnectionName} is not set: give the broker as an amqp:// URI (ConnectionStrings__{ConnectionName}=amqp://user:pass@host:5672/vhost).");
        }
        // Messaging__QuorumQueues=true: the service's queues are declared as quorum queues (replicated on a RabbitMQ
        // cluster). Chosen once per deployment: RabbitMQ refuses to redeclare an existing classic queue as quorum.
        var quorumQueues = bool.TryParse(builder.Configuration[QuorumQueuesKey], out var quorum) && quorum;
        builder.Services.AddFanPinMessaging<TDbContext>(serviceName, uri, m =>
        {
            m.Options.QuorumQueues = quorumQueues;
            configure?.Invoke(m);
        });
        return builder;
    }

    /// <summary>
    /// FanPin's consumer retry policy: transient failures only (<see cref="TransientExceptions.IsTransient"/>), in
    /// memory at <see cref="MessagingOptions.RetryIntervals"/>, then the error queue (no delayed-exchange plugin
    /// needed; see docs/messaging.md). A batch consumer's batch is retried whole. Public so that a test bus retries as
    /// the services' buses do.
    /// </summary>
    public static void UseFanPinRetry(this IBusFactoryConfigurator configurator, MessagingOptions options)
    {
        ArgumentNullException.ThrowIfNull(configurator);
        ArgumentNullException.ThrowIfNull(options);
        configurator.UseMessageRetry(r =>
        {
            r.Intervals([.. options.RetryIntervals]);
            r.Handle<Exception>(TransientExceptions.IsTransient);
        });
    }

    /// <summary>The same, with the broker URI given.</summary>
    public static IServiceCollection AddFanPinMessaging<TDbContext>(this IServiceCollection services, string serviceName, string brokerUri,
        Action<FanPinMessagingBuilder>? configure = null)
        where TDbContext : DbContext
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceName);
        var options = new MessagingOptions { ServiceName = serviceName, BrokerUri = new Uri(brokerUri) };
        var broker = BrokerAddress.Parse(options.BrokerUri);

        services.AddMassTransit(bus =>
        {
            // Queues are "<service>-<consumer>" (registry-risk-signals-detected): two services consuming one event
            // each get their own queue, and an operator sees at once whose queue it is.
            bus.SetEndpointNameFormatter(new KebabCaseEndpointNameFormatter(serviceName + "-", includeNamespace: false));
            configure?.Invoke(new FanPinMessagingBuilder(bus, options));
            // Faults are recorded in the error queue's headers; a Fault<T> event per failure would be one more publish
            // through MassTransit's send path, the part that does not survive a broker restart (see RabbitMqPublisher).
            bus.AddConfigureEndpointsCallback((_, endpoint) =>
            {
                endpoint.PublishFaults = false;
                if (options.QuorumQueues && endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
                {
                    rabbit.SetQuorumQueue();
                }
            });
            bus.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(broker.Host, broker.Port, broker.VirtualHost, serviceName, h =>
                {
                    h.Username(broker.UserName);
                    h.Password(broker.Password);
                    h.PublisherConfirmation = true;
                    h.Heartbeat(TimeSpan.FromSeconds(10));
                    h.RequestedConnectionTimeout(TimeSpan.FromSeconds(5));
                    if (broker.UseSsl)
                    {
                        h.UseSsl(s => s.ServerName = broker.Host);
                    }
                });
                // One JSON shape everywhere: enums by name, as in outbox payloads and the public stream (the relay
                // embeds the outbox payload in MassTransit's envelope as it is). Numbers are still read.
                cfg.ConfigureJsonSerializerOptions(json =>
                {
                    if (!json.Converters.OfType<JsonStringEnumConverter>().Any())
                    {
                        json.Converters.Add(new JsonStringEnumConverter());
                    }
                    return json;
                });
                cfg.PrefetchCount = options.PrefetchCount;
                if (options.ConcurrentMessageLimit is { } limit)
                {
                    cfg.ConcurrentMessageLimit = limit;
                }
                // The base record is not a message of its own: no exchange for it, no polymorphic fan-out.
                cfg.Publish<IntegrationEvent>(p => p.Exclude = true);
                cfg.UseFanPinRetry(options);
                cfg.ConfigureEndpoints(context);
            });
        });
        services.Configure<MassTransitHostOptions>(o =>
        {
            o.WaitUntilStarted = false; // a broker outage must not keep the service (and its gRPC API) from starting
            o.StopTimeout = TimeSpan.FromSeconds(15);
        });

        services.AddSingleton(options);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ => new IntegrationEventTypes([typeof(IntegrationEvent).Assembly, .. options.EventAssemblies]));
        services.TryAddSingleton<RabbitMqPublisher>();
        services.TryAddSingleton<IOutboxPublisher, OutboxPublisher>();
        services.TryAddSingleton<RelaySignal>();
        services.TryAddSingleton<OutboxCommitInterceptor>();
        // EF Core 9+: adds to the service's own AddDbContext configuration, whichever is called first.
        services.ConfigureDbContext<TDbContext>((sp, o) => o.AddInterceptors(sp.GetRequiredService<OutboxCommitInterceptor>()));
        services.AddSingleton<OutboxRelay<TDbContext>>();
        services.AddHostedService<OutboxRelayService<TDbContext>>();
        services.AddSingleton<BusWatchdog>();
        services.AddHostedService(sp => sp.GetRequiredService<BusWatchdog>());
        services.AddHealthChecks()
            .Add(new HealthCheckRegistration("messaging-bus", sp => sp.GetRequiredService<BusWatchdog>(), HealthStatus.Unhealthy, ["ready", "live"]))
            .Add(new HealthCheckRegistration("messaging-outbox", sp => new OutboxHealthCheck(sp.GetRequiredService<MessagingOptions>(), sp.GetRequiredService<TimeProvider>()), HealthStatus.Degraded, ["ready"]));
        return services;
    }
}
