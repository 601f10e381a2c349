using FanPin.Grpc;
using FanPin.Registry.Application.Closing;
using FanPin.Registry.Domain;
using static FanPin.Registry.Grpc.ProtoConvert;
using Pb = FanPin.Contracts.Registry.V1;

namespace FanPin.Registry.Grpc;

/// <summary><c>fanpin.registry.v1.ClosingService</c>: appraisal, township review, notice, the county's marking.</summary>
public sealed class ClosingGrpcService : Pb.ClosingService.ClosingServiceBase
{
    /// <inheritdoc />
    public override async Task<Pb.OpenClosingCaseResponse> OpenClosingCase(Pb.OpenClosingCaseRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var input = new OpenClosingCaseRequest(Id(request.HouseholdId, "household_id"), Date(request.IncomeStableSince, "income_stable_since"), request.Summary);
        var result = await context.UseCase<OpenClosingCase>().HandleAsync(caller, input, context.CancellationToken).ConfigureAwait(false);
        return new Pb.OpenClosingCaseResponse { ClosingCase = result.Case.ToProto() };
    }

    /// <inheritdoc />
    public override async Task<Pb.RecordClosingAppraisalResponse> RecordClosingAppraisal(Pb.RecordClosingAppraisalRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var input = new RecordClosingAppraisalRequest(
            Id(request.CaseId, "case_id"),
            Date(request.MeetingOn, "meeting_on"),
            In<Pb.AppraisalResult, AppraisalResult>(request.Result, "result"),
            request.MinutesReference,
            request.RejectionReason);
        var result = await context.UseCase<RecordClosingAppraisal>().HandleAsync(caller, input, context.CancellationToken).ConfigureAwait(false);
        return new Pb.RecordClosingAppraisalResponse { ClosingCase = result.Case.ToProto() };
    }

    /// <inheritdoc />
    public override async Task<Pb.RecordTownshipReviewResponse> RecordTownshipReview(Pb.RecordTownshipReviewRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var input = new RecordTownshipReviewRequest(
            Id(request.CaseId, "case_id"),
            Date(request.ReviewedOn, "reviewed_on"),
            In<Pb.AppraisalResult, AppraisalResult>(request.Result, "result"),
            request.RejectionReason);
        var result = await context.UseCase<RecordTownshipReview>().HandleAsync(caller, input, context.CancellationToken).ConfigureAwait(false);
        return new Pb.RecordTownshipReviewResponse { ClosingCase = result.Case.ToProto() };
    }

    /// <inheritdoc />
    public override async Task<Pb.PublishClosingNoticeResponse> PublishClosingNotice(Pb.PublishClosingNoticeRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var input = new PublishClosingNoticeRequest(Id(request.CaseId, "case_id"), Date(request.StartsOn, "starts_on"));
        var result = await context.UseCase<PublishClosingNotice>().HandleAsync(caller, input, context.CancellationToken).ConfigureAwait(false);
        return new Pb.PublishClosingNoticeResponse { ClosingCase = result.Case.ToProto() };
    }

    /// <inheritdoc />
    public override async Task<Pb.RecordClosingObjectionResponse> RecordClosingObjection(Pb.RecordClosingObjectionRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var input = new RecordClosingObjectionRequest(Id(request.CaseId, "case_id"), request.Objection);
        var result = await context.UseCase<RecordClosingObjection>().HandleAsync(caller, input, context.CancellationToken).ConfigureAwait(false);
        return new Pb.RecordClosingObjectionResponse { ClosingCase = result.Case.ToProto() };
    }

    /// <inheritdoc />
    public override async Task<Pb.EliminateRiskResponse> EliminateRisk(Pb.EliminateRiskRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var result = await context.UseCase<EliminateRisk>()
            .HandleAsync(caller, new EliminateRiskRequest(Id(request.CaseId, "case_id")), context.CancellationToken).ConfigureAwait(false);
        return new Pb.EliminateRiskResponse { ClosingCase = result.Case.ToProto() };
    }

    /// <inheritdoc />
    public override async Task<Pb.RejectClosingCaseResponse> RejectClosingCase(Pb.RejectClosingCaseRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var input = new RejectClosingCaseRequest(Id(request.CaseId, "case_id"), request.Reason);
        var result = await context.UseCase<RejectClosingCase>().HandleAsync(caller, input, context.CancellationToken).ConfigureAwait(false);
        return new Pb.RejectClosingCaseResponse { ClosingCase = result.Case.ToProto() };
    }

    /// <inheritdoc />
    public override async Task<Pb.GetClosingCaseResponse> GetClosingCase(Pb.GetClosingCaseRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var result = await context.UseCase<GetClosingCase>()
            .HandleAsync(caller, new GetClosingCaseRequest(Id(request.CaseId, "case_id")), context.CancellationToken).ConfigureAwait(false);
        return new Pb.GetClosingCaseResponse { ClosingCase = result.Case.ToProto() };
    }
}
