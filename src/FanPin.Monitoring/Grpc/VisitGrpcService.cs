using FanPin.Grpc;
using FanPin.Monitoring.Application.Visits;
using Pb = FanPin.Contracts.Monitoring.V1;

namespace FanPin.Monitoring.Grpc;

/// <summary><c>fanpin.monitoring.v1.VisitService</c>: helper visits and visit compliance.</summary>
public sealed class VisitGrpcService : Pb.VisitService.VisitServiceBase
{
    /// <inheritdoc />
    public override async Task<Pb.RecordVisitResponse> RecordVisit(Pb.RecordVisitRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var command = new RecordVisitRequest(ProtoConvert.Id(request.HouseholdId, "household_id"), ProtoConvert.RequiredDate(request.VisitedOn, "visited_on"),
            request.HelperName, request.Findings, request.NextActions);
        var visit = await context.UseCase<RecordVisit>().HandleAsync(caller, command, context.CancellationToken).ConfigureAwait(false);
        return new Pb.RecordVisitResponse { Visit = visit.ToProto() };
    }

    /// <inheritdoc />
    public override async Task<Pb.ListVisitsResponse> ListVisits(Pb.ListVisitsRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var query = new ListVisitsRequest(ProtoConvert.Id(request.HouseholdId, "household_id"), ProtoConvert.Date(request.From, "from"),
            ProtoConvert.Date(request.To, "to"), request.PageSize, ProtoConvert.Optional(request.PageToken));
        var result = await context.UseCase<ListVisits>().HandleAsync(caller, query, context.CancellationToken).ConfigureAwait(false);
        var response = new Pb.ListVisitsResponse { NextPageToken = result.NextPageToken };
        response.Visits.AddRange(result.Visits.Select(MonitoringMessages.ToProto));
        return response;
    }

    /// <inheritdoc />
    public override async Task<Pb.ListVisitComplianceResponse> ListVisitCompliance(Pb.ListVisitComplianceRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var query = new ListVisitComplianceRequest(ProtoConvert.Optional(request.Region), ProtoConvert.Optional(request.Month),
            ProtoConvert.Date(request.AsOf, "as_of"), request.OverdueOnly, request.PageSize, ProtoConvert.Optional(request.PageToken));
        var result = await context.UseCase<ListVisitCompliance>().HandleAsync(caller, query, context.CancellationToken).ConfigureAwait(false);
        var response = new Pb.ListVisitComplianceResponse
        {
            Month = result.Month,
            AsOf = result.AsOf.ToProto(),
            VisitsPerMonth = result.VisitsPerMonth,
            PolicyProvince = result.PolicyProvince,
            PolicyVersion = result.PolicyVersion,
            NextPageToken = result.NextPageToken,
        };
        response.Households.AddRange(result.Households.Select(MonitoringMessages.ToProto));
        return response;
    }
}
