using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace FanPin.EndToEnd.Tests.Harness;

/// <summary>One POST a downstream webhook endpoint received, with its signature checked against the secret.</summary>
public sealed record WebhookCall(string? ContentType, string? Delivery, bool SignatureValid, JsonElement Body);

/// <summary>
/// A downstream system's webhook endpoint (HttpListener on a free loopback port) answering 204 to every POST and
/// checking the signature the notification service documents: "v1=" + hex HMAC-SHA256(secret, timestamp + "." + body).
/// </summary>
public sealed class WebhookReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<(string? ContentType, string? Delivery, string? Timestamp, string? Signature, byte[] Body)> _raw = new();

    public WebhookReceiver()
    {
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Url = $"http://127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}/e2e-hook/";
        }
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    /// <summary>The endpoint to subscribe.</summary>
    public string Url { get; }

    /// <summary>The signing secret CreateWebhookSubscription returned.</summary>
    public string Secret { get; set; } = "";

    /// <summary>Every call so far.</summary>
    public IReadOnlyList<WebhookCall> Calls => _raw.Select(r => new WebhookCall(r.ContentType, r.Delivery, Valid(r.Timestamp, r.Signature, r.Body),
        JsonDocument.Parse(r.Body).RootElement.Clone())).ToList();

    private bool Valid(string? timestamp, string? signature, byte[] body)
    {
        if (timestamp is null || signature is null || Secret.Length == 0)
        {
            return false;
        }
        var data = Encoding.ASCII.GetBytes(timestamp + ".").Concat(body).ToArray();
        var expected = "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Convert.FromBase64String(Secret), data));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature))
            && long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out _);
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            _raw.Enqueue((context.Request.ContentType, context.Request.Headers["X-FanPin-Delivery"], context.Request.Headers["X-FanPin-Timestamp"],
                context.Request.Headers["X-FanPin-Signature"], body.ToArray()));
            context.Response.StatusCode = 204;
            context.Response.Close();
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
    }
}
