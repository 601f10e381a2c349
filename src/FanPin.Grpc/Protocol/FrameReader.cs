using System.IO.Pipelines;
using Google.Protobuf;

namespace FanPin.Grpc.Protocol;

/// <summary>Reads framed messages from a pipe (a Kestrel request body or an HttpClient response stream).</summary>
internal sealed class FrameReader(PipeReader reader, string? encoding, int? maxSize)
{
    /// <summary>The next message, or null at a clean end of stream. INTERNAL when the stream ends inside a frame.</summary>
    public async ValueTask<T?> ReadAsync<T>(MessageParser<T> parser, CancellationToken cancellationToken)
        where T : class, IMessage<T>
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            bool complete;
            bool compressed;
            System.Buffers.ReadOnlySequence<byte> payload;
            try
            {
                complete = MessageFraming.TryReadFrame(ref buffer, maxSize, out compressed, out payload);
            }
            catch
            {
                reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
                throw;
            }
            if (complete)
            {
                try
                {
                    return MessageFraming.Parse(parser, payload, compressed, encoding, maxSize);
                }
                finally
                {
                    // The payload's memory belongs to the pipe until here.
                    reader.AdvanceTo(buffer.Start);
                }
            }
            if (result.IsCompleted || result.IsCanceled)
            {
                var leftover = buffer.Length;
                reader.AdvanceTo(buffer.End);
                if (leftover == 0)
                {
                    return null;
                }
                throw new RpcException(new Status(StatusCode.Internal, $"Incomplete message: the stream ended inside a frame ({leftover} bytes left)."));
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }
}
