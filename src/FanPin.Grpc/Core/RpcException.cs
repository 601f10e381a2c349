using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;

namespace FanPin.Grpc;

/// <summary>
/// A call ended with a non-OK status. Thrown by services to choose the status a caller sees (with rich
/// details in <c>grpc-status-details-bin</c>), and by clients when a call fails.
/// </summary>
public class RpcException : Exception
{
    /// <summary>The trailer key carrying a serialized <see cref="Google.Rpc.Status"/>.</summary>
    public const string StatusDetailsTrailer = "grpc-status-details-bin";

    /// <summary>An error with a status and optional trailers.</summary>
    public RpcException(Status status, Metadata? trailers = null, string? message = null)
        : base(message ?? $"Status(StatusCode=\"{status.StatusCode}\", Detail=\"{status.Detail}\")")
    {
        Status = status;
        Trailers = trailers ?? new Metadata();
    }

    /// <summary>An error with a code, a detail and optional rich details (ErrorInfo, BadRequest, ...).</summary>
    public RpcException(StatusCode code, string detail, params IMessage[] details)
        : this(new Status(code, detail), WithDetails(new Metadata(), code, detail, details))
    {
    }

    /// <summary>The status.</summary>
    public Status Status { get; }

    /// <summary>The status code.</summary>
    public StatusCode StatusCode => Status.StatusCode;

    /// <summary>Trailers sent (server) or received (client), including <c>grpc-status-details-bin</c>.</summary>
    public Metadata Trailers { get; }

    /// <summary>The rich status from <c>grpc-status-details-bin</c>, or null when there is none or it is unreadable.</summary>
    public Google.Rpc.Status? GetRpcStatus()
    {
        var bytes = Trailers.GetValueBytes(StatusDetailsTrailer);
        if (bytes is null)
        {
            return null;
        }
        try
        {
            return Google.Rpc.Status.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }

    /// <summary>The first detail of type <typeparamref name="T"/> (e.g. <see cref="BadRequest"/>, <see cref="ErrorInfo"/>), or null.</summary>
    public T? GetDetail<T>() where T : class, IMessage<T>, new()
    {
        var descriptor = new T().Descriptor;
        foreach (var any in GetRpcStatus()?.Details ?? [])
        {
            if (any.Is(descriptor))
            {
                return any.Unpack<T>();
            }
        }
        return null;
    }

    /// <summary>NOT_FOUND with an ErrorInfo naming the reason (e.g. <c>HOUSEHOLD_NOT_FOUND</c>).</summary>
    public static RpcException NotFound(string detail, string reason = "NOT_FOUND", IDictionary<string, string>? metadata = null) =>
        WithErrorInfo(StatusCode.NotFound, detail, reason, metadata);

    /// <summary>ALREADY_EXISTS with an ErrorInfo naming the reason.</summary>
    public static RpcException AlreadyExists(string detail, string reason = "ALREADY_EXISTS", IDictionary<string, string>? metadata = null) =>
        WithErrorInfo(StatusCode.AlreadyExists, detail, reason, metadata);

    /// <summary>FAILED_PRECONDITION with an ErrorInfo naming the reason (e.g. <c>CASE_CLOSED</c>).</summary>
    public static RpcException FailedPrecondition(string detail, string reason = "FAILED_PRECONDITION", IDictionary<string, string>? metadata = null) =>
        WithErrorInfo(StatusCode.FailedPrecondition, detail, reason, metadata);

    /// <summary>ABORTED (a concurrent change won; the caller may retry the whole read-modify-write) with an ErrorInfo.</summary>
    public static RpcException Aborted(string detail, string reason = "ABORTED", IDictionary<string, string>? metadata = null) =>
        WithErrorInfo(StatusCode.Aborted, detail, reason, metadata);

    /// <summary>UNIMPLEMENTED for a proto method the service does not override (used by the generated bases).</summary>
    public static RpcException Unimplemented(string method) => new(new Status(StatusCode.Unimplemented, $"Method is unimplemented: {method}"));

    /// <summary>A status with an <see cref="ErrorInfo"/> in domain <c>fanpin</c>.</summary>
    public static RpcException WithErrorInfo(StatusCode code, string detail, string reason, IDictionary<string, string>? metadata = null)
    {
        // Google.Api.CommonProtos 2.0.0 predates the rename of ErrorInfo field 1 from "type" to "reason";
        // the wire format is the same, so peers with current protos read it as reason.
        var info = new ErrorInfo { Type = reason, Domain = ErrorDomain };
        if (metadata is not null)
        {
            info.Metadata.Add(metadata);
        }
        return new RpcException(code, detail, info);
    }

    /// <summary>The ErrorInfo domain of FanPin's errors.</summary>
    public const string ErrorDomain = "fanpin";

    private static Metadata WithDetails(Metadata trailers, StatusCode code, string detail, IMessage[] details)
    {
        if (details.Length > 0)
        {
            var status = new Google.Rpc.Status { Code = (int)code, Message = detail };
            foreach (var d in details)
            {
                status.Details.Add(Any.Pack(d));
            }
            trailers.Add(StatusDetailsTrailer, status.ToByteArray());
        }
        return trailers;
    }
}
