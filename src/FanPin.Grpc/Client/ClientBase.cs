namespace FanPin.Grpc;

/// <summary>The base of every typed client (Bindings/*.cs in FanPin.Contracts).</summary>
public abstract class ClientBase
{
    /// <summary>A client on <paramref name="channel"/>.</summary>
    protected ClientBase(GrpcChannel channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        Channel = channel;
    }

    /// <summary>The channel calls go through.</summary>
    public GrpcChannel Channel { get; }
}
