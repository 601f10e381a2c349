using FanPin.Grpc;

namespace FanPin.Registry.Grpc;

/// <summary>The per-call use-case lookup the adapters share.</summary>
internal static class UseCases
{
    /// <summary>The use case, from the call's request scope (one DbContext per call, disposed with it).</summary>
    public static T UseCase<T>(this ServerCallContext context) where T : notnull =>
        context.GetHttpContext().RequestServices.GetRequiredService<T>();
}
