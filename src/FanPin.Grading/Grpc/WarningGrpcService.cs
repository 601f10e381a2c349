using FanPin.Grading.Application.Dashboard;
using FanPin.Grading.Application.Warnings;
using FanPin.Grpc;
using Pb = FanPin.Contracts.Grading.V1;

namespace FanPin.Grading.Grpc;

/// <summary><c>fanpin.grading.v1.WarningService</c>: warnings, their lifecycle, grade histories, dashboards and the warning stream.</summary>
public sealed class WarningGrpcService : Pb.WarningService.WarningServiceBase
{
    /// <inheritdoc />
    public override async Task<Pb.ListWarningsResponse> ListWarnings(Pb.ListWarningsRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var result = await context.UseCase<ListWarnings>().HandleAsync(caller, new ListWarningsRequest(
            request.RegionPrefix.OrNull(),
            request.Grades.Select(GradingMessages.In).ToList(),
            request.Statuses.Select(GradingMessages.In).ToList(),
            request.PageSize,
            request.PageToken.OrNull()), context.CancellationToken).ConfigureAwait(false);
        var response = new Pb.ListWarningsResponse { NextPageToken = result.NextPageToken ?? "" };
        response.Warnings.AddRange(result.Warnings.Select(GradingMessages.ToProto));
        return response;
    }

    /// <inheritdoc />
    public override async Task<Pb.GetWarningResponse> GetWarning(Pb.GetWarningRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var result = await context.UseCase<GetWarning>().HandleAsync(caller, new GetWarningRequest(request.WarningId), context.CancellationToken).ConfigureAwait(false);
        var response = new Pb.GetWarningResponse { Warning = result.Warning.ToProto() };
        response.History.AddRange(result.History.Select(GradingMessages.ToProto));
        return response;
    }

    /// <inheritdoc />
    public override async Task<Pb.AcknowledgeWarningResponse> AcknowledgeWarning(Pb.AcknowledgeWarningRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var result = await context.UseCase<AcknowledgeWarning>()
            .HandleAsync(caller, new AcknowledgeWarningRequest(request.WarningId, request.Note.OrNull()), context.CancellationToken).ConfigureAwait(false);
        return new Pb.AcknowledgeWarningResponse { Warning = result.Warning.ToProto() };
    }

    /// <inheritdoc />
    public override async Task<Pb.DispatchWarningResponse> DispatchWarning(Pb.DispatchWarningRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var result = await context.UseCase<DispatchWarning>()
            .HandleAsync(caller, new DispatchWarningRequest(request.WarningId, request.Departments.ToList(), request.Note.OrNull()), context.CancellationToken).ConfigureAwait(false);
        return new Pb.DispatchWarningResponse { Warning = result.Warning.ToProto() };
    }

    /// <inheritdoc />
    public override async Task<Pb.StartAssistanceResponse> StartAssistance(Pb.StartAssistanceRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var result = await context.UseCase<StartAssistance>()
            .HandleAsync(caller, new StartAssistanceRequest(request.WarningId, request.Note.OrNull()), context.CancellationToken).ConfigureAwait(false);
        return new Pb.StartAssistanceResponse { Warning = result.Warning.ToProto() };
    }

    /// <inheritdoc />
    public override async Task<Pb.ListOverdueWarningsResponse> ListOverdueWarnings(Pb.ListOverdueWarningsRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var result = await context.UseCase<ListOverdueWarnings>().HandleAsync(caller,
            new ListOverdueWarningsRequest(request.RegionPrefix.OrNull(), request.PageSize, request.PageToken.OrNull()), context.CancellationToken).ConfigureAwait(false);
        var response = new Pb.ListOverdueWarningsResponse { NextPageToken = result.NextPageToken ?? "" };
        response.Warnings.AddRange(result.Warnings.Select(GradingMessages.ToProto));
        return response;
    }

    /// <inheritdoc />
    public override async Task<Pb.GetHouseholdGradeHistoryResponse> GetHouseholdGradeHistory(Pb.GetHouseholdGradeHistoryRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var result = await context.UseCase<GetHouseholdGradeHistory>().HandleAsync(caller,
            new GetHouseholdGradeHistoryRequest(request.HouseholdId, request.PageSize, request.PageToken.OrNull()), context.CancellationToken).ConfigureAwait(false);
        var response = new Pb.GetHouseholdGradeHistoryResponse
        {
            HouseholdId = result.HouseholdId.ToString(),
            RegionCode = result.RegionCode,
            CurrentGrade = result.CurrentGrade.ToProto(),
            OpenWarningId = result.OpenWarningId?.ToString() ?? "",
            NextPageToken = result.NextPageToken ?? "",
        };
        response.Changes.AddRange(result.Changes.Select(GradingMessages.ToProto));
        return response;
    }

    /// <inheritdoc />
    public override async Task<Pb.GetGradeCountsResponse> GetGradeCounts(Pb.GetGradeCountsRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var result = await context.UseCase<GetGradeCounts>()
            .HandleAsync(caller, new GetGradeCountsRequest(request.RegionPrefix.OrNull()), context.CancellationToken).ConfigureAwait(false);
        return new Pb.GetGradeCountsResponse
        {
            RegionPrefix = result.RegionPrefix,
            GradeOne = result.One,
            GradeTwo = result.Two,
            GradeThree = result.Three,
            Source = result.Source,
        };
    }

    /// <inheritdoc />
    public override async Task<Pb.RebuildGradeProjectionResponse> RebuildGradeProjection(Pb.RebuildGradeProjectionRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var result = await context.UseCase<RebuildGradeProjection>()
            .HandleAsync(caller, new RebuildGradeProjectionRequest(), context.CancellationToken).ConfigureAwait(false);
        return new Pb.RebuildGradeProjectionResponse { Province = result.Province, Households = result.Households };
    }

    /// <summary>
    /// Streams the region's warning log from <c>from_sequence</c> (replay), then live, until the client cancels,
    /// disconnects or its deadline passes (the call's token ends the watcher's loop). Validation and access
    /// checks fail the call before the first entry.
    /// </summary>
    public override async Task WatchWarnings(Pb.WatchWarningsRequest request, IServerStreamWriter<Pb.WatchWarningsResponse> responseStream, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var ct = context.CancellationToken;
        var watch = context.UseCase<WatchWarnings>().Handle(caller, new WatchWarningsRequest(request.RegionPrefix, request.FromSequence), ct);
        await foreach (var entry in watch.Entries.WithCancellation(ct).ConfigureAwait(false))
        {
            await responseStream.WriteAsync(new Pb.WatchWarningsResponse { Entry = entry.ToProto() }, ct).ConfigureAwait(false);
        }
    }
}
