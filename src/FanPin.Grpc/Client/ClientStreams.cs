using Google.Protobuf;

namespace FanPin.Grpc.Client;

/// <summary>The response stream of a server- or bidi-streaming call.</summary>
internal sealed class ClientStreamReader<TRequest, TResponse>(ClientCall<TRequest, TResponse> call) : IAsyncStreamReader<TResponse>
    where TRequest : class, IMessage<TRequest>, new()
    where TResponse : class, IMessage<TResponse>, new()
{
    private TResponse? _current;

    public TResponse Current => _current ?? throw new InvalidOperationException("Call MoveNext first, and read Current only while it returned true.");

    public async Task<bool> MoveNext(CancellationToken cancellationToken = default)
    {
        _current = await call.MoveNextAsync(cancellationToken).ConfigureAwait(false);
        return _current is not null;
    }
}

/// <summary>The request stream of a client- or bidi-streaming call.</summary>
internal sealed class ClientStreamWriter<TRequest, TResponse>(ClientCall<TRequest, TResponse> call) : IClientStreamWriter<TRequest>
    where TRequest : class, IMessage<TRequest>, new()
    where TResponse : class, IMessage<TResponse>, new()
{
    public Task WriteAsync(TRequest message, CancellationToken cancellationToken = default) => call.WriteRequestAsync(message, cancellationToken);

    public Task CompleteAsync() => call.CompleteRequestAsync();
}
