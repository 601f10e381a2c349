using System.Reflection;
using FanPin.Contracts.Registry.V1;
using FanPin.Grpc;
using Google.Protobuf;

namespace FanPin.Registry.Tests.Grpc;

/// <summary>Every RPC of every service of registry.proto is served, and the wire enums mean what the registry's enums mean.</summary>
[Collection(RegistryServerCollection.Name)]
public class ContractCoverageTests(RegistryServer server)
{
    public static TheoryData<string> Methods()
    {
        var data = new TheoryData<string>();
        foreach (var service in RegistryReflection.Descriptor.Services)
        {
            foreach (var method in service.Methods)
            {
                data.Add(method.FullName);
            }
        }
        return data;
    }

    [Fact]
    public void The_contract_has_the_five_registry_services()
    {
        Assert.Equal(
            ["fanpin.registry.v1.ClosingService", "fanpin.registry.v1.HouseholdService", "fanpin.registry.v1.IdentificationService", "fanpin.registry.v1.LedgerService", "fanpin.registry.v1.RegionService"],
            RegistryReflection.Descriptor.Services.Select(s => s.FullName).Order(StringComparer.Ordinal));
        Assert.Equal(31, Methods().Count);
    }

    /// <summary>An empty request (all defaults) reaches the method: it answers with a domain status, never UNIMPLEMENTED or INTERNAL.</summary>
    [Theory]
    [MemberData(nameof(Methods))]
    public async Task The_method_is_implemented(string fullName)
    {
        var method = FindMethod(fullName);
        var call = typeof(ContractCoverageTests).GetMethod(nameof(CallWithDefaultsAsync), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(method.GetType().GetGenericArguments());
        using var county = server.As(Callers.County());
        var status = await (Task<StatusCode>)call.Invoke(null, [county.Channel, method])!;
        Assert.DoesNotContain(status, new[] { StatusCode.Unimplemented, StatusCode.Internal, StatusCode.Unknown });
    }

    /// <summary>Without a bearer token every registry method is UNAUTHENTICATED, and nothing is written.</summary>
    [Theory]
    [MemberData(nameof(Methods))]
    public async Task The_method_needs_a_token(string fullName)
    {
        var method = FindMethod(fullName);
        var call = typeof(ContractCoverageTests).GetMethod(nameof(CallWithDefaultsAsync), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(method.GetType().GetGenericArguments());
        using var anonymous = server.As(null);
        var before = await server.SnapshotAsync();
        Assert.Equal(StatusCode.Unauthenticated, await (Task<StatusCode>)call.Invoke(null, [anonymous.Channel, method])!);
        Assert.Equal(before, await server.SnapshotAsync());
    }

    [Fact]
    public void Wire_enums_and_registry_enums_share_numbers_and_names()
    {
        var pairs = new (Type Proto, Type Domain)[]
        {
            (typeof(Contracts.Registry.V1.RegionLevel), typeof(FanPin.RegionLevel)),
            (typeof(HouseholdCategory), typeof(FanPin.Policies.HouseholdCategory)),
            (typeof(MonitoringStatus), typeof(Domain.MonitoringStatus)),
            (typeof(MonitoringType), typeof(Domain.MonitoringType)),
            (typeof(RiskType), typeof(Domain.RiskType)),
            (typeof(Relation), typeof(Domain.Relation)),
            (typeof(LabourAbility), typeof(FanPin.Policies.LabourAbility)),
            (typeof(HealthCondition), typeof(Domain.HealthCondition)),
            (typeof(SchoolingStage), typeof(Domain.SchoolingStage)),
            (typeof(EmploymentLocation), typeof(Domain.EmploymentLocation)),
            (typeof(MemberChangeKind), typeof(Domain.MemberChangeKind)),
            (typeof(CaseSource), typeof(Domain.CaseSource)),
            (typeof(IdentificationState), typeof(Domain.IdentificationState)),
            (typeof(ClosingState), typeof(Domain.ClosingState)),
            (typeof(ClosingSource), typeof(Domain.ClosingSource)),
            (typeof(AppraisalResult), typeof(Domain.AppraisalResult)),
            (typeof(ExclusionKind), typeof(FanPin.Policies.ExclusionKind)),
        };
        foreach (var (proto, domain) in pairs)
        {
            var wire = Enum.GetValues(proto).Cast<object>().Where(v => Convert.ToInt32(v, null) != 0)
                .Select(v => (Convert.ToInt32(v, null), v.ToString())).ToList();
            var registry = Enum.GetValues(domain).Cast<object>().Select(v => (Convert.ToInt32(v, null), v.ToString())).ToList();
            Assert.True(wire.SequenceEqual(registry), $"{proto.Name}: wire {string.Join(",", wire)} vs registry {string.Join(",", registry)}");
        }
        // Sex is the one enum numbered differently (the registry's has no "unspecified").
        Assert.Equal(["Unspecified", "Female", "Male"], Enum.GetNames<Contracts.Registry.V1.Sex>());
        Assert.Equal(["Female", "Male"], Enum.GetNames<FanPin.Sex>());
    }

    private static GrpcMethod FindMethod(string fullName)
    {
        var serviceName = fullName[..fullName.LastIndexOf('.')].Split('.')[^1];
        var bindings = typeof(RegistryReflection).Assembly.GetType($"FanPin.Contracts.Registry.V1.{serviceName}+Methods", throwOnError: true)!;
        return bindings.GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (GrpcMethod)f.GetValue(null)!).Single(m => m.Descriptor.FullName == fullName);
    }

    private static async Task<StatusCode> CallWithDefaultsAsync<TRequest, TResponse>(GrpcChannel channel, GrpcMethod<TRequest, TResponse> method)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        try
        {
            if (method.Type == MethodType.ClientStreaming)
            {
                using var streaming = channel.ClientStreamingCall(method, new CallOptions());
                await streaming.RequestStream.WriteAsync(new TRequest());
                await streaming.RequestStream.CompleteAsync();
                await streaming;
            }
            else
            {
                using var unary = channel.UnaryCall(method, new TRequest(), new CallOptions());
                await unary;
            }
            return StatusCode.OK;
        }
        catch (RpcException ex)
        {
            return ex.StatusCode;
        }
    }
}
