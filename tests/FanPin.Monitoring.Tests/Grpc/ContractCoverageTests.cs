using System.Reflection;
using FanPin.Contracts.Monitoring.V1;
using FanPin.Grpc;
using FanPin.Monitoring.Tests.Support;
using Google.Protobuf;

namespace FanPin.Monitoring.Tests.Grpc;

/// <summary>Every RPC of every service of monitoring.proto is served, and the wire enums mean what monitoring's enums mean.</summary>
[Collection(MonitoringServerCollection.Name)]
public class ContractCoverageTests(MonitoringServer server)
{
    public static TheoryData<string> Methods()
    {
        var data = new TheoryData<string>();
        foreach (var service in MonitoringReflection.Descriptor.Services)
        {
            foreach (var method in service.Methods)
            {
                data.Add(method.FullName);
            }
        }
        return data;
    }

    [Fact]
    public void The_contract_has_the_five_monitoring_services()
    {
        Assert.Equal(
            ["fanpin.monitoring.v1.FeedService", "fanpin.monitoring.v1.GuaranteeService", "fanpin.monitoring.v1.RecordService", "fanpin.monitoring.v1.SignalService", "fanpin.monitoring.v1.VisitService"],
            MonitoringReflection.Descriptor.Services.Select(s => s.FullName).Order(StringComparer.Ordinal));
        Assert.Equal(20, Methods().Count);
    }

    /// <summary>An empty request (all defaults) reaches the method: it answers with a domain status, never UNIMPLEMENTED or INTERNAL.</summary>
    [Theory]
    [MemberData(nameof(Methods))]
    public async Task The_method_is_implemented(string fullName)
    {
        using var county = server.As(Callers.County(TestData.NewCounty()));
        var status = await CallAsync(county.Channel, fullName);
        Assert.DoesNotContain(status, new[] { StatusCode.Unimplemented, StatusCode.Internal, StatusCode.Unknown });
    }

    /// <summary>Without a bearer token every monitoring method is UNAUTHENTICATED.</summary>
    [Theory]
    [MemberData(nameof(Methods))]
    public async Task The_method_needs_a_token(string fullName)
    {
        using var anonymous = server.As(null);
        Assert.Equal(StatusCode.Unauthenticated, await CallAsync(anonymous.Channel, fullName));
    }

    [Fact]
    public void Wire_enums_and_monitoring_enums_share_numbers_and_names()
    {
        var pairs = new (Type Proto, Type Domain)[]
        {
            (typeof(RecordCategory), typeof(Domain.RecordCategory)),
            (typeof(RecordKind), typeof(Domain.RecordKind)),
            (typeof(RecordSource), typeof(Domain.RecordSource)),
            (typeof(HouseholdCategory), typeof(Policies.HouseholdCategory)),
            (typeof(LabourAbility), typeof(Policies.LabourAbility)),
            (typeof(HousingSafetyGrade), typeof(Policies.HousingSafetyGrade)),
            (typeof(GuaranteeGap), typeof(Domain.GuaranteeGap)),
            (typeof(ExclusionKind), typeof(Policies.ExclusionKind)),
            (typeof(FeedRowOutcome), typeof(Domain.FeedRowOutcome)),
            (typeof(FeedImportPhase), typeof(Application.Feeds.FeedImportPhase)),
        };
        foreach (var (proto, domain) in pairs)
        {
            var wire = Enum.GetValues(proto).Cast<object>().Where(v => Convert.ToInt32(v, null) != 0)
                .Select(v => (Convert.ToInt32(v, null), v.ToString())).ToList();
            var monitoring = Enum.GetValues(domain).Cast<object>().Select(v => (Convert.ToInt32(v, null), v.ToString())).ToList();
            Assert.True(wire.SequenceEqual(monitoring), $"{proto.Name}: wire {string.Join(",", wire)} vs monitoring {string.Join(",", monitoring)}");
        }
    }

    private static Task<StatusCode> CallAsync(GrpcChannel channel, string fullName)
    {
        var method = FindMethod(fullName);
        var call = typeof(ContractCoverageTests).GetMethod(nameof(CallWithDefaultsAsync), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(method.GetType().GetGenericArguments());
        return (Task<StatusCode>)call.Invoke(null, [channel, method])!;
    }

    private static GrpcMethod FindMethod(string fullName)
    {
        var serviceName = fullName[..fullName.LastIndexOf('.')].Split('.')[^1];
        var bindings = typeof(MonitoringReflection).Assembly.GetType($"FanPin.Contracts.Monitoring.V1.{serviceName}+Methods", throwOnError: true)!;
        return bindings.GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (GrpcMethod)f.GetValue(null)!).Single(m => m.Descriptor.FullName == fullName);
    }

    private static async Task<StatusCode> CallWithDefaultsAsync<TRequest, TResponse>(GrpcChannel channel, GrpcMethod<TRequest, TResponse> method)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        try
        {
            switch (method.Type)
            {
                case MethodType.ClientStreaming:
                    using (var streaming = channel.ClientStreamingCall(method, new CallOptions()))
                    {
                        await streaming.RequestStream.WriteAsync(new TRequest());
                        await streaming.RequestStream.CompleteAsync();
                        await streaming;
                    }
                    break;
                case MethodType.ServerStreaming:
                    // A watch that is served never ends by itself: its deadline ends it (DEADLINE_EXCEEDED, not UNIMPLEMENTED).
                    using (var watching = channel.ServerStreamingCall(method, new TRequest(), new CallOptions(Deadline: DateTime.UtcNow.AddSeconds(5))))
                    {
                        while (await watching.ResponseStream.MoveNext(CancellationToken.None))
                        {
                        }
                    }
                    break;
                default:
                    using (var unary = channel.UnaryCall(method, new TRequest(), new CallOptions()))
                    {
                        await unary;
                    }
                    break;
            }
            return StatusCode.OK;
        }
        catch (RpcException ex)
        {
            return ex.StatusCode;
        }
    }
}
