using System.Net;
using System.Net.Http.Headers;
using FanPin.Grpc.Protocol;

namespace FanPin.Grpc.Tests;

/// <summary>Hand-made gRPC requests over HttpClient, to check exactly what goes over the wire.</summary>
internal static class RawHttp
{
    public static readonly HttpMessageInvoker Http2 = new(new SocketsHttpHandler { EnableMultipleHttp2Connections = true, UseProxy = false });

    public static HttpRequestMessage Request(Uri server, string path, byte[] body, string? token, string contentType = GrpcProtocol.ContentType, Version? version = null)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server, path))
        {
            Version = version ?? HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        request.Headers.TryAddWithoutValidation("te", "trailers");
        if (token is not null)
        {
            request.Headers.TryAddWithoutValidation("authorization", "Bearer " + token);
        }
        return request;
    }

    /// <summary>Sends and reads the whole response; returns it with its body, the status, and whether it was trailers-only.</summary>
    public static async Task<RawResponse> SendAsync(HttpRequestMessage request, HttpMessageInvoker? invoker = null, CancellationToken cancellationToken = default)
    {
        using var response = await (invoker ?? Http2).SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        var inHeaders = response.Headers.NonValidated.TryGetValues(GrpcProtocol.StatusHeader, out var h) ? h.ToString() : null;
        var inTrailers = response.TrailingHeaders.NonValidated.TryGetValues(GrpcProtocol.StatusHeader, out var t) ? t.ToString() : null;
        string? Header(string name) => response.Headers.NonValidated.TryGetValues(name, out var v) ? v.ToString()
            : response.TrailingHeaders.NonValidated.TryGetValues(name, out var w) ? w.ToString() : null;
        return new RawResponse(
            response.StatusCode,
            body,
            inHeaders ?? inTrailers,
            TrailersOnly: inHeaders is not null,
            Message: Header(GrpcProtocol.MessageHeader) is { } m ? PercentEncoding.Decode(m) : null,
            Encoding: response.Headers.NonValidated.TryGetValues(GrpcProtocol.EncodingHeader, out var e) ? e.ToString() : null,
            AcceptEncoding: response.Headers.NonValidated.TryGetValues(GrpcProtocol.AcceptEncodingHeader, out var a) ? a.ToString() : null);
    }
}

internal sealed record RawResponse(HttpStatusCode HttpStatus, byte[] Body, string? GrpcStatus, bool TrailersOnly, string? Message, string? Encoding, string? AcceptEncoding);
