using FanPin.ServiceDefaults.Authentication;
using Microsoft.Extensions.Logging;

namespace FanPin.Grpc;

/// <summary>
/// Turns whatever a service method throws into the status its caller sees. Exception texts reach the
/// caller only from exceptions written for callers (RpcException, validation, access denied); anything
/// unexpected becomes INTERNAL with a trace id, and its text is logged, not sent.
/// </summary>
public static partial class ExceptionStatusMapper
{
    /// <summary>ErrorInfo reason of PERMISSION_DENIED errors.</summary>
    public const string AccessDeniedReason = "ACCESS_DENIED";

    /// <summary>Sets the context's status and trailers for <paramref name="exception"/>, logging unexpected errors.</summary>
    public static void Apply(ServerCallContext context, Exception exception, ILogger logger, bool detailedErrors)
    {
        var error = Map(context, exception, detailedErrors);
        context.Status = error.Status;
        foreach (var entry in error.Trailers)
        {
            context.ResponseTrailers.Add(entry);
        }
        if (error.StatusCode is StatusCode.Internal or StatusCode.Unknown && exception is not RpcException)
        {
            LogUnhandled(logger, exception, context.Method, context.GetHttpContext().TraceIdentifier);
        }
    }

    /// <summary>The error a caller sees for <paramref name="exception"/>.</summary>
    public static RpcException Map(ServerCallContext context, Exception exception, bool detailedErrors)
    {
        if (context.CancellationToken.IsCancellationRequested && exception is OperationCanceledException or IOException)
        {
            return context.IsDeadlineExceeded
                ? new RpcException(new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded"))
                : new RpcException(new Status(StatusCode.Cancelled, "Call cancelled by the client."));
        }
        return exception switch
        {
            RpcException { StatusCode: not StatusCode.OK } rpc => rpc,
            AccessDeniedException denied => RpcException.WithErrorInfo(StatusCode.PermissionDenied, denied.Message, AccessDeniedReason),
            // Domain errors (FanPin.Primitives) carry what the caller needs: the fields, the thing, the current state.
            ValidationFailedException invalid => new RequestValidationException(invalid.Violations),
            NotFoundException missing => RpcException.NotFound(missing.Message, "NOT_FOUND", new Dictionary<string, string> { ["kind"] = missing.Kind, ["id"] = missing.Id }),
            PreconditionFailedException precondition => RpcException.FailedPrecondition(precondition.Message, "FAILED_PRECONDITION", new Dictionary<string, string> { ["current_state"] = precondition.CurrentState }),
            AlreadyExistsException exists => RpcException.AlreadyExists(exists.Message),
            _ => new RpcException(new Status(StatusCode.Internal, detailedErrors
                ? $"Exception was thrown by handler. {exception.GetType().Name}: {exception.Message}"
                : $"Exception was thrown by handler (trace {context.GetHttpContext().TraceIdentifier}).")),
        };
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "gRPC {Method} failed with an unexpected exception (trace {TraceId}); the caller sees INTERNAL")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string traceId);
}
