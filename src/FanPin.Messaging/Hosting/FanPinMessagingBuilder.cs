using System.Reflection;
using MassTransit;

namespace FanPin.Messaging.Hosting;

/// <summary>What a service configures inside <c>AddFanPinMessaging</c>: its consumers and, rarely, options.</summary>
public sealed class FanPinMessagingBuilder(IBusRegistrationConfigurator bus, MessagingOptions options)
{
    /// <summary>Settings (retry intervals, prefetch, relay).</summary>
    public MessagingOptions Options { get; } = options;

    /// <summary>MassTransit's registration, for what these conventions do not cover.</summary>
    public IBusRegistrationConfigurator Bus { get; } = bus;

    /// <summary>Adds a consumer; its queue is <c>&lt;service&gt;-&lt;consumer-name-kebab&gt;</c> without the "Consumer" suffix.</summary>
    public FanPinMessagingBuilder AddConsumer<TConsumer>() where TConsumer : class, IConsumer
    {
        Bus.AddConsumer<TConsumer>();
        return this;
    }

    /// <summary>
    /// Adds a batch consumer (<c>IdempotentBatchConsumer</c>): batches of up to <paramref name="messageLimit"/> messages,
    /// cut after <paramref name="timeLimitMs"/> ms, <paramref name="concurrency"/> batches at once; the endpoint
    /// prefetches enough to fill them.
    /// </summary>
    public FanPinMessagingBuilder AddBatchConsumer<TConsumer>(int messageLimit = 100, int timeLimitMs = 20, int concurrency = 2)
        where TConsumer : class, IConsumer
    {
        Bus.AddConsumer<TConsumer>(c => c.Options<BatchOptions>(o => o
                .SetMessageLimit(messageLimit)
                .SetTimeLimit(TimeSpan.FromMilliseconds(timeLimitMs))
                .SetConcurrencyLimit(concurrency)))
            .Endpoint(e =>
            {
                e.PrefetchCount = messageLimit * (concurrency + 1);
                e.ConcurrentMessageLimit = messageLimit * concurrency;
            });
        return this;
    }

    /// <summary>Adds every consumer in an assembly.</summary>
    public FanPinMessagingBuilder AddConsumers(Assembly assembly)
    {
        Bus.AddConsumers(assembly);
        return this;
    }
}
