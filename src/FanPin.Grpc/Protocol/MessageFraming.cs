using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using Google.Protobuf;

namespace FanPin.Grpc.Protocol;

/// <summary>
/// The gRPC message frame: 1 byte compressed flag, 4 bytes big-endian length, then the (possibly gzip)
/// protobuf bytes. Every malformed input ends in an <see cref="RpcException"/>, never another exception.
/// </summary>
public static class MessageFraming
{
    /// <summary>Writes one message as a frame. Throws RESOURCE_EXHAUSTED when it is larger than <paramref name="maxSize"/>.</summary>
    public static void WriteFrame(IBufferWriter<byte> writer, IMessage message, int? maxSize, bool compress)
    {
        var size = message.CalculateSize();
        CheckSendSize(size, maxSize);
        // An empty message is sent uncompressed: .NET's GZipStream writes 0 bytes for empty input, which
        // grpc-js then refuses as corrupt.
        if (compress && size > 0)
        {
            var compressed = Gzip(message.ToByteArray());
            var header = writer.GetSpan(GrpcProtocol.FrameHeaderSize);
            WriteHeader(header, compressed: true, compressed.Length);
            writer.Advance(GrpcProtocol.FrameHeaderSize);
            writer.Write(compressed);
            return;
        }
        var span = writer.GetSpan(GrpcProtocol.FrameHeaderSize + size);
        WriteHeader(span, compressed: false, size);
        message.WriteTo(span.Slice(GrpcProtocol.FrameHeaderSize, size));
        writer.Advance(GrpcProtocol.FrameHeaderSize + size);
    }

    /// <summary>One message as a frame in a new array.</summary>
    public static byte[] ToFrame(IMessage message, int? maxSize, bool compress)
    {
        var size = message.CalculateSize();
        CheckSendSize(size, maxSize);
        if (compress && size > 0)
        {
            var compressed = Gzip(message.ToByteArray());
            var frame = new byte[GrpcProtocol.FrameHeaderSize + compressed.Length];
            WriteHeader(frame, compressed: true, compressed.Length);
            compressed.CopyTo(frame.AsSpan(GrpcProtocol.FrameHeaderSize));
            return frame;
        }
        var bytes = new byte[GrpcProtocol.FrameHeaderSize + size];
        WriteHeader(bytes, compressed: false, size);
        message.WriteTo(bytes.AsSpan(GrpcProtocol.FrameHeaderSize));
        return bytes;
    }

    /// <summary>
    /// Takes one whole frame off the front of <paramref name="buffer"/>. False when more bytes are needed.
    /// Throws RESOURCE_EXHAUSTED as soon as the header declares a message larger than the limit (before
    /// its bytes arrive), INTERNAL for a flag other than 0 or 1.
    /// </summary>
    public static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, int? maxSize, out bool compressed, out ReadOnlySequence<byte> payload)
    {
        compressed = false;
        payload = default;
        if (buffer.Length < GrpcProtocol.FrameHeaderSize)
        {
            return false;
        }
        Span<byte> header = stackalloc byte[GrpcProtocol.FrameHeaderSize];
        buffer.Slice(0, GrpcProtocol.FrameHeaderSize).CopyTo(header);
        compressed = header[0] switch
        {
            0 => false,
            1 => true,
            _ => throw new RpcException(new Status(StatusCode.Internal, $"Invalid message frame: compressed flag {header[0]}.")),
        };
        var length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        if (length > (uint)(maxSize ?? int.MaxValue))
        {
            throw ReceiveTooLarge(length, maxSize);
        }
        if (buffer.Length < GrpcProtocol.FrameHeaderSize + length)
        {
            return false;
        }
        payload = buffer.Slice(GrpcProtocol.FrameHeaderSize, length);
        buffer = buffer.Slice(payload.End);
        return true;
    }

    /// <summary>
    /// Parses a frame's payload, decompressing it when flagged. INTERNAL for a compressed message without a
    /// known encoding, corrupt gzip or bytes that are not the expected message; RESOURCE_EXHAUSTED when it
    /// decompresses beyond the limit.
    /// </summary>
    public static T Parse<T>(MessageParser<T> parser, ReadOnlySequence<byte> payload, bool compressed, string? encoding, int? maxSize)
        where T : IMessage<T>
    {
        if (compressed)
        {
            if (!string.Equals(encoding, GrpcProtocol.Gzip, StringComparison.OrdinalIgnoreCase))
            {
                throw new RpcException(new Status(StatusCode.Internal, $"Compressed message received without a supported grpc-encoding (got '{encoding ?? "none"}')."));
            }
            payload = new ReadOnlySequence<byte>(Gunzip(payload, maxSize));
        }
        try
        {
            return parser.ParseFrom(payload);
        }
        catch (Exception ex) when (ex is InvalidProtocolBufferException or ArgumentException or InvalidOperationException or IndexOutOfRangeException)
        {
            throw new RpcException(new Status(StatusCode.Internal, $"Failed to deserialize {typeof(T).Name}: {ex.Message}"));
        }
    }

    /// <summary>RESOURCE_EXHAUSTED for an incoming message over the limit.</summary>
    public static RpcException ReceiveTooLarge(long length, int? maxSize) =>
        new(new Status(StatusCode.ResourceExhausted, $"Received message larger than max ({length} vs. {maxSize})"));

    private static void CheckSendSize(int size, int? maxSize)
    {
        if (size > maxSize)
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted, $"Sent message larger than max ({size} vs. {maxSize})"));
        }
    }

    private static void WriteHeader(Span<byte> header, bool compressed, int length)
    {
        header[0] = compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(header[1..], (uint)length);
    }

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream(data.Length / 2 + 64);
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(data);
        }
        return output.ToArray();
    }

    private static byte[] Gunzip(ReadOnlySequence<byte> payload, int? maxSize)
    {
        var limit = maxSize ?? int.MaxValue;
        try
        {
            using var input = new GZipStream(new SequenceStream(payload), CompressionMode.Decompress);
            using var output = new MemoryStream();
            var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
            try
            {
                int read;
                while ((read = input.Read(chunk, 0, chunk.Length)) > 0)
                {
                    if (output.Length + read > limit)
                    {
                        throw ReceiveTooLarge(output.Length + read, maxSize);
                    }
                    output.Write(chunk, 0, read);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }
            return output.ToArray();
        }
        catch (InvalidDataException ex)
        {
            throw new RpcException(new Status(StatusCode.Internal, $"Corrupt gzip message: {ex.Message}"));
        }
    }

    /// <summary>A read-only stream over a byte sequence (for GZipStream).</summary>
    private sealed class SequenceStream(ReadOnlySequence<byte> sequence) : Stream
    {
        private ReadOnlySequence<byte> _remaining = sequence;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = (int)Math.Min(buffer.Length, _remaining.Length);
            _remaining.Slice(0, n).CopyTo(buffer);
            _remaining = _remaining.Slice(n);
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
