using FanPin.Grpc;
using FanPin.Monitoring.Application.Records;
using FanPin.Monitoring.Domain;
using Pb = FanPin.Contracts.Monitoring.V1;

namespace FanPin.Monitoring.Grpc;

/// <summary><c>fanpin.monitoring.v1.RecordService</c>: monthly income and expenditure records and the income summary.</summary>
public sealed class RecordGrpcService : Pb.RecordService.RecordServiceBase
{
    /// <inheritdoc />
    public override async Task<Pb.RecordIncomeResponse> RecordIncome(Pb.RecordIncomeRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var command = new RecordIncomeRequest(ProtoConvert.Id(request.HouseholdId, "household_id"),
            ProtoConvert.Required<Pb.RecordCategory, RecordCategory>(request.Category, "category"), request.Month, request.AmountFen,
            ProtoConvert.Required<Pb.RecordSource, RecordSource>(request.Source, "source"), request.Reference);
        var record = await context.UseCase<RecordIncome>().HandleAsync(caller, command, context.CancellationToken).ConfigureAwait(false);
        return new Pb.RecordIncomeResponse { Record = record.ToProto() };
    }

    /// <inheritdoc />
    public override async Task<Pb.RecordExpenditureResponse> RecordExpenditure(Pb.RecordExpenditureRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var command = new RecordExpenditureRequest(ProtoConvert.Id(request.HouseholdId, "household_id"),
            ProtoConvert.Required<Pb.RecordCategory, RecordCategory>(request.Category, "category"), request.Month, request.AmountFen,
            ProtoConvert.Required<Pb.RecordSource, RecordSource>(request.Source, "source"), request.Reference);
        var record = await context.UseCase<RecordExpenditure>().HandleAsync(caller, command, context.CancellationToken).ConfigureAwait(false);
        return new Pb.RecordExpenditureResponse { Record = record.ToProto() };
    }

    /// <inheritdoc />
    public override async Task<Pb.CorrectRecordResponse> CorrectRecord(Pb.CorrectRecordRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var command = new CorrectRecordRequest(ProtoConvert.Id(request.RecordId, "record_id"),
            ProtoConvert.Required<Pb.RecordCategory, RecordCategory>(request.Category, "category"), request.Month, request.AmountFen,
            ProtoConvert.Required<Pb.RecordSource, RecordSource>(request.Source, "source"), request.Reference, request.Reason);
        var record = await context.UseCase<CorrectRecord>().HandleAsync(caller, command, context.CancellationToken).ConfigureAwait(false);
        return new Pb.CorrectRecordResponse { Record = record.ToProto() };
    }

    /// <inheritdoc />
    public override async Task<Pb.ListRecordsResponse> ListRecords(Pb.ListRecordsRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var query = new ListRecordsRequest(ProtoConvert.Id(request.HouseholdId, "household_id"), ProtoConvert.Optional(request.FromMonth),
            ProtoConvert.Optional(request.ToMonth), request.IncludeSuperseded, request.PageSize, ProtoConvert.Optional(request.PageToken));
        var result = await context.UseCase<ListRecords>().HandleAsync(caller, query, context.CancellationToken).ConfigureAwait(false);
        var response = new Pb.ListRecordsResponse { NextPageToken = result.NextPageToken };
        response.Records.AddRange(result.Records.Select(MonitoringMessages.ToProto));
        return response;
    }

    /// <inheritdoc />
    public override async Task<Pb.GetIncomeSummaryResponse> GetIncomeSummary(Pb.GetIncomeSummaryRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var query = new GetIncomeSummaryRequest(ProtoConvert.Id(request.HouseholdId, "household_id"), ProtoConvert.Optional(request.ReferenceMonth));
        var result = await context.UseCase<GetIncomeSummary>().HandleAsync(caller, query, context.CancellationToken).ConfigureAwait(false);
        var response = new Pb.GetIncomeSummaryResponse
        {
            HouseholdId = result.HouseholdId.ToProto(),
            RegionCode = result.RegionCode,
            Category = ProtoConvert.Out<Policies.HouseholdCategory, Pb.HouseholdCategory>(result.Category),
            PolicyProvince = result.PolicyProvince,
            PolicyVersion = result.PolicyVersion,
            Summary = result.Summary.ToProto(),
        };
        response.Monthly.AddRange(result.Monthly.Select(MonitoringMessages.ToProto));
        response.Signals.AddRange(result.Signals.Select(MonitoringMessages.ToProto));
        return response;
    }
}
