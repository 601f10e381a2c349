using FanPin.Contracts.Testing.V1;
using FanPin.ServiceDefaults.Authentication;
using Google.Protobuf;

namespace FanPin.Grpc.Interop;

/// <summary>
/// The echo test service (protos/fanpin/testing/v1/echo.proto): what each request asks for, it does. The
/// grpc-js server in tests/interop/js/server.js implements the same behaviour, so both peers answer the
/// same cases.
/// </summary>
public sealed class EchoServiceImpl(CallRecorder recorder) : EchoService.EchoServiceBase
{
    private const string EchoPrefix = "x-echo-";

    // Bounds that keep a fuzzed request from asking for gigabytes or hours.
    private const int MaxPayloadSize = 8 * 1024 * 1024;
    private const int MaxDelayMs = 60_000;
    private const int MaxCount = 100_000;

    public override async Task<UnaryResponse> Unary(UnaryRequest request, ServerCallContext context)
    {
        try
        {
            new FieldViolations()
                .AddIf(request.ResponsePayloadSize is < 0 or > MaxPayloadSize, "response_payload_size", $"must be 0 to {MaxPayloadSize}")
                .AddIf(request.DelayMs is < 0 or > MaxDelayMs, "delay_ms", $"must be 0 to {MaxDelayMs}")
                .ThrowIfAny();
            await EchoMetadataAsync(context);
            if (request.DelayMs > 0)
            {
                await Task.Delay(request.DelayMs, context.CancellationToken);
            }
            ThrowFault(request.Fault);
            return new UnaryResponse
            {
                Message = request.Message,
                Payload = Payload(request.ResponsePayloadSize),
                ReceivedPayloadSize = request.Payload.Length,
                CallerSubject = context.Caller?.Subject ?? "",
            };
        }
        finally
        {
            recorder.Record(request.Tag, context);
        }
    }

    public override async Task ServerStream(ServerStreamRequest request, IServerStreamWriter<ServerStreamResponse> responseStream, ServerCallContext context)
    {
        try
        {
            new FieldViolations()
                .AddIf(request.Count is < 0 or > MaxCount, "count", $"must be 0 to {MaxCount}")
                .AddIf(request.PayloadSize is < 0 or > MaxPayloadSize, "payload_size", $"must be 0 to {MaxPayloadSize}")
                .AddIf(request.IntervalMs is < 0 or > MaxDelayMs, "interval_ms", $"must be 0 to {MaxDelayMs}")
                .AddIf((long)request.Count * request.PayloadSize > MaxPayloadSize * 8L, "payload_size", "count × payload_size must stay under 64 MiB")
                .ThrowIfAny();
            await EchoMetadataAsync(context);
            for (var i = 0; i < request.Count; i++)
            {
                if (request.IntervalMs > 0)
                {
                    await Task.Delay(request.IntervalMs, context.CancellationToken);
                }
                await responseStream.WriteAsync(new ServerStreamResponse { Index = i, Message = request.Message, Payload = Payload(request.PayloadSize) });
            }
            ThrowFault(request.Fault);
        }
        finally
        {
            recorder.Record(request.Tag, context);
        }
    }

    public override async Task<ClientStreamResponse> ClientStream(IAsyncStreamReader<ClientStreamRequest> requestStream, ServerCallContext context)
    {
        await EchoMetadataAsync(context);
        var response = new ClientStreamResponse();
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            response.Count++;
            response.TotalPayloadSize += request.Payload.Length;
            response.Messages.Add(request.Message);
        }
        return response;
    }

    public override async Task BidiStream(IAsyncStreamReader<BidiStreamRequest> requestStream, IServerStreamWriter<BidiStreamResponse> responseStream, ServerCallContext context)
    {
        await EchoMetadataAsync(context);
        var index = 0;
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            ThrowFault(request.Fault);
            if (request.ResponsePayloadSize is < 0 or > MaxPayloadSize)
            {
                throw new RequestValidationException("response_payload_size", $"must be 0 to {MaxPayloadSize}");
            }
            await responseStream.WriteAsync(new BidiStreamResponse { Index = index++, Message = request.Message, Payload = Payload(request.ResponsePayloadSize) });
        }
    }

    public override Task<GetCallRecordResponse> GetCallRecord(GetCallRecordRequest request, ServerCallContext context) =>
        Task.FromResult(recorder.Get(request.Tag));

    /// <summary>Sends every x-echo-* request header back as a response header and as a trailer.</summary>
    private static async Task EchoMetadataAsync(ServerCallContext context)
    {
        var echoed = new Metadata();
        foreach (var entry in context.RequestHeaders)
        {
            if (entry.Key.StartsWith(EchoPrefix, StringComparison.Ordinal))
            {
                echoed.Add(entry);
                context.ResponseTrailers.Add(entry);
            }
        }
        if (echoed.Count > 0)
        {
            await context.WriteResponseHeadersAsync(echoed);
        }
    }

    private static void ThrowFault(Fault? fault)
    {
        switch (fault?.Kind ?? Fault.Types.Kind.Unspecified)
        {
            case Fault.Types.Kind.Status:
                throw RpcException.WithErrorInfo((StatusCode)fault!.Code, fault.Message, fault.Reason);
            case Fault.Types.Kind.Validation:
                throw new RequestValidationException(fault!.Reason, fault.Message);
            case Fault.Types.Kind.AccessDenied:
                throw new AccessDeniedException(fault!.Message);
            case Fault.Types.Kind.Unhandled:
                throw new InvalidOperationException("secret internal detail: " + fault!.Message);
        }
    }

    private static ByteString Payload(int size) => size <= 0 ? ByteString.Empty : ByteString.CopyFrom(new byte[size]);
}
