namespace FanPin.Grpc.Protocol;

/// <summary>Header names and values of gRPC over HTTP/2 (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md).</summary>
public static class GrpcProtocol
{
    /// <summary>The content type of gRPC requests and responses.</summary>
    public const string ContentType = "application/grpc";

    /// <summary>The status code trailer.</summary>
    public const string StatusHeader = "grpc-status";

    /// <summary>The percent-encoded status message trailer.</summary>
    public const string MessageHeader = "grpc-message";

    /// <summary>The serialized google.rpc.Status trailer.</summary>
    public const string StatusDetailsHeader = RpcException.StatusDetailsTrailer;

    /// <summary>The request's remaining time.</summary>
    public const string TimeoutHeader = "grpc-timeout";

    /// <summary>The compression of the messages sent.</summary>
    public const string EncodingHeader = "grpc-encoding";

    /// <summary>The compressions a peer can read.</summary>
    public const string AcceptEncodingHeader = "grpc-accept-encoding";

    /// <summary>Server pushback for retries, in milliseconds (negative: do not retry).</summary>
    public const string RetryPushbackHeader = "grpc-retry-pushback-ms";

    /// <summary>The only compression FanPin implements besides identity.</summary>
    public const string Gzip = "gzip";

    /// <summary>No compression.</summary>
    public const string Identity = "identity";

    /// <summary>What FanPin peers accept.</summary>
    public const string AcceptedEncodings = "identity,gzip";

    /// <summary>Size of the message prefix: compressed flag (1 byte) and big-endian length (4 bytes).</summary>
    public const int FrameHeaderSize = 5;

    /// <summary>The default limit for a message received or sent: 4 MiB, as every gRPC implementation.</summary>
    public const int DefaultMaxMessageSize = 4 * 1024 * 1024;

    /// <summary>
    /// Headers the transport owns: never exposed as metadata, and refused when an application tries to
    /// send them as metadata.
    /// </summary>
    public static bool IsReservedHeader(string key) =>
        key.StartsWith(':') ||
        key is "content-type" or "te" or "host" or "content-length" or "user-agent" or "connection" or "transfer-encoding"
            or StatusHeader or MessageHeader or TimeoutHeader or EncodingHeader or AcceptEncodingHeader;
}
