using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace FanPin.Notification.Tests;

/// <summary>
/// A real downstream receiver: Kestrel on loopback. Each path is an endpoint with its own behaviour (fail the first
/// N calls, block until released). Every call is recorded; a call is accepted only when its signature verifies,
/// checked the way docs/notification.md tells receivers to (HMAC-SHA256 over "timestamp.body", constant-time).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Endpoint> _endpoints = new();

    private WebhookReceiver(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>Base address.</summary>
    public Uri Address { get; }

    /// <summary>Starts it on a free loopback port.</summary>
    public static async Task<WebhookReceiver> StartAsync()
    {
        var port = FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        // The test folder holds the service's appsettings.json (its Kestrel endpoints): the receiver must not read it.
        builder.Configuration.Sources.Clear();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app, new Uri($"http://127.0.0.1:{port}/"));
        app.MapPost("/hooks/{name}", (string name, HttpContext context) => receiver.HandleAsync(name, context));
        await app.StartAsync().ConfigureAwait(false);
        return receiver;
    }

    /// <summary>An endpoint (created on first use).</summary>
    public Endpoint this[string name] => _endpoints.GetOrAdd(name, _ => new Endpoint());

    /// <summary>The URL of an endpoint.</summary>
    public string UrlOf(string name) => new Uri(Address, "hooks/" + name).ToString();

    private async Task<IResult> HandleAsync(string name, HttpContext context)
    {
        var endpoint = this[name];
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer).ConfigureAwait(false);
        var body = buffer.ToArray();
        var call = Interlocked.Increment(ref endpoint.CallCount);
        endpoint.Calls.Enqueue(new ReceivedCall(body, context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase)));
        if (endpoint.Gate is { } gate)
        {
            await gate.Task.ConfigureAwait(false);
        }
        if (call <= endpoint.FailFirst || endpoint.AlwaysFail)
        {
            return Results.StatusCode(503);
        }
        if (endpoint.Secret is { } secret && !Verify(secret, context.Request.Headers, body))
        {
            Interlocked.Increment(ref endpoint.BadSignatures);
            return Results.StatusCode(401);
        }
        endpoint.Accepted.Enqueue(new ReceivedCall(body, context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase)));
        return Results.Ok();
    }

    /// <summary>The receiver-side check from docs/notification.md.</summary>
    public static bool Verify(string base64Secret, IHeaderDictionary headers, byte[] body)
    {
        var timestamp = headers["X-FanPin-Timestamp"].ToString();
        var signature = headers["X-FanPin-Signature"].ToString();
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out _) || !signature.StartsWith("v1=", StringComparison.Ordinal))
        {
            return false;
        }
        var signed = Encoding.ASCII.GetBytes(timestamp + ".").Concat(body).ToArray();
        var expected = HMACSHA256.HashData(Convert.FromBase64String(base64Secret), signed);
        byte[] given;
        try
        {
            given = Convert.FromHexString(signature[3..]);
        }
        catch (FormatException)
        {
            return false;
        }
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var e in _endpoints.Values)
        {
            e.Gate?.TrySetResult();
        }
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>One endpoint's behaviour and record.</summary>
    public sealed class Endpoint
    {
        /// <summary>Calls answered 503 first.</summary>
        public int FailFirst { get; set; }

        /// <summary>Every call answered 503.</summary>
        public bool AlwaysFail { get; set; }

        /// <summary>Calls wait for it (a slow endpoint).</summary>
        public TaskCompletionSource? Gate { get; set; }

        /// <summary>The subscription's secret (set: signatures are checked).</summary>
        public string? Secret { get; set; }

        /// <summary>Calls so far.</summary>
        public int CallCount;

        /// <summary>Calls whose signature did not verify.</summary>
        public int BadSignatures;

        /// <summary>Every call.</summary>
        public ConcurrentQueue<ReceivedCall> Calls { get; } = new();

        /// <summary>Accepted calls (2xx).</summary>
        public ConcurrentQueue<ReceivedCall> Accepted { get; } = new();
    }
}

/// <summary>A received POST.</summary>
public sealed record ReceivedCall(byte[] Body, IReadOnlyDictionary<string, string> Headers)
{
    /// <summary>The body as text.</summary>
    public string Text => Encoding.UTF8.GetString(Body);
}
