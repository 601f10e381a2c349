using System.Globalization;
using System.Net;
using FanPin.Grpc.Protocol;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace FanPin.Grpc.Server;

/// <summary>
/// One call on Kestrel: reads requests, writes responses and ends with the status, either as trailers or,
/// when nothing else was sent, trailers-only (status in the response headers).
/// </summary>
internal sealed class HttpServerCallContext : ServerCallContext
{
    private readonly HttpContext _http;
    private readonly ServerMethod _method;
    private readonly GrpcServerOptions _options;
    // Serialises response writes against the deadline path, which may end the call from a timer; without
    // a deadline only the method writes (one write at a time, by the gRPC contract) and no lock is needed.
    private SemaphoreSlim? _writeLock;
    private readonly FrameReader _requestReader;
    private CancellationTokenSource? _deadlineCts;
    private CancellationTokenSource? _callCts;
    private CancellationTokenRegistration _deadlineRegistration;
    private Metadata? _requestHeaders;
    private Metadata? _responseTrailers;
    private bool _headersSent;
    // Kestrel's HasStarted stays false after a BodyWriter write without a flush: keep our own flag, or a
    // successful unary reply would be sent as trailers-only.
    private bool _bodyWritten;
    private bool _completed;
    private CancellationToken _cancellationToken;

    public HttpServerCallContext(HttpContext http, ServerMethod method, GrpcServerOptions options, string? requestEncoding, bool compressResponses, DateTime deadline)
    {
        _http = http;
        _method = method;
        _options = options;
        CompressResponses = compressResponses;
        Deadline = deadline;
        _requestReader = new FrameReader(http.Request.BodyReader, requestEncoding, options.MaxReceiveMessageSize);
        _cancellationToken = http.RequestAborted;
    }

    public GrpcMethod MethodInfo => _method.Method;

    public bool CompressResponses { get; }

    public override string Method => _method.Method.FullName;

    public override string Host => _http.Request.Host.Value ?? "";

    public override string Peer => FormatPeer(_http.Connection.RemoteIpAddress, _http.Connection.RemotePort);

    public override DateTime Deadline { get; }

    public override Metadata RequestHeaders => _requestHeaders ??= ReadRequestHeaders();

    public override CancellationToken CancellationToken => _cancellationToken;

    public override Metadata ResponseTrailers => _responseTrailers ??= new Metadata();

    public override Status Status { get; set; } = Status.DefaultSuccess;

    public override HttpContext GetHttpContext() => _http;

    internal override Task InvokeMethodAsync() => _method.InvokeAsync(this);

    /// <summary>Starts the deadline timer: when it fires the call ends with DEADLINE_EXCEEDED at once and the method is cancelled.</summary>
    public void StartDeadline(TimeSpan timeout)
    {
        _writeLock = new SemaphoreSlim(1, 1);
        // The timer alone ends the call with DEADLINE_EXCEEDED; the method's token fires for it or for the
        // client going away (which stays CANCELLED).
        _deadlineCts = new CancellationTokenSource();
        _callCts = CancellationTokenSource.CreateLinkedTokenSource(_http.RequestAborted, _deadlineCts.Token);
        _cancellationToken = _callCts.Token;
        _deadlineRegistration = _deadlineCts.Token.Register(static state => _ = ((HttpServerCallContext)state!).DeadlineExceededAsync(), this);
        _deadlineCts.CancelAfter(timeout);
    }

    private ValueTask LockAsync(CancellationToken cancellationToken) =>
        _writeLock is null ? ValueTask.CompletedTask : new ValueTask(_writeLock.WaitAsync(cancellationToken));

    /// <summary>Reads the one request message of a unary or server-streaming call.</summary>
    public async Task<T> ReadSingleRequestAsync<T>(MessageParser<T> parser) where T : class, IMessage<T>
    {
        var message = await _requestReader.ReadAsync(parser, CancellationToken).ConfigureAwait(false)
            ?? throw new RpcException(new Status(StatusCode.Internal, "Request message missing: the stream ended before a message."));
        if (await _requestReader.ReadAsync(parser, CancellationToken).ConfigureAwait(false) is not null)
        {
            throw new RpcException(new Status(StatusCode.Internal, "Additional request message: this method takes exactly one."));
        }
        return message;
    }

    /// <summary>Reads the next message of a request stream; null at its end.</summary>
    public ValueTask<T?> ReadRequestAsync<T>(MessageParser<T> parser, CancellationToken cancellationToken) where T : class, IMessage<T> =>
        _requestReader.ReadAsync(parser, cancellationToken);

    /// <summary>Writes one response message; flushes it (sends it now) unless it is a unary reply.</summary>
    public async Task WriteResponseAsync(IMessage message, bool flush, CancellationToken cancellationToken)
    {
        await LockAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfCompleted();
            MessageFraming.WriteFrame(_http.Response.BodyWriter, message, _options.MaxSendMessageSize, CompressResponses);
            _bodyWritten = true;
            if (flush)
            {
                _headersSent = true;
                await _http.Response.BodyWriter.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _writeLock?.Release();
        }
    }

    public override async Task WriteResponseHeadersAsync(Metadata responseHeaders)
    {
        ArgumentNullException.ThrowIfNull(responseHeaders);
        await LockAsync(CancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfCompleted();
            if (_headersSent || _bodyWritten)
            {
                throw new InvalidOperationException("Response headers can be written only once, before the first response message.");
            }
            foreach (var entry in responseHeaders)
            {
                if (GrpcProtocol.IsReservedHeader(entry.Key))
                {
                    throw new InvalidOperationException($"'{entry.Key}' is a transport header and cannot be sent as metadata.");
                }
                _http.Response.Headers.Append(entry.Key, MetadataCodec.ToHeaderValue(entry));
            }
            _headersSent = true;
            await _http.Response.BodyWriter.FlushAsync(CancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock?.Release();
        }
    }

    /// <summary>Ends the call with <see cref="Status"/> and the trailers, unless the deadline already ended it.</summary>
    public async Task EndCallAsync()
    {
        // Stop the timer first: from here on only this path ends the call.
        await _deadlineRegistration.DisposeAsync().ConfigureAwait(false);
        await LockAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (_completed)
            {
                return;
            }
            _completed = true;
            WriteStatus();
        }
        finally
        {
            _writeLock?.Release();
            _callCts?.Dispose();
            _deadlineCts?.Dispose();
        }
    }

    private async Task DeadlineExceededAsync()
    {
        await LockAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (_completed)
            {
                return;
            }
            _completed = true;
            Status = new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded");
            ResponseTrailers.RemoveAll(RpcException.StatusDetailsTrailer);
            WriteStatus();
            // Send END_STREAM now; the method, cancelled by the same timer, finishes in the background
            // and its late writes fail.
            await _http.Response.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or OperationCanceledException)
        {
            // The client is already gone: nothing left to tell it.
        }
        finally
        {
            _writeLock?.Release();
        }
    }

    private void WriteStatus()
    {
        var response = _http.Response;
        var trailersOnly = !_headersSent && !_bodyWritten && !response.HasStarted;
        try
        {
            if (trailersOnly)
            {
                // Trailers-only: one HEADERS frame with END_STREAM carrying the status.
                WriteStatusTo((k, v) => response.Headers.Append(k, v));
            }
            else if (response.SupportsTrailers())
            {
                WriteStatusTo(response.AppendTrailer);
            }
        }
        catch (InvalidOperationException) when (CancellationToken.IsCancellationRequested)
        {
            // The stream was reset by the client: the status has no one to go to.
        }
    }

    private void WriteStatusTo(Action<string, Microsoft.Extensions.Primitives.StringValues> add)
    {
        add(GrpcProtocol.StatusHeader, ((int)Status.StatusCode).ToString(CultureInfo.InvariantCulture));
        if (!string.IsNullOrEmpty(Status.Detail))
        {
            add(GrpcProtocol.MessageHeader, PercentEncoding.Encode(Status.Detail));
        }
        if (_responseTrailers is null)
        {
            return;
        }
        foreach (var entry in _responseTrailers)
        {
            if (entry.Key == RpcException.StatusDetailsTrailer || !GrpcProtocol.IsReservedHeader(entry.Key))
            {
                add(entry.Key, MetadataCodec.ToHeaderValue(entry));
            }
        }
    }

    private void ThrowIfCompleted()
    {
        if (_completed)
        {
            throw new RpcException(Status.StatusCode == StatusCode.OK
                ? new Status(StatusCode.Internal, "The call has already ended.")
                : Status);
        }
    }

    private Metadata ReadRequestHeaders()
    {
        var metadata = new Metadata();
        foreach (var header in _http.Request.Headers)
        {
            MetadataCodec.AddFromHeader(metadata, header.Key, header.Value);
        }
        return metadata;
    }

    private static string FormatPeer(IPAddress? address, int port) => address switch
    {
        null => "unknown",
        { AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6 } when address.IsIPv4MappedToIPv6 => $"ipv4:{address.MapToIPv4()}:{port}",
        { AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6 } => $"ipv6:[{address}]:{port}",
        _ => $"ipv4:{address}:{port}",
    };

    /// <summary>Relaxes Kestrel's per-request limits that would kill long or slow gRPC streams.</summary>
    public static void RelaxKestrelLimits(HttpContext http, MethodType type)
    {
        // Message sizes are limited per message instead of per body.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } maxBody)
        {
            maxBody.MaxRequestBodySize = null;
        }
        // A slow client stream would otherwise be killed, and Kestrel would reset the whole connection
        // (every other stream on it too). On HTTP/2 only null is accepted.
        if (type is MethodType.ClientStreaming or MethodType.DuplexStreaming && http.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } minRequest)
        {
            minRequest.MinDataRate = null;
        }
        if (type is MethodType.ServerStreaming or MethodType.DuplexStreaming && http.Features.Get<IHttpMinResponseDataRateFeature>() is { } minResponse)
        {
            minResponse.MinDataRate = null;
        }
    }
}
