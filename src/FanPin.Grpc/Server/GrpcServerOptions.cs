using FanPin.Grpc.Protocol;

namespace FanPin.Grpc;

/// <summary>Server settings, bound from the <c>Grpc:Server</c> configuration section.</summary>
public sealed class GrpcServerOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Grpc:Server";

    /// <summary>Largest request message accepted (after decompression); larger ones end the call with RESOURCE_EXHAUSTED. Null: no limit.</summary>
    public int? MaxReceiveMessageSize { get; set; } = GrpcProtocol.DefaultMaxMessageSize;

    /// <summary>Largest response message sent; a larger one ends the call with RESOURCE_EXHAUSTED. Null: no limit.</summary>
    public int? MaxSendMessageSize { get; set; } = GrpcProtocol.DefaultMaxMessageSize;

    /// <summary>
    /// <c>gzip</c> to compress responses to clients that accept gzip; null (the default) sends them
    /// uncompressed. Compressed requests are always accepted.
    /// </summary>
    public string? ResponseCompression { get; set; }

    /// <summary>When false (the default), INTERNAL errors carry no exception text, only a trace id.</summary>
    public bool EnableDetailedErrors { get; set; }

    /// <summary>
    /// When true (the default) every method but those marked <c>[AllowAnonymous]</c> (the health service)
    /// needs a valid bearer token.
    /// </summary>
    public bool RequireAuthentication { get; set; } = true;

    /// <summary>Interceptors after the built-in ones (metrics, logging, exception mapping, authentication), outermost first.</summary>
    public IList<Type> Interceptors { get; } = [];
}
