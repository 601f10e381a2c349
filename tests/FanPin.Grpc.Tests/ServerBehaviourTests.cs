using System.Collections.Concurrent;
using FanPin.Contracts.Testing.V1;
using FanPin.Grpc.Interop;
using FanPin.Grpc.Protocol;
using Grpc.Health.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace FanPin.Grpc.Tests;

/// <summary>Server behaviours that need a server of their own (other services, limits, health checks).</summary>
public class ServerBehaviourTests
{
    [Fact]
    public async Task The_server_ends_a_call_at_its_deadline_even_when_the_method_ignores_cancellation()
    {
        await using var server = await EchoServer.StartAsync(configureApp: app => app.MapGrpcService<StubbornEchoService>(), mapEchoService: false);
        var request = RawHttp.Request(server.Address, "/fanpin.testing.v1.EchoService/Unary", MessageFraming.ToFrame(new UnaryRequest(), null, false), EchoServer.IssueToken());
        request.Headers.TryAddWithoutValidation("grpc-timeout", "200m");
        var finished = StubbornEchoService.Finished;
        var response = await RawHttp.SendAsync(request);
        Assert.Equal("4", response.GrpcStatus);
        Assert.False(finished.Task.IsCompleted, "the status came only after the method finished");
        Assert.True(await finished.Task.WaitAsync(TimeSpan.FromSeconds(10)), "the method was not cancelled");
    }

    [Fact]
    public async Task A_client_that_cancels_before_its_deadline_is_cancelled_not_deadline_exceeded()
    {
        var codes = new List<int>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "fanpin.grpc.server.calls")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            string? method = null;
            int? code = null;
            foreach (var tag in tags)
            {
                method = tag.Key == "rpc.method" ? tag.Value as string : method;
                code = tag.Key == "rpc.grpc.status_code" ? tag.Value as int? : code;
            }
            if (method == "/fanpin.testing.v1.EchoService/ServerStream" && code is { } c)
            {
                lock (codes)
                {
                    codes.Add(c);
                }
            }
        });
        listener.Start();
        await using var server = await EchoServer.StartAsync();
        using var channel = GrpcChannel.ForAddress(server.Address, new GrpcChannelOptions().WithBearerToken(EchoServer.IssueToken()));
        var client = new EchoService.EchoServiceClient(channel);
        var tag = Guid.NewGuid().ToString("N");
        using var cts = new CancellationTokenSource();
        using var call = client.ServerStream(new ServerStreamRequest { Count = 1000, IntervalMs = 20, Tag = tag }, deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: cts.Token);
        Assert.True(await call.ResponseStream.MoveNext());
        await cts.CancelAsync();
        await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());
        GetCallRecordResponse record;
        do
        {
            record = await client.GetCallRecordAsync(new GetCallRecordRequest { Tag = tag });
        }
        while (!record.Found);
        Assert.True(record.Cancelled && !record.DeadlineExceeded);
        // The status is measured just after the method returns.
        for (var i = 0; i < 100 && !Volatile.Read(ref codes).Contains((int)StatusCode.Cancelled); i++)
        {
            await Task.Delay(50);
        }
        lock (codes)
        {
            Assert.Contains((int)StatusCode.Cancelled, codes);
            Assert.DoesNotContain((int)StatusCode.DeadlineExceeded, codes);
        }
    }

    [Fact]
    public async Task A_slow_client_stream_survives_kestrels_minimum_data_rate()
    {
        // Kestrel kills a request body slower than MinRequestBodyDataRate and resets the whole connection;
        // the transport lifts the limit for client streams. Here the limit is made strict to show it.
        await using var server = await EchoServer.StartAsync(configureBuilder: b => b.WebHost.ConfigureKestrel(k =>
            k.Limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 5_000, gracePeriod: TimeSpan.FromSeconds(1.5))));
        using var channel = GrpcChannel.ForAddress(server.Address, new GrpcChannelOptions().WithBearerToken(EchoServer.IssueToken()));
        var client = new EchoService.EchoServiceClient(channel);
        using var call = client.ClientStream();
        for (var i = 0; i < 8; i++)
        {
            await call.RequestStream.WriteAsync(new ClientStreamRequest { Message = $"slow {i}" });
            await Task.Delay(500);
        }
        // Another call on the same connection is unharmed.
        Assert.Equal("x", (await client.UnaryAsync(new UnaryRequest { Message = "x" })).Message);
        await call.RequestStream.CompleteAsync();
        Assert.Equal(8, (await call).Count);
    }

    [Fact]
    public async Task Idempotent_methods_are_retried_on_unavailable_and_others_are_not()
    {
        var counter = new AttemptCounter();
        await using var server = await EchoServer.StartAsync(
            configure: o => o.Interceptors.Add(typeof(AttemptCounter)),
            configureBuilder: b => b.Services.AddSingleton(counter));
        using var channel = GrpcChannel.ForAddress(server.Address, new GrpcChannelOptions
        {
            Retry = new RetryPolicy { MaxAttempts = 3, InitialBackoff = TimeSpan.FromMilliseconds(10) },
        }.WithBearerToken(EchoServer.IssueToken()));
        var client = new EchoService.EchoServiceClient(channel);
        var unavailable = new Fault { Kind = Fault.Types.Kind.Status, Code = (int)StatusCode.Unavailable, Message = "try later" };

        var unary = await Assert.ThrowsAsync<RpcException>(() => client.UnaryAsync(new UnaryRequest { Fault = unavailable }).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, unary.StatusCode);
        Assert.Equal(3, counter.Count("/fanpin.testing.v1.EchoService/Unary"));

        var aborted = new Fault { Kind = Fault.Types.Kind.Status, Code = (int)StatusCode.Aborted, Message = "no retry" };
        await Assert.ThrowsAsync<RpcException>(() => client.UnaryAsync(new UnaryRequest { Fault = aborted }).ResponseAsync);
        Assert.Equal(4, counter.Count("/fanpin.testing.v1.EchoService/Unary"));

        using var bidi = client.BidiStream();
        await bidi.RequestStream.WriteAsync(new BidiStreamRequest { Fault = unavailable });
        var ex = await Assert.ThrowsAsync<RpcException>(() => bidi.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
        Assert.Equal(1, counter.Count("/fanpin.testing.v1.EchoService/BidiStream"));

        using var stream = client.ServerStream(new ServerStreamRequest { Fault = unavailable });
        await Assert.ThrowsAsync<RpcException>(() => stream.ResponseStream.MoveNext());
        Assert.Equal(3, counter.Count("/fanpin.testing.v1.EchoService/ServerStream"));
    }

    [Fact]
    public async Task Health_follows_the_health_checks_and_watch_reports_changes()
    {
        var check = new SwitchableHealthCheck();
        await using var server = await EchoServer.StartAsync(configureBuilder: b =>
        {
            b.Services.AddHealthChecks().AddCheck("switch", check);
            b.Services.Configure<FanPin.Contracts.Health.GrpcHealthOptions>(o => o.WatchInterval = TimeSpan.FromMilliseconds(50));
        });
        using var channel = GrpcChannel.ForAddress(server.Address);
        var health = new Health.HealthClient(channel);
        Assert.Equal(ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest())).Status);

        using var watch = health.Watch(new HealthCheckRequest { Service = EchoService.Descriptor.FullName });
        Assert.True(await watch.ResponseStream.MoveNext());
        Assert.Equal(ServingStatus.Serving, watch.ResponseStream.Current.Status);
        check.Healthy = false;
        Assert.True(await watch.ResponseStream.MoveNext());
        Assert.Equal(ServingStatus.NotServing, watch.ResponseStream.Current.Status);
        Assert.Equal(ServingStatus.NotServing, (await health.CheckAsync(new HealthCheckRequest())).Status);

        using var unknown = health.Watch(new HealthCheckRequest { Service = "no.such.Service" });
        Assert.True(await unknown.ResponseStream.MoveNext());
        Assert.Equal(ServingStatus.ServiceUnknown, unknown.ResponseStream.Current.Status);
    }

    [Fact]
    public async Task Typed_clients_come_from_configuration_with_the_aspire_keys()
    {
        await using var server = await EchoServer.StartAsync();
        foreach (var fromEnvironment in new[] { false, true })
        {
            IConfiguration configuration;
            if (fromEnvironment)
            {
                // What Aspire sets: services__<name>__grpc__0, which lands on services:<name>:grpc:0.
                Environment.SetEnvironmentVariable("FANPIN_TEST_services__echo__grpc__0", server.Address.ToString());
                configuration = new ConfigurationBuilder().AddEnvironmentVariables("FANPIN_TEST_").Build();
            }
            else
            {
                configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["services:echo:grpc:0"] = server.Address.ToString() }).Build();
            }
            var services = new ServiceCollection()
                .AddSingleton<IConfiguration>(configuration)
                .AddGrpcClient<EchoService.EchoServiceClient>("echo", (_, o) => o.WithBearerToken(EchoServer.IssueToken("configured")))
                .BuildServiceProvider();
            var client = services.GetRequiredService<EchoService.EchoServiceClient>();
            Assert.Equal("configured", (await client.UnaryAsync(new UnaryRequest())).CallerSubject);
            Assert.Same(client.Channel, services.GetRequiredService<EchoService.EchoServiceClient>().Channel);
            await services.DisposeAsync();
        }
    }

    [Fact]
    public void A_missing_address_names_the_variable_to_set()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => GrpcChannelFactory.ResolveAddress(new ConfigurationBuilder().Build(), "registry"));
        Assert.Contains("services__registry__grpc__0", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mapping_requires_the_transport_and_refuses_duplicates()
    {
        var builder = WebApplication.CreateBuilder();
        await using var bare = builder.Build();
        Assert.Throws<InvalidOperationException>(() => bare.MapGrpcService<EchoServiceImpl>());

        await using var server = await EchoServer.StartAsync();
        Assert.Throws<InvalidOperationException>(() => server.App.MapGrpcService<EchoServiceImpl>());
    }

    /// <summary>An echo service whose Unary ignores cancellation for a while.</summary>
    private sealed class StubbornEchoService : EchoService.EchoServiceBase
    {
        public static TaskCompletionSource<bool> Finished { get; private set; } = new();

        public override async Task<UnaryResponse> Unary(UnaryRequest request, ServerCallContext context)
        {
            var finished = Finished;
            await Task.Delay(3000, CancellationToken.None);
            finished.TrySetResult(context.CancellationToken.IsCancellationRequested);
            Finished = new TaskCompletionSource<bool>();
            return new UnaryResponse();
        }
    }

    private sealed class AttemptCounter : IServerInterceptor
    {
        private readonly ConcurrentDictionary<string, int> _counts = new();

        public int Count(string method) => _counts.GetValueOrDefault(method);

        public Task InvokeAsync(ServerCallContext context, ServerCallDelegate next)
        {
            _counts.AddOrUpdate(context.Method, 1, (_, n) => n + 1);
            return next(context);
        }
    }

    private sealed class SwitchableHealthCheck : IHealthCheck
    {
        public volatile bool Healthy = true;

        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(Healthy ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("switched off"));
    }
}
