using FanPin.Grpc.Protocol;
using Microsoft.Net.Http.Headers;

namespace FanPin.Grpc;

/// <summary>Per-call settings: metadata, deadline, cancellation and bearer token.</summary>
public readonly record struct CallOptions(Metadata? Headers = null, DateTime? Deadline = null, CancellationToken CancellationToken = default)
{
    /// <summary>A bearer token for this call only; wins over the channel's token.</summary>
    public string? BearerToken { get; init; }

    /// <summary>With request metadata.</summary>
    public CallOptions WithHeaders(Metadata headers) => this with { Headers = headers };

    /// <summary>With a deadline (UTC).</summary>
    public CallOptions WithDeadline(DateTime deadline) => this with { Deadline = deadline.ToUniversalTime() };

    /// <summary>With a deadline <paramref name="timeout"/> from now.</summary>
    public CallOptions WithTimeout(TimeSpan timeout) => this with { Deadline = DateTime.UtcNow + timeout };

    /// <summary>With a cancellation token.</summary>
    public CallOptions WithCancellationToken(CancellationToken cancellationToken) => this with { CancellationToken = cancellationToken };

    /// <summary>With a bearer token for this call.</summary>
    public CallOptions WithBearerToken(string token) => this with { BearerToken = token };

    /// <summary>
    /// Options for a call made while serving <paramref name="context"/>: the incoming call's deadline,
    /// cancellation and bearer token carry over, so the downstream service sees the same caller and
    /// stops when the upstream call does.
    /// </summary>
    public static CallOptions PropagateFrom(ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var authorization = context.GetHttpContext().Request.Headers[HeaderNames.Authorization].ToString();
        const string bearer = "Bearer ";
        return new CallOptions(
            Deadline: context.Deadline == DateTime.MaxValue ? null : context.Deadline,
            CancellationToken: context.CancellationToken)
        {
            BearerToken = authorization.StartsWith(bearer, StringComparison.OrdinalIgnoreCase) ? authorization[bearer.Length..].Trim() : null,
        };
    }

    internal void ValidateHeaders()
    {
        foreach (var entry in Headers ?? Metadata.Empty)
        {
            if (GrpcProtocol.IsReservedHeader(entry.Key))
            {
                throw new ArgumentException($"'{entry.Key}' is a transport header and cannot be sent as metadata.");
            }
        }
    }
}
