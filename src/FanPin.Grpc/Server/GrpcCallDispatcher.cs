using System.Globalization;
using FanPin.Grpc.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FanPin.Grpc.Server;

/// <summary>
/// The request delegate of every gRPC endpoint: checks the request is gRPC, sets up deadline, encoding
/// and limits, runs the interceptor pipeline and the method, and always ends the call with a status.
/// </summary>
internal sealed partial class GrpcCallDispatcher(GrpcServerPipeline pipeline, IOptions<GrpcServerOptions> options, ILogger<GrpcCallDispatcher> logger)
{
    private readonly GrpcServerOptions _options = options.Value;
    private readonly bool _gzipResponses = string.Equals(options.Value.ResponseCompression, GrpcProtocol.Gzip, StringComparison.OrdinalIgnoreCase);

    public async Task HandleAsync(HttpContext http, ServerMethod method)
    {
        if (!IsGrpcRequest(http))
        {
            return;
        }
        var requestEncoding = http.Request.Headers[GrpcProtocol.EncodingHeader].ToString();
        if (requestEncoding.Length > 0 && requestEncoding != GrpcProtocol.Identity && requestEncoding != GrpcProtocol.Gzip)
        {
            http.Response.Headers[GrpcProtocol.AcceptEncodingHeader] = GrpcProtocol.AcceptedEncodings;
            WriteTrailersOnly(http, StatusCode.Unimplemented, $"Unsupported grpc-encoding '{requestEncoding}'; this server accepts {GrpcProtocol.AcceptedEncodings}.");
            return;
        }
        var compress = _gzipResponses && AcceptsGzip(http);
        var timeoutHeader = http.Request.Headers[GrpcProtocol.TimeoutHeader].ToString();
        var hasTimeout = GrpcTimeout.TryParse(timeoutHeader, out var timeout);
        if (!hasTimeout && timeoutHeader.Length > 0)
        {
            LogInvalidTimeout(logger, timeoutHeader, method.Method.FullName);
        }
        if (hasTimeout && timeout <= TimeSpan.Zero)
        {
            // The client's deadline passed on the way here (a timer of zero would race the method).
            WriteTrailersOnly(http, StatusCode.DeadlineExceeded, "Deadline Exceeded");
            return;
        }
        HttpServerCallContext.RelaxKestrelLimits(http, method.Method.Type);

        var response = http.Response;
        response.ContentType = GrpcProtocol.ContentType;
        response.Headers[GrpcProtocol.AcceptEncodingHeader] = GrpcProtocol.AcceptedEncodings;
        if (compress)
        {
            response.Headers[GrpcProtocol.EncodingHeader] = GrpcProtocol.Gzip;
        }

        var deadline = hasTimeout ? DeadlineFrom(timeout) : DateTime.MaxValue;
        var call = new HttpServerCallContext(http, method, _options, requestEncoding.Length > 0 ? requestEncoding : null, compress, deadline);
        if (hasTimeout)
        {
            call.StartDeadline(timeout);
        }
        try
        {
            await pipeline.Invoke(call).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Only reached when an interceptor itself fails: the call still ends with a status.
            ExceptionStatusMapper.Apply(call, ex, logger, _options.EnableDetailedErrors);
        }
        await call.EndCallAsync().ConfigureAwait(false);
    }

    /// <summary>The response for a path no service serves: UNIMPLEMENTED, trailers-only.</summary>
    public static Task HandleUnimplementedAsync(HttpContext http, GrpcServiceRegistry registry)
    {
        if (!IsGrpcRequest(http))
        {
            return Task.CompletedTask;
        }
        var path = http.Request.Path.Value ?? "";
        var service = path.Length > 1 && path.IndexOf('/', 1) is var slash and > 0 ? path[1..slash] : path.TrimStart('/');
        WriteTrailersOnly(http, StatusCode.Unimplemented, registry.Contains(service)
            ? $"Method is unimplemented: {path}"
            : $"Service is unimplemented: {service}");
        return Task.CompletedTask;
    }

    /// <summary>
    /// gRPC needs HTTP/2 and an application/grpc content type; anything else gets the HTTP error the spec
    /// names (415, 426) with a status, so even a confused peer learns what went wrong.
    /// </summary>
    private static bool IsGrpcRequest(HttpContext http)
    {
        var contentType = http.Request.ContentType;
        if (contentType is null || !(contentType == GrpcProtocol.ContentType || contentType.StartsWith(GrpcProtocol.ContentType + "+", StringComparison.OrdinalIgnoreCase) || contentType.StartsWith(GrpcProtocol.ContentType + ";", StringComparison.OrdinalIgnoreCase)))
        {
            http.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            WriteTrailersOnly(http, StatusCode.Internal, $"Content-Type '{contentType}' is not supported; gRPC needs application/grpc.");
            return false;
        }
        if (!HttpProtocol.IsHttp2(http.Request.Protocol))
        {
            http.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            http.Response.Headers.Connection = "Upgrade";
            http.Response.Headers.Upgrade = "HTTP/2";
            WriteTrailersOnly(http, StatusCode.Internal, $"Request protocol '{http.Request.Protocol}' is not supported; gRPC needs HTTP/2.");
            return false;
        }
        return true;
    }

    private static void WriteTrailersOnly(HttpContext http, StatusCode code, string message)
    {
        http.Response.ContentType = GrpcProtocol.ContentType;
        http.Response.Headers[GrpcProtocol.StatusHeader] = ((int)code).ToString(CultureInfo.InvariantCulture);
        http.Response.Headers[GrpcProtocol.MessageHeader] = PercentEncoding.Encode(message);
    }

    private static bool AcceptsGzip(HttpContext http)
    {
        foreach (var value in http.Request.Headers[GrpcProtocol.AcceptEncodingHeader])
        {
            foreach (var part in (value ?? "").Split(',', StringSplitOptions.TrimEntries))
            {
                if (part == GrpcProtocol.Gzip)
                {
                    return true;
                }
            }
        }
        return false;
    }

    private static DateTime DeadlineFrom(TimeSpan timeout)
    {
        var now = DateTime.UtcNow;
        return timeout >= DateTime.MaxValue - now ? DateTime.MaxValue : now + timeout;
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Debug, Message = "Ignoring invalid grpc-timeout '{Value}' on {Method}")]
    private static partial void LogInvalidTimeout(ILogger logger, string value, string method);
}
