using Microsoft.Extensions.DependencyInjection;

namespace FanPin.Grpc.Server;

/// <summary>
/// Creates the service implementation for each call, as grpc-dotnet does: the instance registered in DI
/// when there is one, otherwise a new one with constructor injection (disposed after the call).
/// </summary>
internal static class ServiceActivator<TService> where TService : class
{
    private static readonly ObjectFactory Factory = ActivatorUtilities.CreateFactory(typeof(TService), Type.EmptyTypes);

    public static (TService Service, bool Created) Create(IServiceProvider services) =>
        services.GetService<TService>() is { } registered ? (registered, false) : ((TService)Factory(services, null), true);

    public static ValueTask ReleaseAsync(TService service, bool created)
    {
        if (!created)
        {
            return ValueTask.CompletedTask;
        }
        if (service is IAsyncDisposable asyncDisposable)
        {
            return asyncDisposable.DisposeAsync();
        }
        (service as IDisposable)?.Dispose();
        return ValueTask.CompletedTask;
    }
}
