using System.Diagnostics.Metrics;
using System.Net;
using FanPin.Contracts.Testing.V1;
using FanPin.Grpc.Diagnostics;
using FanPin.Grpc.Interop;
using FanPin.Grpc.Protocol;
using Google.Protobuf;

namespace FanPin.Grpc.Tests;

/// <summary>The C# client against the C# server on a real Kestrel, on loopback ports.</summary>
public class FunctionalTests(EchoServerFixture fixture) : IClassFixture<EchoServerFixture>
{
    public static TheoryData<string> CaseNames()
    {
        var data = new TheoryData<string>();
        foreach (var (name, _) in new InteropClientSuite(new Uri("http://unused"), new Uri("http://unused"), "").Cases)
        {
            data.Add(name);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Interop_case_passes_between_csharp_client_and_server(string name)
    {
        var suite = new InteropClientSuite(fixture.Server.Address, fixture.GzipServer.Address, fixture.Token);
        var output = new StringWriter();
        var failed = await suite.RunAsync("csharp-server", output, name);
        Assert.True(failed == 0, output.ToString());
        Assert.StartsWith("PASS", output.ToString(), StringComparison.Ordinal);
    }

    private static byte[] Frame(IMessage message) => MessageFraming.ToFrame(message, null, compress: false);

    private const string UnaryPath = "/fanpin.testing.v1.EchoService/Unary";

    [Fact]
    public async Task An_error_before_any_message_is_sent_trailers_only()
    {
        var body = Frame(new UnaryRequest { Fault = new Fault { Kind = Fault.Types.Kind.Status, Code = 5, Message = "missing" } });
        var response = await RawHttp.SendAsync(RawHttp.Request(fixture.Server.Address, UnaryPath, body, fixture.Token));
        Assert.Equal(HttpStatusCode.OK, response.HttpStatus);
        Assert.True(response.TrailersOnly);
        Assert.Equal("5", response.GrpcStatus);
        Assert.Empty(response.Body);
    }

    [Fact]
    public async Task A_successful_reply_has_headers_message_and_trailers()
    {
        var response = await RawHttp.SendAsync(RawHttp.Request(fixture.Server.Address, UnaryPath, Frame(new UnaryRequest { Message = "hi" }), fixture.Token));
        Assert.False(response.TrailersOnly);
        Assert.Equal("0", response.GrpcStatus);
        Assert.Equal(0, response.Body[0]);
        Assert.Equal("hi", UnaryResponse.Parser.ParseFrom(response.Body.AsSpan(5)).Message);
        Assert.Equal("identity,gzip", response.AcceptEncoding);
    }

    [Fact]
    public async Task Unknown_method_of_a_known_service_is_unimplemented()
    {
        var response = await RawHttp.SendAsync(RawHttp.Request(fixture.Server.Address, "/fanpin.testing.v1.EchoService/Nope", Frame(new UnaryRequest()), fixture.Token));
        Assert.Equal("12", response.GrpcStatus);
        Assert.True(response.TrailersOnly);
        Assert.Contains("Method is unimplemented", response.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_service_is_unimplemented()
    {
        var response = await RawHttp.SendAsync(RawHttp.Request(fixture.Server.Address, "/no.such.v1.Service/Method", Frame(new UnaryRequest()), fixture.Token));
        Assert.Equal("12", response.GrpcStatus);
        Assert.Contains("Service is unimplemented: no.such.v1.Service", response.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Other_content_types_get_415()
    {
        var response = await RawHttp.SendAsync(RawHttp.Request(fixture.Server.Address, UnaryPath, Frame(new UnaryRequest()), fixture.Token, contentType: "application/json"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.HttpStatus);
        Assert.Equal("13", response.GrpcStatus);
    }

    [Fact]
    public async Task Http1_gets_426()
    {
        using var http1 = new HttpMessageInvoker(new SocketsHttpHandler());
        var request = RawHttp.Request(fixture.Server.HealthAddress, UnaryPath, Frame(new UnaryRequest()), fixture.Token, version: HttpVersion.Version11);
        var response = await RawHttp.SendAsync(request, http1);
        Assert.Equal(HttpStatusCode.UpgradeRequired, response.HttpStatus);
        Assert.Equal("13", response.GrpcStatus);
    }

    [Fact]
    public async Task Health_endpoints_answer_over_http1()
    {
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(fixture.Server.HealthAddress, "/health"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(fixture.Server.HealthAddress, "/alive"))).StatusCode);
    }

    [Fact]
    public async Task Unsupported_request_encoding_is_unimplemented_and_says_what_is_accepted()
    {
        var request = RawHttp.Request(fixture.Server.Address, UnaryPath, Frame(new UnaryRequest()), fixture.Token);
        request.Headers.TryAddWithoutValidation("grpc-encoding", "snappy");
        var response = await RawHttp.SendAsync(request);
        Assert.Equal("12", response.GrpcStatus);
        Assert.Equal("identity,gzip", response.AcceptEncoding);
    }

    [Fact]
    public async Task Two_messages_to_a_unary_method_are_internal()
    {
        var body = Frame(new UnaryRequest()).Concat(Frame(new UnaryRequest())).ToArray();
        var response = await RawHttp.SendAsync(RawHttp.Request(fixture.Server.Address, UnaryPath, body, fixture.Token));
        Assert.Equal("13", response.GrpcStatus);
    }

    [Fact]
    public async Task Gzip_responses_are_configured_not_mirrored()
    {
        var compressed = MessageFraming.ToFrame(new UnaryRequest { Message = "zip", ResponsePayloadSize = 1000 }, null, compress: true);
        HttpRequestMessage Compressed(Uri server)
        {
            var request = RawHttp.Request(server, UnaryPath, compressed, fixture.Token);
            request.Headers.TryAddWithoutValidation("grpc-encoding", "gzip");
            request.Headers.TryAddWithoutValidation("grpc-accept-encoding", "identity,gzip");
            return request;
        }

        var plain = await RawHttp.SendAsync(Compressed(fixture.Server.Address));
        Assert.Equal("0", plain.GrpcStatus);
        Assert.Null(plain.Encoding);
        Assert.Equal(0, plain.Body[0]);

        var gzip = await RawHttp.SendAsync(Compressed(fixture.GzipServer.Address));
        Assert.Equal("0", gzip.GrpcStatus);
        Assert.Equal("gzip", gzip.Encoding);
        Assert.Equal(1, gzip.Body[0]);
        var payload = new System.Buffers.ReadOnlySequence<byte>(gzip.Body.AsMemory(5));
        Assert.Equal("zip", MessageFraming.Parse(UnaryResponse.Parser, payload, true, "gzip", null).Message);
    }

    [Fact]
    public async Task A_gzip_server_does_not_compress_for_a_client_that_cannot_read_it()
    {
        var request = RawHttp.Request(fixture.GzipServer.Address, UnaryPath, Frame(new UnaryRequest { Message = "x" }), fixture.Token);
        request.Headers.TryAddWithoutValidation("grpc-accept-encoding", "identity");
        var response = await RawHttp.SendAsync(request);
        Assert.Null(response.Encoding);
        Assert.Equal(0, response.Body[0]);
    }

    [Fact]
    public async Task Client_refuses_to_send_beyond_its_limit()
    {
        using var channel = fixture.Channel(o => o.MaxSendMessageSize = 1000);
        var ex = await Assert.ThrowsAsync<RpcException>(() => new EchoService.EchoServiceClient(channel).UnaryAsync(new UnaryRequest { Payload = ByteString.CopyFrom(new byte[2000]) }).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }

    [Fact]
    public async Task Client_refuses_to_receive_beyond_its_limit()
    {
        using var channel = fixture.Channel(o => o.MaxReceiveMessageSize = 1000);
        var ex = await Assert.ThrowsAsync<RpcException>(() => new EchoService.EchoServiceClient(channel).UnaryAsync(new UnaryRequest { ResponsePayloadSize = 2000 }).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }

    [Fact]
    public async Task The_deadline_reaches_the_server_as_its_context_deadline()
    {
        using var channel = fixture.Channel();
        var client = new EchoService.EchoServiceClient(channel);
        var tag = Guid.NewGuid().ToString("N");
        var ex = await Assert.ThrowsAsync<RpcException>(() => client.UnaryAsync(new UnaryRequest { DelayMs = 10_000, Tag = tag }, deadline: DateTime.UtcNow.AddSeconds(1)).ResponseAsync);
        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
        GetCallRecordResponse record;
        do
        {
            record = await client.GetCallRecordAsync(new GetCallRecordRequest { Tag = tag });
        }
        while (!record.Found);
        Assert.True(record.Cancelled);
    }

    [Fact]
    public async Task A_deadline_already_past_fails_without_calling()
    {
        using var channel = fixture.Channel();
        var ex = await Assert.ThrowsAsync<RpcException>(() => new EchoService.EchoServiceClient(channel).UnaryAsync(new UnaryRequest(), deadline: DateTime.UtcNow.AddSeconds(-1)).ResponseAsync);
        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
    }

    [Fact]
    public async Task A_request_arriving_after_its_deadline_is_deadline_exceeded()
    {
        var request = RawHttp.Request(fixture.Server.Address, UnaryPath, Frame(new UnaryRequest()), fixture.Token);
        request.Headers.TryAddWithoutValidation("grpc-timeout", "1n");
        var response = await RawHttp.SendAsync(request);
        Assert.Equal("4", response.GrpcStatus);
        Assert.True(response.TrailersOnly);
    }

    [Fact]
    public async Task Disposing_a_stream_cancels_it_on_the_server()
    {
        using var channel = fixture.Channel();
        var client = new EchoService.EchoServiceClient(channel);
        var tag = Guid.NewGuid().ToString("N");
        var call = client.ServerStream(new ServerStreamRequest { Count = 1000, IntervalMs = 10, Tag = tag });
        Assert.True(await call.ResponseStream.MoveNext());
        call.Dispose();
        Assert.Equal(StatusCode.Cancelled, call.GetStatus().StatusCode);
        GetCallRecordResponse record;
        do
        {
            record = await client.GetCallRecordAsync(new GetCallRecordRequest { Tag = tag });
        }
        while (!record.Found);
        Assert.True(record.Cancelled);
    }

    [Fact]
    public async Task A_trailers_only_failure_has_headers_without_the_status()
    {
        using var channel = fixture.Channel();
        var call = new EchoService.EchoServiceClient(channel).UnaryAsync(new UnaryRequest { Fault = new Fault { Kind = Fault.Types.Kind.Status, Code = 5, Message = "no" } });
        await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);
        Assert.Equal(StatusCode.NotFound, call.GetStatus().StatusCode);
        var headers = await call.ResponseHeadersAsync;
        Assert.DoesNotContain(headers, e => e.Key.StartsWith("grpc-", StringComparison.Ordinal));
        Assert.Null(call.GetTrailers().Get("grpc-status"));
    }

    [Fact]
    public async Task Metrics_count_calls_by_method_and_status()
    {
        var seen = new List<(string Name, long Value, string? Method, int? Code)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == GrpcMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? method = null;
            int? code = null;
            foreach (var tag in tags)
            {
                method = tag.Key == "rpc.method" ? tag.Value as string : method;
                code = tag.Key == "rpc.grpc.status_code" ? tag.Value as int? : code;
            }
            lock (seen)
            {
                seen.Add((instrument.Name, value, method, code));
            }
        });
        listener.Start();
        using var channel = fixture.Channel();
        await Assert.ThrowsAsync<RpcException>(() => new EchoService.EchoServiceClient(channel).UnaryAsync(new UnaryRequest
        {
            Fault = new Fault { Kind = Fault.Types.Kind.Status, Code = (int)StatusCode.NotFound, Message = "m" },
        }).ResponseAsync);
        listener.Dispose();
        lock (seen)
        {
            Assert.Contains(seen, m => m is { Name: "fanpin.grpc.server.calls", Value: 1, Method: UnaryPath, Code: 5 });
            Assert.Contains(seen, m => m is { Name: "fanpin.grpc.client.calls", Value: 1, Method: UnaryPath, Code: 5 });
        }
    }

    [Fact]
    public async Task Connection_refused_is_unavailable()
    {
        using var channel = GrpcChannel.ForAddress("http://127.0.0.1:1", new GrpcChannelOptions { Retry = new RetryPolicy { MaxAttempts = 1 } });
        var ex = await Assert.ThrowsAsync<RpcException>(() => new EchoService.EchoServiceClient(channel).ClientStream().ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
    }
}
