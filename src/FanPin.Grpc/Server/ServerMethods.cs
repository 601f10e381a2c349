using Google.Protobuf;

namespace FanPin.Grpc.Server;

/// <summary>A proto method bound to its C# implementation: reads the request(s), runs it, writes the response(s).</summary>
internal abstract class ServerMethod(GrpcMethod method)
{
    public GrpcMethod Method { get; } = method;

    public abstract Task InvokeAsync(HttpServerCallContext call);
}

internal sealed class UnaryServerMethod<TService, TRequest, TResponse>(
    GrpcMethod<TRequest, TResponse> method,
    Func<TService, TRequest, ServerCallContext, Task<TResponse>> invoker) : ServerMethod(method)
    where TService : class
    where TRequest : class, IMessage<TRequest>, new()
    where TResponse : class, IMessage<TResponse>, new()
{
    public override async Task InvokeAsync(HttpServerCallContext call)
    {
        var request = await call.ReadSingleRequestAsync(method.RequestParser).ConfigureAwait(false);
        var (service, created) = ServiceActivator<TService>.Create(call.GetHttpContext().RequestServices);
        try
        {
            var response = await invoker(service, request, call).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"{method.FullName} returned null.");
            await call.WriteResponseAsync(response, flush: false, call.CancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await ServiceActivator<TService>.ReleaseAsync(service, created).ConfigureAwait(false);
        }
    }
}

internal sealed class ServerStreamingServerMethod<TService, TRequest, TResponse>(
    GrpcMethod<TRequest, TResponse> method,
    Func<TService, TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task> invoker) : ServerMethod(method)
    where TService : class
    where TRequest : class, IMessage<TRequest>, new()
    where TResponse : class, IMessage<TResponse>, new()
{
    public override async Task InvokeAsync(HttpServerCallContext call)
    {
        var request = await call.ReadSingleRequestAsync(method.RequestParser).ConfigureAwait(false);
        var (service, created) = ServiceActivator<TService>.Create(call.GetHttpContext().RequestServices);
        try
        {
            await invoker(service, request, new HttpServerStreamWriter<TResponse>(call), call).ConfigureAwait(false);
        }
        finally
        {
            await ServiceActivator<TService>.ReleaseAsync(service, created).ConfigureAwait(false);
        }
    }
}

internal sealed class ClientStreamingServerMethod<TService, TRequest, TResponse>(
    GrpcMethod<TRequest, TResponse> method,
    Func<TService, IAsyncStreamReader<TRequest>, ServerCallContext, Task<TResponse>> invoker) : ServerMethod(method)
    where TService : class
    where TRequest : class, IMessage<TRequest>, new()
    where TResponse : class, IMessage<TResponse>, new()
{
    public override async Task InvokeAsync(HttpServerCallContext call)
    {
        var (service, created) = ServiceActivator<TService>.Create(call.GetHttpContext().RequestServices);
        try
        {
            var reader = new HttpServerStreamReader<TRequest>(call, method.RequestParser);
            var response = await invoker(service, reader, call).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"{method.FullName} returned null.");
            await call.WriteResponseAsync(response, flush: false, call.CancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await ServiceActivator<TService>.ReleaseAsync(service, created).ConfigureAwait(false);
        }
    }
}

internal sealed class DuplexStreamingServerMethod<TService, TRequest, TResponse>(
    GrpcMethod<TRequest, TResponse> method,
    Func<TService, IAsyncStreamReader<TRequest>, IServerStreamWriter<TResponse>, ServerCallContext, Task> invoker) : ServerMethod(method)
    where TService : class
    where TRequest : class, IMessage<TRequest>, new()
    where TResponse : class, IMessage<TResponse>, new()
{
    public override async Task InvokeAsync(HttpServerCallContext call)
    {
        var (service, created) = ServiceActivator<TService>.Create(call.GetHttpContext().RequestServices);
        try
        {
            var reader = new HttpServerStreamReader<TRequest>(call, method.RequestParser);
            await invoker(service, reader, new HttpServerStreamWriter<TResponse>(call), call).ConfigureAwait(false);
        }
        finally
        {
            await ServiceActivator<TService>.ReleaseAsync(service, created).ConfigureAwait(false);
        }
    }
}

/// <summary>The request stream of a client- or bidi-streaming call.</summary>
internal sealed class HttpServerStreamReader<T>(HttpServerCallContext call, MessageParser<T> parser) : IAsyncStreamReader<T>
    where T : class, IMessage<T>
{
    private T? _current;
    private bool _ended;

    public T Current => _current ?? throw new InvalidOperationException("Call MoveNext first, and read Current only while it returned true.");

    public async Task<bool> MoveNext(CancellationToken cancellationToken = default)
    {
        if (_ended)
        {
            return false;
        }
        using var linked = cancellationToken.CanBeCanceled
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, call.CancellationToken)
            : null;
        _current = await call.ReadRequestAsync(parser, linked?.Token ?? call.CancellationToken).ConfigureAwait(false);
        _ended = _current is null;
        return !_ended;
    }
}

/// <summary>The response stream of a server- or bidi-streaming call.</summary>
internal sealed class HttpServerStreamWriter<T>(HttpServerCallContext call) : IServerStreamWriter<T>
    where T : class, IMessage<T>
{
    public async Task WriteAsync(T message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var linked = cancellationToken.CanBeCanceled
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, call.CancellationToken)
            : null;
        await call.WriteResponseAsync(message, flush: true, linked?.Token ?? call.CancellationToken).ConfigureAwait(false);
    }
}
