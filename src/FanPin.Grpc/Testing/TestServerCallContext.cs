using Microsoft.AspNetCore.Http;

namespace FanPin.Grpc.Testing;

/// <summary>
/// A call context for unit tests of services and interceptors, without a server: set what the method
/// reads (metadata, deadline, cancellation, caller), then inspect what it wrote (headers, status, trailers).
/// </summary>
public sealed class TestServerCallContext : ServerCallContext
{
    private readonly HttpContext _httpContext;

    /// <summary>A context for <paramref name="method"/>.</summary>
    public TestServerCallContext(
        string method = "/fanpin.test.v1.TestService/Method",
        Metadata? requestHeaders = null,
        DateTime? deadline = null,
        CancellationToken cancellationToken = default,
        HttpContext? httpContext = null)
    {
        Method = method;
        RequestHeaders = requestHeaders ?? new Metadata();
        Deadline = deadline ?? DateTime.MaxValue;
        CancellationToken = cancellationToken;
        _httpContext = httpContext ?? new DefaultHttpContext();
    }

    /// <inheritdoc />
    public override string Method { get; }

    /// <inheritdoc />
    public override string Host => "localhost";

    /// <inheritdoc />
    public override string Peer => "ipv4:127.0.0.1:50000";

    /// <inheritdoc />
    public override DateTime Deadline { get; }

    /// <inheritdoc />
    public override Metadata RequestHeaders { get; }

    /// <inheritdoc />
    public override CancellationToken CancellationToken { get; }

    /// <inheritdoc />
    public override Metadata ResponseTrailers { get; } = new();

    /// <inheritdoc />
    public override Status Status { get; set; } = Status.DefaultSuccess;

    /// <summary>The headers the method sent with <see cref="WriteResponseHeadersAsync"/>, or null.</summary>
    public Metadata? ResponseHeaders { get; private set; }

    /// <inheritdoc />
    public override Task WriteResponseHeadersAsync(Metadata responseHeaders)
    {
        if (ResponseHeaders is not null)
        {
            throw new InvalidOperationException("Response headers can be written only once.");
        }
        ResponseHeaders = responseHeaders;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override HttpContext GetHttpContext() => _httpContext;
}
