using System.Reflection;
using Google.Protobuf.Reflection;

namespace FanPin.Grpc.Server;

/// <summary>
/// Binds every method of a proto service to the implementation's C# method of the same name and the
/// grpc-dotnet signature for its kind. Runs once at start-up; calls then go through typed delegates.
/// </summary>
internal static class ServiceMethodBinder
{
    /// <summary>The C# method that serves <paramref name="method"/> on <paramref name="serviceType"/>, or null.</summary>
    public static MethodInfo? FindImplementation(Type serviceType, MethodDescriptor method)
    {
        var parameters = ExpectedParameters(method);
        var found = serviceType.GetMethod(method.Name, BindingFlags.Public | BindingFlags.Instance, parameters);
        return found is not null && found.ReturnType == ExpectedReturnType(method) ? found : null;
    }

    /// <summary>The bound methods of <typeparamref name="TService"/>; throws when one has no implementation.</summary>
    public static IReadOnlyList<(ServerMethod Method, MethodInfo Implementation)> Bind<TService>(ServiceDescriptor service) where TService : class
    {
        var bound = new List<(ServerMethod, MethodInfo)>();
        foreach (var method in service.Methods)
        {
            var implementation = FindImplementation(typeof(TService), method) ?? throw new InvalidOperationException(
                $"{typeof(TService).FullName} has no public method '{method.Name}' with the signature for {method.Service.FullName}/{method.Name}: derive it from the service's generated base class.");
            var request = method.InputType.ClrType;
            var response = method.OutputType.ClrType;
            var factory = typeof(ServiceMethodBinder).GetMethod(nameof(Create), BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(typeof(TService), request, response);
            bound.Add(((ServerMethod)factory.Invoke(null, [method, implementation])!, implementation));
        }
        return bound;
    }

    private static ServerMethod Create<TService, TRequest, TResponse>(MethodDescriptor descriptor, MethodInfo implementation)
        where TService : class
        where TRequest : class, Google.Protobuf.IMessage<TRequest>, new()
        where TResponse : class, Google.Protobuf.IMessage<TResponse>, new()
    {
        var method = new GrpcMethod<TRequest, TResponse>(descriptor);
        return method.Type switch
        {
            MethodType.Unary => new UnaryServerMethod<TService, TRequest, TResponse>(method,
                implementation.CreateDelegate<Func<TService, TRequest, ServerCallContext, Task<TResponse>>>()),
            MethodType.ServerStreaming => new ServerStreamingServerMethod<TService, TRequest, TResponse>(method,
                implementation.CreateDelegate<Func<TService, TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task>>()),
            MethodType.ClientStreaming => new ClientStreamingServerMethod<TService, TRequest, TResponse>(method,
                implementation.CreateDelegate<Func<TService, IAsyncStreamReader<TRequest>, ServerCallContext, Task<TResponse>>>()),
            _ => new DuplexStreamingServerMethod<TService, TRequest, TResponse>(method,
                implementation.CreateDelegate<Func<TService, IAsyncStreamReader<TRequest>, IServerStreamWriter<TResponse>, ServerCallContext, Task>>()),
        };
    }

    private static Type[] ExpectedParameters(MethodDescriptor method)
    {
        var request = method.InputType.ClrType;
        var response = method.OutputType.ClrType;
        return (method.IsClientStreaming, method.IsServerStreaming) switch
        {
            (false, false) => [request, typeof(ServerCallContext)],
            (false, true) => [request, typeof(IServerStreamWriter<>).MakeGenericType(response), typeof(ServerCallContext)],
            (true, false) => [typeof(IAsyncStreamReader<>).MakeGenericType(request), typeof(ServerCallContext)],
            (true, true) => [typeof(IAsyncStreamReader<>).MakeGenericType(request), typeof(IServerStreamWriter<>).MakeGenericType(response), typeof(ServerCallContext)],
        };
    }

    private static Type ExpectedReturnType(MethodDescriptor method) =>
        method.IsServerStreaming ? typeof(Task) : typeof(Task<>).MakeGenericType(method.OutputType.ClrType);
}
