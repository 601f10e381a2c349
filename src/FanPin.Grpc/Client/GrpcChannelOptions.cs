using FanPin.Grpc.Protocol;

namespace FanPin.Grpc;

/// <summary>Settings of a <see cref="GrpcChannel"/>.</summary>
public sealed class GrpcChannelOptions
{
    /// <summary>Largest response message accepted; a larger one ends the call with RESOURCE_EXHAUSTED. Null: no limit.</summary>
    public int? MaxReceiveMessageSize { get; set; } = GrpcProtocol.DefaultMaxMessageSize;

    /// <summary>Largest request message sent; a larger one fails the call with RESOURCE_EXHAUSTED before sending. Null: no limit.</summary>
    public int? MaxSendMessageSize { get; set; } = GrpcProtocol.DefaultMaxMessageSize;

    /// <summary><c>gzip</c> to compress request messages; null (the default) sends them uncompressed.</summary>
    public string? RequestCompression { get; set; }

    /// <summary>
    /// The bearer token sent with every call that does not set its own (per-channel credentials). Called
    /// once per attempt, so it may renew tokens; return null to send none.
    /// </summary>
    public Func<CancellationToken, ValueTask<string?>>? BearerTokenProvider { get; set; }

    /// <summary>Retries of UNAVAILABLE for methods the proto marks idempotent.</summary>
    public RetryPolicy Retry { get; set; } = new();

    /// <summary>
    /// The handler to send through; null (the default) creates <see cref="GrpcChannel.CreateDefaultHandler"/>.
    /// </summary>
    public HttpMessageHandler? HttpHandler { get; set; }

    /// <summary>Whether disposing the channel disposes <see cref="HttpHandler"/> (true by default).</summary>
    public bool DisposeHttpHandler { get; set; } = true;

    /// <summary>Sets a fixed bearer token for every call.</summary>
    public GrpcChannelOptions WithBearerToken(string token)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        BearerTokenProvider = _ => ValueTask.FromResult<string?>(token);
        return this;
    }
}

/// <summary>
/// Client retries: only for UNAVAILABLE (nothing was processed, or the server said to try again), only
/// for methods declared <c>idempotency_level = IDEMPOTENT</c> or <c>NO_SIDE_EFFECTS</c>, only before any
/// response message arrived, and never past the deadline. Backoff is exponential with full jitter.
/// </summary>
public sealed class RetryPolicy
{
    /// <summary>Attempts in all, the first included; 1 disables retries.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>The first backoff's upper bound.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The largest backoff.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Growth of the backoff per attempt.</summary>
    public double BackoffMultiplier { get; set; } = 2;

    internal TimeSpan Backoff(int retry)
    {
        var bound = Math.Min(InitialBackoff.TotalMilliseconds * Math.Pow(BackoffMultiplier, retry - 1), MaxBackoff.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * bound);
    }
}
