using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;
using FanPin.Grpc.Client;
using FanPin.Grpc.Diagnostics;
using FanPin.Grpc.Protocol;
using Google.Protobuf;

namespace FanPin.Grpc;

/// <summary>
/// One client call over HttpClient, of any kind: sends the request, reads the response headers,
/// messages and trailers, maps every failure to a status, and retries UNAVAILABLE for idempotent methods.
/// </summary>
internal sealed class ClientCall<TRequest, TResponse> : IClientCallState
    where TRequest : class, IMessage<TRequest>, new()
    where TResponse : class, IMessage<TResponse>, new()
{
    private const string UserAgent = "fanpin-grpc/1.0";
    private static readonly StreamPipeReaderOptions ReaderOptions = new(bufferSize: 16 * 1024, minimumReadSize: 4 * 1024, leaveOpen: false);

    private readonly GrpcChannel _channel;
    private readonly GrpcMethod<TRequest, TResponse> _method;
    private readonly CallOptions _options;
    private readonly long _started = Stopwatch.GetTimestamp();
    // Both created only when someone waits on them: most unary callers never read the response headers.
    private TaskCompletionSource<Metadata>? _headers;
    private HttpResponseHeaders? _receivedHeaders;
    private TaskCompletionSource? _ended;
    private readonly CancellationTokenSource? _deadlineCts;
    private readonly CancellationTokenSource? _linkedCts;
    private readonly CancellationToken _token;
    private readonly CancellationTokenRegistration _cancelRegistration;
    private readonly bool _compress;
    private HttpResponseMessage? _response;
    private FrameReader? _reader;
    private StreamingRequestContent? _requestContent;
    private Task? _start;
    private Status? _status;
    private Metadata? _trailers;
    private int _finished;
    private bool _requestCompleted;

    public ClientCall(GrpcChannel channel, GrpcMethod<TRequest, TResponse> method, CallOptions options)
    {
        options.ValidateHeaders();
        _channel = channel;
        _method = method;
        _options = options;
        _compress = string.Equals(channel.Options.RequestCompression, GrpcProtocol.Gzip, StringComparison.OrdinalIgnoreCase);
        if (options.Deadline is { } deadline && deadline != DateTime.MaxValue)
        {
            var remaining = deadline.ToUniversalTime() - DateTime.UtcNow;
            _deadlineCts = new CancellationTokenSource();
            if (remaining > TimeSpan.Zero)
            {
                _deadlineCts.CancelAfter(remaining);
            }
            else
            {
                // Already late: fail now, without sending anything (CancelAfter(0) would race the send).
                _deadlineCts.Cancel();
            }
            _linkedCts = CancellationTokenSource.CreateLinkedTokenSource(_deadlineCts.Token, options.CancellationToken);
            _token = _linkedCts.Token;
        }
        else
        {
            _token = options.CancellationToken;
        }
        if (_token.CanBeCanceled)
        {
            // Cancelling (or the deadline) resets the HTTP/2 stream at once, even when nobody is reading.
            _cancelRegistration = _token.Register(static state => ((ClientCall<TRequest, TResponse>)state!).OnCancelled(), this);
        }
    }

    public Task<Metadata> ResponseHeadersAsync
    {
        get
        {
            lock (this)
            {
                if (_headers is null)
                {
                    _headers = new TaskCompletionSource<Metadata>(TaskCreationOptions.RunContinuationsAsynchronously);
                    if (_receivedHeaders is { } received)
                    {
                        _headers.SetResult(ToMetadata(received));
                    }
                    else if (Volatile.Read(ref _finished) != 0)
                    {
                        CompleteHeaders(_headers);
                    }
                }
                return _headers.Task;
            }
        }
    }

    public Status GetStatus() => _status ?? throw new InvalidOperationException("The call has not ended yet.");

    public Metadata GetTrailers() => _trailers ?? throw new InvalidOperationException("The call has not ended yet.");

    public void Cancel()
    {
        if (Volatile.Read(ref _finished) == 0)
        {
            Finish(new Status(StatusCode.Cancelled, "Call cancelled by the client."), new Metadata());
            OnCancelled();
        }
    }

    // ---- the four kinds -------------------------------------------------------------------------------

    public async Task<TResponse> UnaryAsync(TRequest request)
    {
        try
        {
            var frame = MessageFraming.ToFrame(request, _channel.Options.MaxSendMessageSize, _compress);
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await StartAttemptAsync(new FrameContent(frame)).ConfigureAwait(false);
                    var response = await ReadMessageAsync(_token).ConfigureAwait(false)
                        ?? throw Fail(new Status(StatusCode.Internal, "The server ended the call OK without a response message."));
                    if (await ReadMessageAsync(_token).ConfigureAwait(false) is not null)
                    {
                        throw Fail(new Status(StatusCode.Internal, "The server sent more than one response message to a unary call."));
                    }
                    return response;
                }
                catch (RpcException ex) when (RetryDelay(ex, attempt) is { } delay)
                {
                    if (!await WaitToRetryAsync(delay).ConfigureAwait(false))
                    {
                        throw;
                    }
                }
            }
        }
        catch (Exception ex)
        {
            throw FailWith(ex);
        }
    }

    public void StartServerStreaming(TRequest request) => _start = Observed(StartServerStreamingAsync(request));

    /// <summary>
    /// Marks a task's failure as observed: a caller may dispose a streaming call without reading it, and
    /// its failure is then reported by GetStatus, not as an unobserved task exception.
    /// </summary>
    internal static T Observed<T>(T task) where T : Task
    {
        task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return task;
    }

    private async Task StartServerStreamingAsync(TRequest request)
    {
        try
        {
            var frame = MessageFraming.ToFrame(request, _channel.Options.MaxSendMessageSize, _compress);
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await StartAttemptAsync(new FrameContent(frame)).ConfigureAwait(false);
                    return;
                }
                catch (RpcException ex) when (RetryDelay(ex, attempt) is { } delay)
                {
                    if (!await WaitToRetryAsync(delay).ConfigureAwait(false))
                    {
                        throw;
                    }
                }
            }
        }
        catch (Exception ex)
        {
            throw FailWith(ex);
        }
    }

    public void StartStreamingRequest()
    {
        _ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _requestContent = new StreamingRequestContent();
        _start = Observed(StartStreamingRequestAsync(_requestContent));
    }

    private async Task StartStreamingRequestAsync(StreamingRequestContent content)
    {
        try
        {
            await StartAttemptAsync(content).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            throw FailWith(ex);
        }
    }

    public async Task<TResponse> ClientStreamingResponseAsync()
    {
        try
        {
            await _start!.ConfigureAwait(false);
            var response = await ReadMessageAsync(_token).ConfigureAwait(false)
                ?? throw Fail(new Status(StatusCode.Internal, "The server ended the call OK without a response message."));
            if (await ReadMessageAsync(_token).ConfigureAwait(false) is not null)
            {
                throw Fail(new Status(StatusCode.Internal, "The server sent more than one response message to a client-streaming call."));
            }
            return response;
        }
        catch (Exception ex)
        {
            throw FailWith(ex);
        }
    }

    /// <summary>The next response message of a streaming call; null at the end (status OK).</summary>
    public async Task<TResponse?> MoveNextAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _start!.ConfigureAwait(false);
            if (!cancellationToken.CanBeCanceled)
            {
                return await ReadMessageAsync(_token).ConfigureAwait(false);
            }
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(_token, cancellationToken);
            return await ReadMessageAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !_token.IsCancellationRequested)
        {
            // Only this read was cancelled: the call itself is cancelled too (as in grpc-dotnet).
            Cancel();
            throw new RpcException(new Status(StatusCode.Cancelled, "Call cancelled by the client."));
        }
        catch (Exception ex)
        {
            throw FailWith(ex);
        }
    }

    public async Task WriteRequestAsync(TRequest message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (_requestCompleted)
        {
            throw new InvalidOperationException("The request stream has already been completed.");
        }
        if (_status is { } ended)
        {
            throw ended.StatusCode == StatusCode.OK
                ? new InvalidOperationException("The call has already ended.")
                : new RpcException(ended, _trailers);
        }
        var frame = MessageFraming.ToFrame(message, _channel.Options.MaxSendMessageSize, _compress);
        using var linked = cancellationToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(_token, cancellationToken) : null;
        var token = linked?.Token ?? _token;
        try
        {
            var stream = await _requestContent!.StreamAsync.WaitAsync(token).ConfigureAwait(false);
            await stream.WriteAsync(frame, token).ConfigureAwait(false);
            await stream.FlushAsync(token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw await WriteFailedAsync(ex).ConfigureAwait(false);
        }
    }

    public Task CompleteRequestAsync()
    {
        _requestCompleted = true;
        _requestContent!.Complete();
        return Task.CompletedTask;
    }

    // ---- one attempt ----------------------------------------------------------------------------------

    private async Task StartAttemptAsync(HttpContent content)
    {
        if (_token.IsCancellationRequested)
        {
            throw CancelledStatus();
        }
        var request = new HttpRequestMessage(HttpMethod.Post, _channel.GetMethodUri(_method))
        {
            Version = HttpVersion.Version20,
            // The default policy silently falls back to HTTP/1.1 on http://, which no gRPC server accepts.
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        await AddHeadersAsync(request.Headers).ConfigureAwait(false);
        HttpResponseMessage response;
        try
        {
            response = await _channel.Invoker.SendAsync(request, _token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            throw Map(ex);
        }
        _response = response;
        ReadResponseHeaders(response);
    }

    private async ValueTask AddHeadersAsync(HttpRequestHeaders headers)
    {
        // The C-core (grpcio) server refuses requests without "te: trailers".
        headers.TryAddWithoutValidation("te", "trailers");
        headers.TryAddWithoutValidation("user-agent", UserAgent);
        headers.TryAddWithoutValidation(GrpcProtocol.AcceptEncodingHeader, GrpcProtocol.AcceptedEncodings);
        if (_compress)
        {
            headers.TryAddWithoutValidation(GrpcProtocol.EncodingHeader, GrpcProtocol.Gzip);
        }
        if (_options.Deadline is { } deadline && deadline != DateTime.MaxValue)
        {
            headers.TryAddWithoutValidation(GrpcProtocol.TimeoutHeader, GrpcTimeout.Format(deadline.ToUniversalTime() - DateTime.UtcNow));
        }
        var hasAuthorization = false;
        foreach (var entry in _options.Headers ?? Metadata.Empty)
        {
            hasAuthorization |= entry.Key == "authorization";
            headers.TryAddWithoutValidation(entry.Key, MetadataCodec.ToHeaderValue(entry));
        }
        if (hasAuthorization)
        {
            return;
        }
        var token = _options.BearerToken;
        if (token is null && _channel.Options.BearerTokenProvider is { } provider)
        {
            token = await provider(_token).ConfigureAwait(false);
        }
        if (!string.IsNullOrEmpty(token))
        {
            headers.TryAddWithoutValidation("authorization", _channel.AuthorizationHeader(token));
        }
    }

    private void ReadResponseHeaders(HttpResponseMessage response)
    {
        // Trailers-only: the status came in the headers and there is no body to read.
        if (response.Headers.NonValidated.Contains(GrpcProtocol.StatusHeader))
        {
            var status = ReadStatus(response.Headers.NonValidated);
            if (response.StatusCode != HttpStatusCode.OK && status.StatusCode == StatusCode.OK)
            {
                status = new Status(StatusMapping.FromHttpStatus(response.StatusCode), $"Bad gRPC response: HTTP status {(int)response.StatusCode}.");
            }
            HeadersReceived(response.Headers);
            EndWith(status, TrailersFrom(response.Headers.NonValidated));
            if (status.StatusCode != StatusCode.OK)
            {
                throw new RpcException(status, _trailers);
            }
            return;
        }
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw Fail(new Status(StatusMapping.FromHttpStatus(response.StatusCode), $"Bad gRPC response: HTTP status {(int)response.StatusCode}."));
        }
        var contentType = response.Content.Headers.NonValidated.TryGetValues("content-type", out var ct) ? ct.ToString() : "";
        if (!contentType.StartsWith(GrpcProtocol.ContentType, StringComparison.OrdinalIgnoreCase))
        {
            throw Fail(new Status(StatusCode.Internal, $"Bad gRPC response: content-type '{contentType}'."));
        }
        var encoding = response.Headers.NonValidated.TryGetValues(GrpcProtocol.EncodingHeader, out var e) ? e.ToString() : null;
        var stream = response.Content.ReadAsStream(_token);
        _reader = new FrameReader(PipeReader.Create(stream, ReaderOptions), encoding, _channel.Options.MaxReceiveMessageSize);
        HeadersReceived(response.Headers);
    }

    private void HeadersReceived(HttpResponseHeaders headers)
    {
        lock (this)
        {
            _receivedHeaders = headers;
            _headers?.TrySetResult(ToMetadata(headers));
        }
    }

    /// <summary>Response headers as metadata; the status of a trailers-only response is not part of them.</summary>
    private static Metadata ToMetadata(HttpResponseHeaders headers)
    {
        var metadata = new Metadata();
        foreach (var header in headers.NonValidated)
        {
            MetadataCodec.AddFromHeader(metadata, header.Key, header.Value);
        }
        metadata.RemoveAll(RpcException.StatusDetailsTrailer);
        return metadata;
    }

    /// <summary>Completes waiting header readers of a call that ended before (or without) headers.</summary>
    private void CompleteHeaders(TaskCompletionSource<Metadata> headers)
    {
        if (_status is { StatusCode: not StatusCode.OK } status)
        {
            headers.TrySetException(new RpcException(status, _trailers));
            // Nobody may ever await the headers: keep their failure from surfacing as unobserved.
            _ = headers.Task.Exception;
        }
        else
        {
            headers.TrySetResult(new Metadata());
        }
    }

    /// <summary>The next message, or null after the trailers said OK; throws the status otherwise.</summary>
    private async ValueTask<TResponse?> ReadMessageAsync(CancellationToken cancellationToken)
    {
        if (_reader is null)
        {
            // Trailers-only: EndWith already recorded the status.
            var status = _status ?? new Status(StatusCode.Internal, "No response.");
            return status.StatusCode == StatusCode.OK ? null : throw new RpcException(status, _trailers);
        }
        TResponse? message;
        try
        {
            message = await _reader.ReadAsync(_method.ResponseParser, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException ex)
        {
            // A bad frame from the server (too large, corrupt): end the call with it.
            throw Fail(ex.Status);
        }
        catch (Exception ex)
        {
            throw Map(ex);
        }
        if (message is not null)
        {
            return message;
        }
        // TrailingHeaders fill only once the body has been read to its end.
        var trailers = _response!.TrailingHeaders.NonValidated;
        var final = trailers.Contains(GrpcProtocol.StatusHeader)
            ? ReadStatus(trailers)
            : new Status(StatusCode.Internal, "The server ended the response without a grpc-status.");
        _reader = null;
        EndWith(final, TrailersFrom(trailers));
        return final.StatusCode == StatusCode.OK ? null : throw new RpcException(final, _trailers);
    }

    // ---- status and failures --------------------------------------------------------------------------

    private static Status ReadStatus(HttpHeadersNonValidated headers)
    {
        var codeText = headers.TryGetValues(GrpcProtocol.StatusHeader, out var c) ? c.ToString() : "";
        var message = headers.TryGetValues(GrpcProtocol.MessageHeader, out var m) ? PercentEncoding.Decode(m.ToString()) : "";
        return int.TryParse(codeText, NumberStyles.None, CultureInfo.InvariantCulture, out var code) && code is >= 0 and <= 16
            ? new Status((StatusCode)code, message)
            : new Status(StatusCode.Unknown, $"Invalid grpc-status '{codeText}': {message}");
    }

    private static Metadata TrailersFrom(HttpHeadersNonValidated headers)
    {
        var trailers = new Metadata();
        foreach (var header in headers)
        {
            MetadataCodec.AddFromHeader(trailers, header.Key, header.Value);
        }
        return trailers;
    }

    /// <summary>Records how the attempt ended; a failed attempt that will be retried is not final.</summary>
    private void EndWith(Status status, Metadata trailers)
    {
        _status = status;
        _trailers = trailers;
        if (status.StatusCode == StatusCode.OK)
        {
            Finish(status, trailers);
        }
    }

    /// <summary>How long to wait before retrying, or null when this failure is not retried.</summary>
    private TimeSpan? RetryDelay(RpcException ex, int attempt)
    {
        var policy = _channel.Options.Retry;
        if (ex.StatusCode != StatusCode.Unavailable || !_method.IsIdempotent || attempt >= policy.MaxAttempts || _token.IsCancellationRequested)
        {
            return null;
        }
        var delay = policy.Backoff(attempt);
        if (ex.Trailers.GetValue(GrpcProtocol.RetryPushbackHeader) is { } pushback)
        {
            // The server's pushback wins; a negative or unreadable one means "do not retry".
            if (!int.TryParse(pushback, NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
            {
                return null;
            }
            delay = TimeSpan.FromMilliseconds(ms);
        }
        if (_options.Deadline is { } deadline && DateTime.UtcNow + delay >= deadline.ToUniversalTime())
        {
            return null;
        }
        return delay;
    }

    private async Task<bool> WaitToRetryAsync(TimeSpan delay)
    {
        DisposeAttempt();
        lock (this)
        {
            _receivedHeaders = null;
        }
        _status = null;
        _trailers = null;
        GrpcMetrics.ClientRetried(_method.FullName);
        try
        {
            await Task.Delay(delay, _token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// A write failed: usually the server has ended the call, so surface its status. The response side
    /// (ResponseAsync, or the caller's reader) records it; wait briefly for it rather than read here, which
    /// would race with that reader.
    /// </summary>
    private async Task<Exception> WriteFailedAsync(Exception writeError)
    {
        try
        {
            await _ended!.Task.WaitAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Nobody is reading the response: report the write error itself.
        }
        return _status switch
        {
            { StatusCode: StatusCode.OK } => new InvalidOperationException("Cannot write: the call has already ended OK."),
            { } status when Volatile.Read(ref _finished) != 0 => new RpcException(status, _trailers),
            _ => FailWith(writeError),
        };
    }

    private RpcException CancelledStatus() =>
        _deadlineCts?.IsCancellationRequested == true && !_options.CancellationToken.IsCancellationRequested
            ? new RpcException(new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded"))
            : new RpcException(new Status(StatusCode.Cancelled, "Call cancelled by the client."));

    /// <summary>Maps a transport exception to the status a caller sees.</summary>
    private RpcException Map(Exception ex)
    {
        if (ex is RpcException rpc)
        {
            return rpc;
        }
        if (_token.IsCancellationRequested)
        {
            return CancelledStatus();
        }
        for (var inner = ex; inner is not null; inner = inner.InnerException)
        {
            if (inner is HttpProtocolException protocol)
            {
                return new RpcException(new Status(StatusMapping.FromHttp2ErrorCode(protocol.ErrorCode), $"HTTP/2 error from {_channel.Address.Authority}: {protocol.Message}"));
            }
        }
        return ex switch
        {
            HttpRequestException http => new RpcException(new Status(StatusCode.Unavailable, $"Error connecting to {_channel.Address.Authority}: {http.Message}")),
            IOException or ObjectDisposedException => new RpcException(new Status(StatusCode.Unavailable, $"Connection to {_channel.Address.Authority} failed: {ex.Message}")),
            OperationCanceledException => new RpcException(new Status(StatusCode.Cancelled, "Call cancelled.")),
            _ => new RpcException(new Status(StatusCode.Internal, $"Client error: {ex.GetType().Name}: {ex.Message}")),
        };
    }

    private RpcException Fail(Status status) => new(status, new Metadata());

    /// <summary>Ends the call with the status of <paramref name="ex"/> (once) and returns what the caller should see.</summary>
    private RpcException FailWith(Exception ex)
    {
        if (Volatile.Read(ref _finished) != 0 && _status is { StatusCode: not StatusCode.OK } status)
        {
            // Already ended (cancelled by Dispose, or a status read earlier): report that, not a follow-on error.
            return ex is RpcException { } same && same.Status == status ? same : new RpcException(status, _trailers);
        }
        var error = Map(ex);
        Finish(error.Status, error.Trailers);
        return error;
    }

    private void Finish(Status status, Metadata trailers)
    {
        if (Interlocked.Exchange(ref _finished, 1) != 0)
        {
            return;
        }
        _status = status;
        _trailers = trailers;
        lock (this)
        {
            if (_headers is { } headers && _receivedHeaders is null)
            {
                CompleteHeaders(headers);
            }
        }
        GrpcMetrics.ClientCallEnded(_method.FullName, status.StatusCode, Stopwatch.GetElapsedTime(_started));
        _requestContent?.Abort(new RpcException(status, trailers));
        _cancelRegistration.Dispose();
        DisposeAttempt();
        _linkedCts?.Dispose();
        _deadlineCts?.Dispose();
        _ended?.TrySetResult();
    }

    private void OnCancelled()
    {
        _requestContent?.Abort(CancelledStatus());
        _response?.Dispose();
    }

    private void DisposeAttempt()
    {
        _reader = null;
        _response?.Dispose();
        _response = null;
    }
}
