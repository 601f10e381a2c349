using System.Runtime.CompilerServices;

namespace FanPin.Grpc;

/// <summary>Reads a stream of messages (requests on the server, responses on the client).</summary>
public interface IAsyncStreamReader<out T>
{
    /// <summary>The message read by the last successful <see cref="MoveNext"/>.</summary>
    T Current { get; }

    /// <summary>Reads the next message; false at the end of the stream.</summary>
    Task<bool> MoveNext(CancellationToken cancellationToken = default);
}

/// <summary>Writes a stream of messages. Writes must not overlap: await each before the next.</summary>
public interface IAsyncStreamWriter<in T>
{
    /// <summary>Writes (and sends) one message.</summary>
    Task WriteAsync(T message, CancellationToken cancellationToken = default);
}

/// <summary>The server's response stream.</summary>
public interface IServerStreamWriter<in T> : IAsyncStreamWriter<T>;

/// <summary>The client's request stream.</summary>
public interface IClientStreamWriter<in T> : IAsyncStreamWriter<T>
{
    /// <summary>Ends the request stream (half-close); the server then sees the end of its reader.</summary>
    Task CompleteAsync();
}

/// <summary>Helpers for stream readers.</summary>
public static class AsyncStreamReaderExtensions
{
    /// <summary>Reads every message with <c>await foreach</c>.</summary>
    public static async IAsyncEnumerable<T> ReadAllAsync<T>(this IAsyncStreamReader<T> reader, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        while (await reader.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            yield return reader.Current;
        }
    }
}
