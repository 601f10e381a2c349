using FanPin.Grpc;
using FanPin.Policies;
using FanPin.Registry.Application.Ledger;
using FanPin.Registry.Domain;
using static FanPin.Registry.Grpc.ProtoConvert;
using Pb = FanPin.Contracts.Registry.V1;

namespace FanPin.Registry.Grpc;

/// <summary><c>fanpin.registry.v1.LedgerService</c>: "x households, y persons" as counties report them.</summary>
public sealed class LedgerGrpcService : Pb.LedgerService.LedgerServiceBase
{
    /// <inheritdoc />
    public override async Task<Pb.GetLedgerResponse> GetLedger(Pb.GetLedgerRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var ledger = await context.UseCase<GetLedger>().HandleAsync(caller, new GetLedgerRequest(request.RegionPrefix), context.CancellationToken).ConfigureAwait(false);
        var response = new Pb.GetLedgerResponse { RegionPrefix = ledger.RegionPrefix, All = Count(ledger.All) };
        response.ByCategory.AddRange(ledger.ByCategory.OrderBy(e => e.Key)
            .Select(e => new Pb.CategoryCount { Category = Out<HouseholdCategory, Pb.HouseholdCategory>(e.Key), Count = Count(e.Value) }));
        response.ByStatus.AddRange(ledger.ByStatus.OrderBy(e => e.Key)
            .Select(e => new Pb.StatusCount { Status = Out<MonitoringStatus, Pb.MonitoringStatus>(e.Key), Count = Count(e.Value) }));
        response.ByMonitoringType.AddRange(ledger.ByMonitoringType.Select(t => new Pb.MonitoringTypeCount
        {
            MonitoringType = Out<MonitoringType, Pb.MonitoringType>(t.Type),
            Monitored = Count(t.Monitored),
            RiskEliminated = Count(t.RiskEliminated),
        }));
        response.ByRiskType.AddRange(ledger.ByRiskTypeOfMonitored.OrderBy(e => e.Key)
            .Select(e => new Pb.RiskTypeCount { RiskType = Out<RiskType, Pb.RiskType>(e.Key), Count = Count(e.Value) }));
        response.ByChildRegion.AddRange(ledger.ByChildRegion
            .Select(r => new Pb.RegionCount { RegionPrefix = r.RegionPrefix, All = Count(r.All), Monitored = Count(r.Monitored) }));
        return response;
    }

    private static Pb.HouseholdCount Count(HouseholdCount count) => new() { Households = count.Households, Persons = count.Persons };
}
