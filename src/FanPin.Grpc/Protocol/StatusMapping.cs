using System.Net;

namespace FanPin.Grpc.Protocol;

/// <summary>Status codes for failures that happen below gRPC (HTTP status, HTTP/2 reset codes).</summary>
public static class StatusMapping
{
    /// <summary>
    /// The gRPC code for a response with a non-200 HTTP status and no grpc-status
    /// (https://github.com/grpc/grpc/blob/master/doc/http-grpc-status-mapping.md).
    /// </summary>
    public static StatusCode FromHttpStatus(HttpStatusCode status) => (int)status switch
    {
        400 => StatusCode.Internal,
        401 => StatusCode.Unauthenticated,
        403 => StatusCode.PermissionDenied,
        404 => StatusCode.Unimplemented,
        429 or 502 or 503 or 504 => StatusCode.Unavailable,
        _ => StatusCode.Unknown,
    };

    /// <summary>The gRPC code for an HTTP/2 RST_STREAM or GOAWAY error code (PROTOCOL-HTTP2.md, "Errors").</summary>
    public static StatusCode FromHttp2ErrorCode(long errorCode) => errorCode switch
    {
        0x0 => StatusCode.Internal, // NO_ERROR before the status arrived
        0x7 => StatusCode.Unavailable, // REFUSED_STREAM: nothing was processed, safe to retry
        0x8 => StatusCode.Cancelled, // CANCEL
        0xB => StatusCode.ResourceExhausted, // ENHANCE_YOUR_CALM
        0xC => StatusCode.PermissionDenied, // INADEQUATE_SECURITY
        _ => StatusCode.Internal,
    };
}
