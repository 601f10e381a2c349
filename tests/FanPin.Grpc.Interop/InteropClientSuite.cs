using System.Diagnostics;
using FanPin.Contracts.Testing.V1;
using Google.Protobuf;
using Google.Rpc;
using Grpc.Health.V1;

namespace FanPin.Grpc.Interop;

/// <summary>
/// Every interop case, run with the C# client against a server of any peer (the grpc-js server in
/// tests/interop/js/server.js, or the C# echo server). A case throws <see cref="InteropFailure"/> with
/// what differed.
/// </summary>
public sealed class InteropClientSuite(Uri address, Uri gzipAddress, string token)
{
    private const int OneMiB = 1024 * 1024;

    /// <summary>The cases, by name.</summary>
    public IReadOnlyList<(string Name, Func<Task> Run)> Cases =>
    [
        ("unary", Unary),
        ("unary_empty_message", UnaryEmpty),
        ("unary_1mib_messages", UnaryLarge),
        ("unary_oversize_request", OversizeRequest),
        ("unary_oversize_response", OversizeResponse),
        ("error_with_details", ErrorWithDetails),
        ("error_validation_bad_request", ErrorValidation),
        ("error_access_denied", ErrorAccessDenied),
        ("error_unhandled_is_internal", ErrorUnhandled),
        ("every_status_code", EveryStatusCode),
        ("deadline_exceeded", DeadlineExceeded),
        ("cancellation", Cancellation),
        ("metadata_text_and_binary", MetadataEcho),
        ("server_streaming", ServerStreaming),
        ("server_streaming_error_after_messages", ServerStreamingError),
        ("server_streaming_cancel", ServerStreamingCancel),
        ("client_streaming", ClientStreaming),
        ("client_streaming_1mib_messages", ClientStreamingLarge),
        ("bidi_streaming", BidiStreaming),
        ("bidi_streaming_error", BidiStreamingError),
        ("unimplemented_service", UnimplementedServiceCall),
        ("unauthenticated_without_token", Unauthenticated),
        ("health_check", HealthCheck),
        ("gzip_both_ways", Gzip),
    ];

    /// <summary>Runs every case; writes one PASS/FAIL line per case naming the peer; returns the number failed.</summary>
    public async Task<int> RunAsync(string peer, TextWriter output, string? only = null)
    {
        var failed = 0;
        foreach (var (name, run) in Cases.Where(c => only is null || c.Name == only))
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await run().WaitAsync(TimeSpan.FromSeconds(30));
                await output.WriteLineAsync($"PASS {peer} {name} ({Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms)");
            }
            catch (Exception ex)
            {
                failed++;
                var reason = ex is InteropFailure ? ex.Message : ex.ToString();
                await output.WriteLineAsync($"FAIL {peer} {name}: {reason}");
            }
        }
        return failed;
    }

    private GrpcChannel Channel(Uri? to = null, bool withToken = true, bool gzip = false)
    {
        var options = new GrpcChannelOptions
        {
            // The server's limit is under test, so the client sends what it is given.
            MaxSendMessageSize = null,
            RequestCompression = gzip ? "gzip" : null,
        };
        if (withToken)
        {
            options.WithBearerToken(token);
        }
        return GrpcChannel.ForAddress(to ?? address, options);
    }

    private EchoService.EchoServiceClient Client(GrpcChannel channel) => new(channel);

    private async Task Unary()
    {
        using var channel = Channel();
        var response = await Client(channel).UnaryAsync(new UnaryRequest { Message = "你好, FanPin", Payload = Bytes(10), ResponsePayloadSize = 20 });
        Check(response.Message == "你好, FanPin", $"message '{response.Message}'");
        Check(response.ReceivedPayloadSize == 10, $"received_payload_size {response.ReceivedPayloadSize}");
        Check(response.Payload.Length == 20, $"payload {response.Payload.Length} bytes");
        Check(response.CallerSubject == "interop-client", $"caller_subject '{response.CallerSubject}'");
    }

    private async Task UnaryEmpty()
    {
        using var channel = Channel();
        var response = await Client(channel).UnaryAsync(new UnaryRequest());
        Check(response.CalculateSize() > 0 && response.Message == "" && response.Payload.IsEmpty, "expected an empty echo");
    }

    private async Task UnaryLarge()
    {
        using var channel = Channel();
        var response = await Client(channel).UnaryAsync(new UnaryRequest { Payload = Bytes(OneMiB), ResponsePayloadSize = OneMiB });
        Check(response.ReceivedPayloadSize == OneMiB && response.Payload.Length == OneMiB, $"sizes {response.ReceivedPayloadSize}/{response.Payload.Length}");
    }

    private async Task OversizeRequest()
    {
        using var channel = Channel();
        var ex = await ExpectError(() => Client(channel).UnaryAsync(new UnaryRequest { Payload = Bytes(5 * OneMiB) }).ResponseAsync);
        CheckCode(ex, StatusCode.ResourceExhausted);
        // The connection survives: the next call works.
        var after = await Client(channel).UnaryAsync(new UnaryRequest { Message = "after" });
        Check(after.Message == "after", "call after the oversize one failed");
    }

    private async Task OversizeResponse()
    {
        using var channel = Channel();
        var ex = await ExpectError(() => Client(channel).UnaryAsync(new UnaryRequest { ResponsePayloadSize = 5 * OneMiB }).ResponseAsync);
        CheckCode(ex, StatusCode.ResourceExhausted);
    }

    private async Task ErrorWithDetails()
    {
        using var channel = Channel();
        const string text = "案件已关闭 100% done\nsecond line";
        var ex = await ExpectError(() => Client(channel).UnaryAsync(new UnaryRequest
        {
            Fault = new Fault { Kind = Fault.Types.Kind.Status, Code = (int)StatusCode.FailedPrecondition, Message = text, Reason = "CASE_CLOSED" },
        }).ResponseAsync);
        CheckCode(ex, StatusCode.FailedPrecondition);
        Check(ex.Status.Detail == text, $"grpc-message '{ex.Status.Detail}'");
        var status = ex.GetRpcStatus() ?? throw new InteropFailure("no grpc-status-details-bin");
        Check(status.Code == (int)StatusCode.FailedPrecondition && status.Message == text, $"details status {status.Code} '{status.Message}'");
        var info = ex.GetDetail<ErrorInfo>() ?? throw new InteropFailure("no ErrorInfo detail");
        Check(info.Type == "CASE_CLOSED" && info.Domain == "fanpin", $"ErrorInfo {info}");
    }

    private async Task ErrorValidation()
    {
        using var channel = Channel();
        var ex = await ExpectError(() => Client(channel).UnaryAsync(new UnaryRequest
        {
            Fault = new Fault { Kind = Fault.Types.Kind.Validation, Message = "must have 18 characters", Reason = "members[0].id_number" },
        }).ResponseAsync);
        CheckCode(ex, StatusCode.InvalidArgument);
        var badRequest = ex.GetDetail<BadRequest>() ?? throw new InteropFailure("no BadRequest detail");
        Check(badRequest.FieldViolations.Count == 1 && badRequest.FieldViolations[0].Field == "members[0].id_number"
            && badRequest.FieldViolations[0].Description == "must have 18 characters", $"BadRequest {badRequest}");
    }

    private async Task ErrorAccessDenied()
    {
        using var channel = Channel();
        var ex = await ExpectError(() => Client(channel).UnaryAsync(new UnaryRequest
        {
            Fault = new Fault { Kind = Fault.Types.Kind.AccessDenied, Message = "region 620103 is outside the caller's scope 620102" },
        }).ResponseAsync);
        CheckCode(ex, StatusCode.PermissionDenied);
        Check(ex.Status.Detail.Contains("620103", StringComparison.Ordinal), $"message '{ex.Status.Detail}'");
    }

    private async Task ErrorUnhandled()
    {
        using var channel = Channel();
        var ex = await ExpectError(() => Client(channel).UnaryAsync(new UnaryRequest
        {
            Fault = new Fault { Kind = Fault.Types.Kind.Unhandled, Message = "connection string Password=hunter2" },
        }).ResponseAsync);
        CheckCode(ex, StatusCode.Internal);
        Check(!ex.Status.Detail.Contains("hunter2", StringComparison.Ordinal) && !ex.Status.Detail.Contains("secret", StringComparison.Ordinal),
            $"the exception text leaked: '{ex.Status.Detail}'");
    }

    private async Task EveryStatusCode()
    {
        using var channel = Channel();
        for (var code = 1; code <= 16; code++)
        {
            var ex = await ExpectError(() => Client(channel).UnaryAsync(new UnaryRequest
            {
                Fault = new Fault { Kind = Fault.Types.Kind.Status, Code = code, Message = $"code {code}", Reason = "TEST" },
            }).ResponseAsync);
            CheckCode(ex, (StatusCode)code);
            Check(ex.Status.Detail == $"code {code}", $"code {code}: message '{ex.Status.Detail}'");
        }
    }

    private async Task DeadlineExceeded()
    {
        using var channel = Channel();
        var tag = NewTag();
        var started = Stopwatch.GetTimestamp();
        var ex = await ExpectError(() => Client(channel).UnaryAsync(new UnaryRequest { DelayMs = 20_000, Tag = tag }, deadline: DateTime.UtcNow.AddSeconds(1)).ResponseAsync);
        CheckCode(ex, StatusCode.DeadlineExceeded);
        var elapsed = Stopwatch.GetElapsedTime(started);
        // Far below the 20 s the server would wait: the deadline, not the delay, ended the call.
        Check(elapsed < TimeSpan.FromSeconds(10), $"took {elapsed.TotalMilliseconds:0} ms");
        var record = await WaitForRecordAsync(channel, tag);
        Check(record.Cancelled, "the server's call was not cancelled by the deadline");
    }

    private async Task Cancellation()
    {
        using var channel = Channel();
        var tag = NewTag();
        // Long enough for the call to reach the server even on a busy machine: its cancellation is checked there.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        var ex = await ExpectError(() => Client(channel).UnaryAsync(new UnaryRequest { DelayMs = 10_000, Tag = tag }, cancellationToken: cts.Token).ResponseAsync);
        CheckCode(ex, StatusCode.Cancelled);
        var record = await WaitForRecordAsync(channel, tag);
        Check(record.Cancelled && !record.DeadlineExceeded, $"server record {record}");
    }

    private async Task MetadataEcho()
    {
        using var channel = Channel();
        byte[] binary = [0, 1, 2, 0xFE, 0xFF, 0x80];
        var headers = new Metadata { { "x-echo-text", "hello world" }, { "x-echo-data-bin", binary }, { "x-not-echoed", "no" } };
        var call = Client(channel).UnaryAsync(new UnaryRequest { Message = "m" }, headers);
        var responseHeaders = await call.ResponseHeadersAsync;
        await call;
        var trailers = call.GetTrailers();
        foreach (var (where, md) in new[] { ("headers", responseHeaders), ("trailers", trailers) })
        {
            Check(md.GetValue("x-echo-text") == "hello world", $"{where}: x-echo-text '{md.GetValue("x-echo-text")}'");
            Check(md.GetValueBytes("x-echo-data-bin") is { } b && b.AsSpan().SequenceEqual(binary), $"{where}: x-echo-data-bin");
            Check(md.Get("x-not-echoed") is null, $"{where}: x-not-echoed was echoed");
        }
    }

    private async Task ServerStreaming()
    {
        using var channel = Channel();
        using var call = Client(channel).ServerStream(new ServerStreamRequest { Message = "s", Count = 5, PayloadSize = 10 });
        var received = new List<ServerStreamResponse>();
        await foreach (var message in call.ResponseStream.ReadAllAsync())
        {
            received.Add(message);
        }
        Check(received.Count == 5 && received.Select(r => r.Index).SequenceEqual(Enumerable.Range(0, 5)) && received.All(r => r.Message == "s" && r.Payload.Length == 10),
            $"received {received.Count} messages");
        Check(call.GetStatus().StatusCode == StatusCode.OK, $"status {call.GetStatus()}");
    }

    private async Task ServerStreamingError()
    {
        using var channel = Channel();
        using var call = Client(channel).ServerStream(new ServerStreamRequest
        {
            Count = 3,
            Fault = new Fault { Kind = Fault.Types.Kind.Status, Code = (int)StatusCode.Aborted, Message = "stopped", Reason = "STOP" },
        });
        var count = 0;
        var ex = await ExpectError(async () =>
        {
            while (await call.ResponseStream.MoveNext())
            {
                count++;
            }
        });
        CheckCode(ex, StatusCode.Aborted);
        Check(count == 3, $"received {count} messages before the error");
        Check(ex.GetDetail<ErrorInfo>()?.Type == "STOP", "no ErrorInfo in the trailers");
    }

    private async Task ServerStreamingCancel()
    {
        using var channel = Channel();
        var tag = NewTag();
        using var cts = new CancellationTokenSource();
        using var call = Client(channel).ServerStream(new ServerStreamRequest { Count = 1000, IntervalMs = 20, Tag = tag }, cancellationToken: cts.Token);
        Check(await call.ResponseStream.MoveNext() && await call.ResponseStream.MoveNext(), "expected two messages");
        await cts.CancelAsync();
        var ex = await ExpectError(async () =>
        {
            while (await call.ResponseStream.MoveNext())
            {
            }
        });
        CheckCode(ex, StatusCode.Cancelled);
        var record = await WaitForRecordAsync(channel, tag);
        Check(record.Cancelled, "the server's stream was not cancelled");
    }

    private async Task ClientStreaming()
    {
        using var channel = Channel();
        using var call = Client(channel).ClientStream();
        for (var i = 0; i < 10; i++)
        {
            await call.RequestStream.WriteAsync(new ClientStreamRequest { Message = $"m{i}", Payload = Bytes(i) });
        }
        await call.RequestStream.CompleteAsync();
        var response = await call;
        Check(response.Count == 10 && response.TotalPayloadSize == 45 && response.Messages.SequenceEqual(Enumerable.Range(0, 10).Select(i => $"m{i}")),
            $"response {response}");
    }

    private async Task ClientStreamingLarge()
    {
        using var channel = Channel();
        using var call = Client(channel).ClientStream();
        for (var i = 0; i < 3; i++)
        {
            await call.RequestStream.WriteAsync(new ClientStreamRequest { Payload = Bytes(OneMiB) });
        }
        await call.RequestStream.CompleteAsync();
        var response = await call;
        Check(response.Count == 3 && response.TotalPayloadSize == 3L * OneMiB, $"count {response.Count}, total {response.TotalPayloadSize}");
    }

    private async Task BidiStreaming()
    {
        using var channel = Channel();
        using var call = Client(channel).BidiStream(new Metadata { { "x-echo-bidi", "yes" } });
        for (var i = 0; i < 5; i++)
        {
            await call.RequestStream.WriteAsync(new BidiStreamRequest { Message = $"ping {i}", ResponsePayloadSize = i * 100 });
            Check(await call.ResponseStream.MoveNext(), $"no response to ping {i}");
            var response = call.ResponseStream.Current;
            Check(response.Index == i && response.Message == $"ping {i}" && response.Payload.Length == i * 100, $"response {response}");
        }
        await call.RequestStream.CompleteAsync();
        Check(!await call.ResponseStream.MoveNext(), "a response after the request stream ended");
        Check((await call.ResponseHeadersAsync).GetValue("x-echo-bidi") == "yes", "response headers");
        Check(call.GetTrailers().GetValue("x-echo-bidi") == "yes", "trailers");
    }

    private async Task BidiStreamingError()
    {
        using var channel = Channel();
        using var call = Client(channel).BidiStream();
        await call.RequestStream.WriteAsync(new BidiStreamRequest { Message = "one" });
        Check(await call.ResponseStream.MoveNext(), "no first response");
        await call.RequestStream.WriteAsync(new BidiStreamRequest
        {
            Fault = new Fault { Kind = Fault.Types.Kind.Validation, Message = "bad", Reason = "message" },
        });
        var ex = await ExpectError(async () =>
        {
            while (await call.ResponseStream.MoveNext())
            {
            }
        });
        CheckCode(ex, StatusCode.InvalidArgument);
        Check(ex.GetDetail<BadRequest>()?.FieldViolations.SingleOrDefault()?.Field == "message", "BadRequest field");
    }

    private async Task UnimplementedServiceCall()
    {
        using var channel = Channel();
        var ex = await ExpectError(() => new UnimplementedService.UnimplementedServiceClient(channel).UnimplementedCallAsync(new UnimplementedCallRequest()).ResponseAsync);
        CheckCode(ex, StatusCode.Unimplemented);
    }

    private async Task Unauthenticated()
    {
        using var channel = Channel(withToken: false);
        var ex = await ExpectError(() => Client(channel).UnaryAsync(new UnaryRequest()).ResponseAsync);
        CheckCode(ex, StatusCode.Unauthenticated);
        Check(ex.Status.Detail.Length > 0, "no reason given");
    }

    private async Task HealthCheck()
    {
        using var channel = Channel(withToken: false);
        var health = new Health.HealthClient(channel);
        var overall = await health.CheckAsync(new HealthCheckRequest());
        Check(overall.Status == HealthCheckResponse.Types.ServingStatus.Serving, $"overall {overall.Status}");
        var echo = await health.CheckAsync(new HealthCheckRequest { Service = EchoService.Descriptor.FullName });
        Check(echo.Status == HealthCheckResponse.Types.ServingStatus.Serving, $"echo {echo.Status}");
        var ex = await ExpectError(() => health.CheckAsync(new HealthCheckRequest { Service = "no.such.Service" }).ResponseAsync);
        CheckCode(ex, StatusCode.NotFound);
    }

    private async Task Gzip()
    {
        using var channel = Channel(gzipAddress, gzip: true);
        var client = Client(channel);
        var response = await client.UnaryAsync(new UnaryRequest { Payload = Bytes(OneMiB), ResponsePayloadSize = OneMiB });
        Check(response.ReceivedPayloadSize == OneMiB && response.Payload.Length == OneMiB, "1 MiB each way");
        var empty = await client.UnaryAsync(new UnaryRequest());
        Check(empty.Message == "", "empty message");
        using var stream = client.ServerStream(new ServerStreamRequest { Count = 3, PayloadSize = 1000 });
        var count = 0;
        await foreach (var _ in stream.ResponseStream.ReadAllAsync())
        {
            count++;
        }
        Check(count == 3, $"stream of {count}");
    }

    private static async Task<GetCallRecordResponse> WaitForRecordAsync(GrpcChannel channel, string tag)
    {
        // The server records the call when its method returns, which may be just after the client gave up.
        var client = new EchoService.EchoServiceClient(channel);
        for (var i = 0; i < 50; i++)
        {
            var record = await client.GetCallRecordAsync(new GetCallRecordRequest { Tag = tag });
            if (record.Found)
            {
                return record;
            }
            await Task.Delay(100);
        }
        throw new InteropFailure($"the server never recorded call {tag}");
    }

    private static async Task<RpcException> ExpectError(Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (RpcException ex)
        {
            return ex;
        }
        throw new InteropFailure("the call succeeded; an error was expected");
    }

    private static void CheckCode(RpcException ex, StatusCode expected) =>
        Check(ex.StatusCode == expected, $"expected {expected}, got {ex.StatusCode}: {ex.Status.Detail}");

    private static void Check(bool condition, string what)
    {
        if (!condition)
        {
            throw new InteropFailure(what);
        }
    }

    private static string NewTag() => Guid.NewGuid().ToString("N");

    private static ByteString Bytes(int size)
    {
        var bytes = new byte[size];
        Random.Shared.NextBytes(bytes);
        return ByteString.CopyFrom(bytes);
    }
}

/// <summary>An interop case found a difference.</summary>
public sealed class InteropFailure(string message) : Exception(message);
