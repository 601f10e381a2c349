using System.Reflection;
using FanPin.Contracts.Grading.V1;
using FanPin.Grading.Tests.Support;
using FanPin.Grpc;
using Google.Protobuf;

namespace FanPin.Grading.Tests.Grpc;

/// <summary>Every RPC of every service of grading.proto is served, and the wire enums mean what grading's enums mean.</summary>
[Collection(GradingServerCollection.Name)]
public class ContractCoverageTests(GradingServer server)
{
    public static TheoryData<string> Methods()
    {
        var data = new TheoryData<string>();
        foreach (var service in GradingReflection.Descriptor.Services)
        {
            foreach (var method in service.Methods)
            {
                data.Add(method.FullName);
            }
        }
        return data;
    }

    [Fact]
    public void The_contract_has_the_two_grading_services()
    {
        Assert.Equal(["fanpin.grading.v1.PolicyService", "fanpin.grading.v1.WarningService"],
            GradingReflection.Descriptor.Services.Select(s => s.FullName).Order(StringComparer.Ordinal));
        Assert.Equal(14, Methods().Count);
    }

    /// <summary>An empty request (all defaults) reaches the method: it answers with a domain status or OK, never UNIMPLEMENTED or INTERNAL.</summary>
    [Theory]
    [MemberData(nameof(Methods))]
    public async Task The_method_is_implemented(string fullName)
    {
        var status = await CallWithDefaults(fullName, Callers.County("580102"));
        Assert.DoesNotContain(status, new[] { StatusCode.Unimplemented, StatusCode.Internal, StatusCode.Unknown });
    }

    /// <summary>Without a bearer token every grading method is UNAUTHENTICATED.</summary>
    [Theory]
    [MemberData(nameof(Methods))]
    public async Task The_method_needs_a_token(string fullName) =>
        Assert.Equal(StatusCode.Unauthenticated, await CallWithDefaults(fullName, null));

    [Fact]
    public void Wire_enums_and_grading_enums_share_numbers_and_names()
    {
        var pairs = new (Type Proto, Type Domain)[]
        {
            (typeof(WarningGrade), typeof(Domain.WarningGrade)),
            (typeof(WarningStatus), typeof(Domain.WarningStatus)),
            (typeof(WarningAction), typeof(Domain.WarningAction)),
            (typeof(WarningEventType), typeof(Domain.WarningLogEventType)),
            (typeof(GradeCause), typeof(Domain.GradeCause)),
        };
        foreach (var (proto, domain) in pairs)
        {
            var wire = Enum.GetValues(proto).Cast<object>().Where(v => Convert.ToInt32(v, null) != 0)
                .Select(v => (Convert.ToInt32(v, null), v.ToString())).ToList();
            var grading = Enum.GetValues(domain).Cast<object>().Select(v => (Convert.ToInt32(v, null), v.ToString())).ToList();
            Assert.True(wire.SequenceEqual(grading), $"{proto.Name}: wire {string.Join(",", wire)} vs grading {string.Join(",", grading)}");
        }
    }

    private async Task<StatusCode> CallWithDefaults(string fullName, ServiceDefaults.Authentication.Caller? caller)
    {
        var method = FindMethod(fullName);
        var call = typeof(ContractCoverageTests).GetMethod(nameof(CallWithDefaultsAsync), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(method.GetType().GetGenericArguments());
        using var clients = server.As(caller);
        return await (Task<StatusCode>)call.Invoke(null, [clients.Channel, method])!;
    }

    private static GrpcMethod FindMethod(string fullName)
    {
        var serviceName = fullName[..fullName.LastIndexOf('.')].Split('.')[^1];
        var bindings = typeof(GradingReflection).Assembly.GetType($"FanPin.Contracts.Grading.V1.{serviceName}+Methods", throwOnError: true)!;
        return bindings.GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (GrpcMethod)f.GetValue(null)!).Single(m => m.Descriptor.FullName == fullName);
    }

    private static async Task<StatusCode> CallWithDefaultsAsync<TRequest, TResponse>(GrpcChannel channel, GrpcMethod<TRequest, TResponse> method)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        try
        {
            if (method.Type == MethodType.ServerStreaming)
            {
                // An empty watch request names no region: refused before the first entry, so the stream ends.
                using var streaming = channel.ServerStreamingCall(method, new TRequest(), new CallOptions(Deadline: DateTime.UtcNow.AddMinutes(1)));
                while (await streaming.ResponseStream.MoveNext())
                {
                }
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
