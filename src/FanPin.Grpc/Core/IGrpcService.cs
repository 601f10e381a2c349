using Google.Protobuf.Reflection;

namespace FanPin.Grpc;

/// <summary>
/// Implemented by every typed service base (Bindings/*.cs in FanPin.Contracts): names the proto service the
/// implementation serves, so <c>MapGrpcService&lt;T&gt;()</c> can bind each proto method to its C# method.
/// </summary>
public interface IGrpcService
{
    /// <summary>The proto service.</summary>
    static abstract ServiceDescriptor Descriptor { get; }
}
