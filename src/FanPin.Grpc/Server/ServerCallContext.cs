using FanPin.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Http;

namespace FanPin.Grpc;

/// <summary>
/// What a service method knows about its call: metadata, deadline, cancellation, the authenticated caller,
/// and the status and trailers it ends with. Mirrors grpc-dotnet's ServerCallContext.
/// </summary>
public abstract class ServerCallContext
{
    private Dictionary<object, object>? _userState;

    /// <summary>The method's path, e.g. <c>/fanpin.testing.v1.EchoService/Unary</c>.</summary>
    public abstract string Method { get; }

    /// <summary>The authority the client called.</summary>
    public abstract string Host { get; }

    /// <summary>The client's address, e.g. <c>ipv4:127.0.0.1:50312</c>.</summary>
    public abstract string Peer { get; }

    /// <summary>When the call must end (UTC); <see cref="DateTime.MaxValue"/> when the client set no deadline.</summary>
    public abstract DateTime Deadline { get; }

    /// <summary>The request metadata (without the transport's own headers).</summary>
    public abstract Metadata RequestHeaders { get; }

    /// <summary>Fires when the client cancels or goes away, or the deadline passes. Pass it to every await.</summary>
    public abstract CancellationToken CancellationToken { get; }

    /// <summary>Trailers sent with the status.</summary>
    public abstract Metadata ResponseTrailers { get; }

    /// <summary>The status the call ends with when the method returns normally (OK unless set).</summary>
    public abstract Status Status { get; set; }

    /// <summary>Sends response headers now (at most once, before the first response message).</summary>
    public abstract Task WriteResponseHeadersAsync(Metadata responseHeaders);

    /// <summary>The underlying ASP.NET Core request.</summary>
    public abstract HttpContext GetHttpContext();

    /// <summary>
    /// The caller the authentication interceptor read from the bearer token; null on anonymous methods
    /// (health) called without a token.
    /// </summary>
    public Caller? Caller { get; set; }

    /// <summary>The caller, or UNAUTHENTICATED when the call carries none.</summary>
    public Caller RequireCaller() =>
        Caller ?? throw new RpcException(new Status(StatusCode.Unauthenticated, "this method needs a bearer token (authorization: Bearer <token>)"));

    /// <summary>Per-call state shared by interceptors and the method.</summary>
    public IDictionary<object, object> UserState => _userState ??= [];

    /// <summary>True when a deadline was set and has passed.</summary>
    public bool IsDeadlineExceeded => Deadline != DateTime.MaxValue && Deadline <= DateTime.UtcNow;

    /// <summary>Runs the bound service method (the end of the interceptor pipeline).</summary>
    internal virtual Task InvokeMethodAsync() =>
        throw new InvalidOperationException("This call context is not bound to a service method.");
}
