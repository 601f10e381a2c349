using FanPin.Grpc;
using FanPin.Monitoring.Application.Guarantees;
using FanPin.Monitoring.Domain;
using Pb = FanPin.Contracts.Monitoring.V1;

namespace FanPin.Monitoring.Grpc;

/// <summary><c>fanpin.monitoring.v1.GuaranteeService</c>: guarantee snapshots ("两不愁三保障" and drinking water) and their gaps.</summary>
public sealed class GuaranteeGrpcService : Pb.GuaranteeService.GuaranteeServiceBase
{
    /// <inheritdoc />
    public override async Task<Pb.RecordGuaranteeSnapshotResponse> RecordGuaranteeSnapshot(Pb.RecordGuaranteeSnapshotRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var command = new RecordGuaranteeSnapshotRequest(ProtoConvert.Id(request.HouseholdId, "household_id"),
            ProtoConvert.RequiredDate(request.ObservedOn, "observed_on"), MonitoringMessages.FromProto(request.Indicators, "indicators"),
            ProtoConvert.Required<Pb.RecordSource, RecordSource>(request.Source, "source"), request.Reference);
        var snapshot = await context.UseCase<RecordGuaranteeSnapshot>().HandleAsync(caller, command, context.CancellationToken).ConfigureAwait(false);
        return new Pb.RecordGuaranteeSnapshotResponse { Snapshot = snapshot.ToProto() };
    }

    /// <inheritdoc />
    public override async Task<Pb.ListGuaranteeSnapshotsResponse> ListGuaranteeSnapshots(Pb.ListGuaranteeSnapshotsRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var query = new ListGuaranteeSnapshotsRequest(ProtoConvert.Id(request.HouseholdId, "household_id"), request.PageSize, ProtoConvert.Optional(request.PageToken));
        var result = await context.UseCase<ListGuaranteeSnapshots>().HandleAsync(caller, query, context.CancellationToken).ConfigureAwait(false);
        var response = new Pb.ListGuaranteeSnapshotsResponse { NextPageToken = result.NextPageToken };
        response.Snapshots.AddRange(result.Snapshots.Select(MonitoringMessages.ToProto));
        return response;
    }

    /// <inheritdoc />
    public override async Task<Pb.GetGuaranteeStatusResponse> GetGuaranteeStatus(Pb.GetGuaranteeStatusRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var query = new GetGuaranteeStatusRequest(ProtoConvert.Id(request.HouseholdId, "household_id"), ProtoConvert.Date(request.AsOf, "as_of"));
        var result = await context.UseCase<GetGuaranteeStatus>().HandleAsync(caller, query, context.CancellationToken).ConfigureAwait(false);
        var response = new Pb.GetGuaranteeStatusResponse
        {
            HouseholdId = result.HouseholdId.ToProto(),
            AsOf = result.AsOf.ToProto(),
            Indicators = result.Indicators.ToProto(),
            PolicyProvince = result.PolicyProvince,
            PolicyVersion = result.PolicyVersion,
        };
        response.Gaps.AddRange(result.Gaps.Select(MonitoringMessages.ToProto));
        return response;
    }
}
