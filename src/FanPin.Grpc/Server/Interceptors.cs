namespace FanPin.Grpc;

/// <summary>The rest of the server pipeline, ending in the service method.</summary>
public delegate Task ServerCallDelegate(ServerCallContext context);

/// <summary>
/// A server interceptor, composed once for every service and method (like ASP.NET Core middleware). It
/// sees the call context, not the messages: authentication, logging, metrics, exception mapping.
/// Interceptors are singletons.
/// </summary>
public interface IServerInterceptor
{
    /// <summary>Handles the call, usually by awaiting <paramref name="next"/>.</summary>
    Task InvokeAsync(ServerCallContext context, ServerCallDelegate next);
}
