using System.Net;

namespace FanPin.Grpc.Client;

/// <summary>
/// The request body of a client- or bidi-streaming call: HttpClient hands us its request stream, and the
/// call's writer pushes frames into it until the writer completes (END_STREAM) or the call ends.
/// </summary>
internal sealed class StreamingRequestContent : HttpContent
{
    private readonly TaskCompletionSource<Stream> _stream = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _complete = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public StreamingRequestContent() => Headers.TryAddWithoutValidation("content-type", Protocol.GrpcProtocol.ContentType);

    /// <summary>The request stream, once HttpClient has sent the headers.</summary>
    public Task<Stream> StreamAsync => _stream.Task;

    /// <summary>Ends the request body normally.</summary>
    public void Complete() => _complete.TrySetResult();

    /// <summary>Ends the request body because the call ended; pending and later writes fail.</summary>
    public void Abort(Exception reason)
    {
        _stream.TrySetException(reason);
        _complete.TrySetResult();
    }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        // Send the request headers now rather than with the first message, so the server starts the call.
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        _stream.TrySetResult(stream);
        try
        {
            await _complete.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // HttpClient is resetting the stream; throwing here would hide the reset's real cause.
        }
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }
}

/// <summary>The request body of a unary or server-streaming call: one frame, serialized before sending.</summary>
internal sealed class FrameContent : HttpContent
{
    private readonly byte[] _frame;

    public FrameContent(byte[] frame)
    {
        _frame = frame;
        Headers.TryAddWithoutValidation("content-type", Protocol.GrpcProtocol.ContentType);
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
        stream.WriteAsync(_frame, cancellationToken).AsTask();

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override bool TryComputeLength(out long length)
    {
        length = _frame.Length;
        return true;
    }
}
