using System.Reflection;
using FanPin.Contracts.Testing.V1;
using FanPin.Grpc.CodeGeneration;
using FanPin.Grpc.Server;
using Google.Protobuf.Reflection;

namespace FanPin.Grpc.Tests;

/// <summary>
/// Every proto service compiled into FanPin.Contracts has a service base that binds every method and a
/// client with a method for each, and the generated files are current. Adding a .proto file without
/// running the generator fails here.
/// </summary>
public class BindingTests
{
    private static readonly Assembly Contracts = typeof(EchoReflection).Assembly;

    public static TheoryData<string> ServiceNames()
    {
        var data = new TheoryData<string>();
        foreach (var service in ContractBindings.Services(Contracts))
        {
            data.Add(service.FullName);
        }
        return data;
    }

    private static ServiceDescriptor Service(string fullName) => ContractBindings.Services(Contracts).Single(s => s.FullName == fullName);

    private static Type BindingsClass(ServiceDescriptor service)
    {
        var reflectionClass = ContractBindings.ProtoFiles(Contracts).Single(f => f.File == service.File).ReflectionClass;
        return Contracts.GetType($"{reflectionClass.Namespace}.{service.Name}")
            ?? throw new Xunit.Sdk.XunitException($"{service.FullName} has no bindings class {reflectionClass.Namespace}.{service.Name}: run `dotnet run --project src/FanPin.Grpc.Codegen`.");
    }

    [Fact]
    public void Contracts_hold_the_services_this_transport_needs()
    {
        var names = ContractBindings.Services(Contracts).Select(s => s.FullName).ToList();
        Assert.Contains("fanpin.testing.v1.EchoService", names);
        Assert.Contains("grpc.health.v1.Health", names);
    }

    [Theory]
    [MemberData(nameof(ServiceNames))]
    public void Every_method_has_a_server_binding(string serviceName)
    {
        var service = Service(serviceName);
        var baseType = BindingsClass(service).GetNestedType(service.Name + "Base")
            ?? throw new Xunit.Sdk.XunitException($"{serviceName} has no service base");
        Assert.True(typeof(IGrpcService).IsAssignableFrom(baseType));
        var descriptor = (ServiceDescriptor)baseType.GetInterfaceMap(typeof(IGrpcService)).TargetMethods.Single().Invoke(null, null)!;
        Assert.Equal(serviceName, descriptor.FullName);
        foreach (var method in service.Methods)
        {
            var implementation = ServiceMethodBinder.FindImplementation(baseType, method);
            Assert.True(implementation is { IsVirtual: true }, $"{serviceName}/{method.Name} has no overridable server method");
        }
    }

    [Theory]
    [MemberData(nameof(ServiceNames))]
    public void Every_method_has_a_client_method(string serviceName)
    {
        var service = Service(serviceName);
        var clientType = BindingsClass(service).GetNestedType(service.Name + "Client")
            ?? throw new Xunit.Sdk.XunitException($"{serviceName} has no client");
        Assert.True(typeof(ClientBase).IsAssignableFrom(clientType));
        foreach (var method in service.Methods)
        {
            var name = method.IsClientStreaming || method.IsServerStreaming ? method.Name : method.Name + "Async";
            var overloads = clientType.GetMethods().Where(m => m.Name == name).ToList();
            Assert.True(overloads.Count == 2, $"{serviceName}/{method.Name} has no client method {name}");
            Assert.Contains(overloads, m => m.GetParameters().Any(p => p.ParameterType == typeof(CallOptions)));
            if (!method.IsClientStreaming)
            {
                Assert.All(overloads, m => Assert.Equal(method.InputType.ClrType, m.GetParameters()[0].ParameterType));
            }
        }
    }

    [Fact]
    public void The_check_finds_a_missing_binding()
    {
        // A class that is not derived from the generated base binds nothing: the check above would fail.
        foreach (var method in EchoService.Descriptor.Methods)
        {
            Assert.Null(ServiceMethodBinder.FindImplementation(typeof(object), method));
        }
        Assert.Throws<InvalidOperationException>(() => ServiceMethodBinder.Bind<NotAnEchoService>(EchoService.Descriptor));
    }

    [Fact]
    public void Generated_bindings_are_current()
    {
        var folder = Path.Combine(RepositoryRoot(), "src", "FanPin.Contracts", "Bindings");
        var drift = ContractBindings.Compare(folder, ContractBindings.Render(Contracts));
        Assert.True(drift.Count == 0, "Run `dotnet run --project src/FanPin.Grpc.Codegen`:\n" + string.Join('\n', drift));
    }

    [Fact]
    public void Methods_carry_the_proto_idempotency()
    {
        Assert.True(EchoService.Methods.Unary.IsIdempotent);
        Assert.True(EchoService.Methods.ServerStream.IsIdempotent);
        Assert.False(EchoService.Methods.ClientStream.IsIdempotent);
        Assert.False(EchoService.Methods.BidiStream.IsIdempotent);
        Assert.Equal(MethodType.DuplexStreaming, EchoService.Methods.BidiStream.Type);
        Assert.Equal("/fanpin.testing.v1.EchoService/Unary", EchoService.Methods.Unary.FullName);
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "FanPinAspire.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("FanPinAspire.sln not found above " + AppContext.BaseDirectory);
    }

    private sealed class NotAnEchoService;
}
