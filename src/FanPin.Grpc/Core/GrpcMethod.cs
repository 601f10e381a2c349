using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace FanPin.Grpc;

/// <summary>One method of a proto service, as the transport needs it: path, kind, idempotency.</summary>
public abstract class GrpcMethod
{
    private protected GrpcMethod(MethodDescriptor descriptor)
    {
        Descriptor = descriptor;
        ServiceName = descriptor.Service.FullName;
        Name = descriptor.Name;
        FullName = $"/{ServiceName}/{Name}";
        Type = (descriptor.IsClientStreaming, descriptor.IsServerStreaming) switch
        {
            (false, false) => MethodType.Unary,
            (true, false) => MethodType.ClientStreaming,
            (false, true) => MethodType.ServerStreaming,
            (true, true) => MethodType.DuplexStreaming,
        };
        var level = descriptor.GetOptions()?.IdempotencyLevel ?? MethodOptions.Types.IdempotencyLevel.IdempotencyUnknown;
        IsIdempotent = level is MethodOptions.Types.IdempotencyLevel.Idempotent or MethodOptions.Types.IdempotencyLevel.NoSideEffects;
    }

    /// <summary>The proto descriptor.</summary>
    public MethodDescriptor Descriptor { get; }

    /// <summary>The service's full name, e.g. <c>fanpin.testing.v1.EchoService</c>.</summary>
    public string ServiceName { get; }

    /// <summary>The method's name, e.g. <c>Unary</c>.</summary>
    public string Name { get; }

    /// <summary>The HTTP/2 path, e.g. <c>/fanpin.testing.v1.EchoService/Unary</c>.</summary>
    public string FullName { get; }

    /// <summary>The method kind.</summary>
    public MethodType Type { get; }

    /// <summary>
    /// True when the proto declares <c>option idempotency_level = IDEMPOTENT</c> or <c>NO_SIDE_EFFECTS</c>:
    /// the client may then retry it on UNAVAILABLE.
    /// </summary>
    public bool IsIdempotent { get; }

    /// <inheritdoc />
    public override string ToString() => FullName;

    /// <summary>The typed method <paramref name="name"/> of <paramref name="service"/>; checks the message types match the proto.</summary>
    public static GrpcMethod<TRequest, TResponse> Create<TRequest, TResponse>(ServiceDescriptor service, string name)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        var method = service.FindMethodByName(name) ?? throw new ArgumentException($"Service {service.FullName} has no method {name}.", nameof(name));
        return new GrpcMethod<TRequest, TResponse>(method);
    }
}

/// <summary>A method with its request and response message types.</summary>
public sealed class GrpcMethod<TRequest, TResponse> : GrpcMethod
    where TRequest : class, IMessage<TRequest>, new()
    where TResponse : class, IMessage<TResponse>, new()
{
    internal GrpcMethod(MethodDescriptor descriptor) : base(descriptor)
    {
        if (descriptor.InputType.ClrType != typeof(TRequest) || descriptor.OutputType.ClrType != typeof(TResponse))
        {
            throw new ArgumentException(
                $"{FullName} takes {descriptor.InputType.FullName} and returns {descriptor.OutputType.FullName}, not {typeof(TRequest).Name} and {typeof(TResponse).Name}.");
        }
        RequestParser = (MessageParser<TRequest>)descriptor.InputType.Parser;
        ResponseParser = (MessageParser<TResponse>)descriptor.OutputType.Parser;
    }

    /// <summary>Parses requests.</summary>
    public MessageParser<TRequest> RequestParser { get; }

    /// <summary>Parses responses.</summary>
    public MessageParser<TResponse> ResponseParser { get; }
}
