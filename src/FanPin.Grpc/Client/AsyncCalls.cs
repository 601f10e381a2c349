using System.Runtime.CompilerServices;

namespace FanPin.Grpc;

/// <summary>What every call object exposes about its call.</summary>
internal interface IClientCallState
{
    Task<Metadata> ResponseHeadersAsync { get; }

    Status GetStatus();

    Metadata GetTrailers();

    void Cancel();
}

/// <summary>A unary call: await it for the response, or read its headers, status and trailers.</summary>
public sealed class AsyncUnaryCall<TResponse> : IDisposable
{
    private readonly IClientCallState _state;

    internal AsyncUnaryCall(Task<TResponse> response, IClientCallState state)
    {
        ResponseAsync = response;
        _state = state;
    }

    /// <summary>The response; throws <see cref="RpcException"/> for a non-OK status.</summary>
    public Task<TResponse> ResponseAsync { get; }

    /// <summary>The response headers (metadata), when they arrive.</summary>
    public Task<Metadata> ResponseHeadersAsync => _state.ResponseHeadersAsync;

    /// <summary>The status; only once the call has ended.</summary>
    public Status GetStatus() => _state.GetStatus();

    /// <summary>The trailers; only once the call has ended.</summary>
    public Metadata GetTrailers() => _state.GetTrailers();

    /// <summary>Makes the call awaitable.</summary>
    public TaskAwaiter<TResponse> GetAwaiter() => ResponseAsync.GetAwaiter();

    /// <summary>Cancels the call if it is still running.</summary>
    public void Dispose() => _state.Cancel();
}

/// <summary>A server-streaming call: read <see cref="ResponseStream"/> to its end.</summary>
public sealed class AsyncServerStreamingCall<TResponse> : IDisposable
{
    private readonly IClientCallState _state;

    internal AsyncServerStreamingCall(IAsyncStreamReader<TResponse> responseStream, IClientCallState state)
    {
        ResponseStream = responseStream;
        _state = state;
    }

    /// <summary>The responses; MoveNext throws <see cref="RpcException"/> when the call ends with a non-OK status.</summary>
    public IAsyncStreamReader<TResponse> ResponseStream { get; }

    /// <summary>The response headers (metadata), when they arrive.</summary>
    public Task<Metadata> ResponseHeadersAsync => _state.ResponseHeadersAsync;

    /// <summary>The status; only once the call has ended.</summary>
    public Status GetStatus() => _state.GetStatus();

    /// <summary>The trailers; only once the call has ended.</summary>
    public Metadata GetTrailers() => _state.GetTrailers();

    /// <summary>Cancels the call if it is still running.</summary>
    public void Dispose() => _state.Cancel();
}

/// <summary>A client-streaming call: write <see cref="RequestStream"/>, complete it, then await the response.</summary>
public sealed class AsyncClientStreamingCall<TRequest, TResponse> : IDisposable
{
    private readonly IClientCallState _state;

    internal AsyncClientStreamingCall(IClientStreamWriter<TRequest> requestStream, Task<TResponse> response, IClientCallState state)
    {
        RequestStream = requestStream;
        ResponseAsync = response;
        _state = state;
    }

    /// <summary>The requests.</summary>
    public IClientStreamWriter<TRequest> RequestStream { get; }

    /// <summary>The response; throws <see cref="RpcException"/> for a non-OK status.</summary>
    public Task<TResponse> ResponseAsync { get; }

    /// <summary>The response headers (metadata), when they arrive.</summary>
    public Task<Metadata> ResponseHeadersAsync => _state.ResponseHeadersAsync;

    /// <summary>The status; only once the call has ended.</summary>
    public Status GetStatus() => _state.GetStatus();

    /// <summary>The trailers; only once the call has ended.</summary>
    public Metadata GetTrailers() => _state.GetTrailers();

    /// <summary>Makes the call awaitable.</summary>
    public TaskAwaiter<TResponse> GetAwaiter() => ResponseAsync.GetAwaiter();

    /// <summary>Cancels the call if it is still running.</summary>
    public void Dispose() => _state.Cancel();
}

/// <summary>A bidi-streaming call: write <see cref="RequestStream"/> and read <see cref="ResponseStream"/> independently.</summary>
public sealed class AsyncDuplexStreamingCall<TRequest, TResponse> : IDisposable
{
    private readonly IClientCallState _state;

    internal AsyncDuplexStreamingCall(IClientStreamWriter<TRequest> requestStream, IAsyncStreamReader<TResponse> responseStream, IClientCallState state)
    {
        RequestStream = requestStream;
        ResponseStream = responseStream;
        _state = state;
    }

    /// <summary>The requests.</summary>
    public IClientStreamWriter<TRequest> RequestStream { get; }

    /// <summary>The responses; MoveNext throws <see cref="RpcException"/> when the call ends with a non-OK status.</summary>
    public IAsyncStreamReader<TResponse> ResponseStream { get; }

    /// <summary>The response headers (metadata), when they arrive.</summary>
    public Task<Metadata> ResponseHeadersAsync => _state.ResponseHeadersAsync;

    /// <summary>The status; only once the call has ended.</summary>
    public Status GetStatus() => _state.GetStatus();

    /// <summary>The trailers; only once the call has ended.</summary>
    public Metadata GetTrailers() => _state.GetTrailers();

    /// <summary>Cancels the call if it is still running.</summary>
    public void Dispose() => _state.Cancel();
}
