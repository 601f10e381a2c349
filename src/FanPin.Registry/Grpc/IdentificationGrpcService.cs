using FanPin.Grpc;
using FanPin.Policies;
using FanPin.Registry.Application.Identification;
using FanPin.Registry.Domain;
using static FanPin.Registry.Grpc.ProtoConvert;
using Pb = FanPin.Contracts.Registry.V1;

namespace FanPin.Registry.Grpc;

/// <summary><c>fanpin.registry.v1.IdentificationService</c>: 核实—评议—比对—公示—录入, steps switched by the case's policy.</summary>
public sealed class IdentificationGrpcService : Pb.IdentificationService.IdentificationServiceBase
{
    /// <inheritdoc />
    public override async Task<Pb.OpenIdentificationCaseResponse> OpenIdentificationCase(Pb.OpenIdentificationCaseRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var input = new OpenIdentificationCaseRequest(
            Id(request.HouseholdId, "household_id"),
            In<Pb.CaseSource, CaseSource>(request.Source, "source"),
            request.Summary,
            request.SourceReference);
        var result = await context.UseCase<OpenIdentificationCase>().HandleAsync(caller, input, context.CancellationToken).ConfigureAwait(false);
        return new Pb.OpenIdentificationCaseResponse { IdentificationCase = result.Case.ToProto() };
    }

    /// <inheritdoc />
    public override async Task<Pb.RecordHomeVerificationResponse> RecordHomeVerification(Pb.RecordHomeVerificationRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var input = new RecordHomeVerificationRequest(
            Id(request.CaseId, "case_id"),
            Date(request.VerifiedOn, "verified_on"),
            request.MeetsStandard,
            request.HasPerCapitaIncomeFen ? request.PerCapitaIncomeFen : null,
            request.Notes,
            request.RejectionReason);
        var result = await context.UseCase<RecordHomeVerification>().HandleAsync(caller, input, context.CancellationToken).ConfigureAwait(false);
        return new Pb.RecordHomeVerificationResponse { IdentificationCase = result.Case.ToProto() };
    }

    /// <inheritdoc />
    public override async Task<Pb.RecordDemocraticAppraisalResponse> RecordDemocraticAppraisal(Pb.RecordDemocraticAppraisalRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var input = new RecordDemocraticAppraisalRequest(
            Id(request.CaseId, "case_id"),
            Date(request.MeetingOn, "meeting_on"),
            In<Pb.AppraisalResult, AppraisalResult>(request.Result, "result"),
            request.MinutesReference,
            request.AssetCheckAuthorised,
            request.RejectionReason);
        var result = await context.UseCase<RecordDemocraticAppraisal>().HandleAsync(caller, input, context.CancellationToken).ConfigureAwait(false);
        return new Pb.RecordDemocraticAppraisalResponse { IdentificationCase = result.Case.ToProto() };
    }

    /// <inheritdoc />
    public override async Task<Pb.RecordDataComparisonResponse> RecordDataComparison(Pb.RecordDataComparisonRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var input = new RecordDataComparisonRequest(
            Id(request.CaseId, "case_id"),
            Date(request.ComparedOn, "compared_on"),
            request.Exclusions.Select((e, i) => new ExclusionInput(In<Pb.ExclusionKind, ExclusionKind>(e.Kind, $"exclusions[{i}].kind"), e.Reason)).ToList());
        var result = await context.UseCase<RecordDataComparison>().HandleAsync(caller, input, context.CancellationToken).ConfigureAwait(false);
        return new Pb.RecordDataComparisonResponse { IdentificationCase = result.Case.ToProto() };
    }

    /// <inheritdoc />
    public override async Task<Pb.PublishIdentificationNoticeResponse> PublishIdentificationNotice(Pb.PublishIdentificationNoticeRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var input = new PublishIdentificationNoticeRequest(Id(request.CaseId, "case_id"), Date(request.StartsOn, "starts_on"));
        var result = await context.UseCase<PublishIdentificationNotice>().HandleAsync(caller, input, context.CancellationToken).ConfigureAwait(false);
        return new Pb.PublishIdentificationNoticeResponse { IdentificationCase = result.Case.ToProto() };
    }

    /// <inheritdoc />
    public override async Task<Pb.RecordIdentificationObjectionResponse> RecordIdentificationObjection(Pb.RecordIdentificationObjectionRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var input = new RecordIdentificationObjectionRequest(Id(request.CaseId, "case_id"), request.Objection);
        var result = await context.UseCase<RecordIdentificationObjection>().HandleAsync(caller, input, context.CancellationToken).ConfigureAwait(false);
        return new Pb.RecordIdentificationObjectionResponse { IdentificationCase = result.Case.ToProto() };
    }

    /// <inheritdoc />
    public override async Task<Pb.EnterMonitoredHouseholdResponse> EnterMonitoredHousehold(Pb.EnterMonitoredHouseholdRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var input = new EnterMonitoredHouseholdRequest(
            Id(request.CaseId, "case_id"),
            In<Pb.MonitoringType, MonitoringType>(request.MonitoringType, "monitoring_type"),
            InAll<Pb.RiskType, RiskType>(request.RiskTypes, "risk_types"),
            request.Helper.ToInput());
        var result = await context.UseCase<EnterMonitoredHousehold>().HandleAsync(caller, input, context.CancellationToken).ConfigureAwait(false);
        return new Pb.EnterMonitoredHouseholdResponse { IdentificationCase = result.Case.ToProto() };
    }

    /// <inheritdoc />
    public override async Task<Pb.RejectIdentificationCaseResponse> RejectIdentificationCase(Pb.RejectIdentificationCaseRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var input = new RejectIdentificationCaseRequest(Id(request.CaseId, "case_id"), request.Reason);
        var result = await context.UseCase<RejectIdentificationCase>().HandleAsync(caller, input, context.CancellationToken).ConfigureAwait(false);
        return new Pb.RejectIdentificationCaseResponse { IdentificationCase = result.Case.ToProto() };
    }

    /// <inheritdoc />
    public override async Task<Pb.GetIdentificationCaseResponse> GetIdentificationCase(Pb.GetIdentificationCaseRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var result = await context.UseCase<GetIdentificationCase>()
            .HandleAsync(caller, new GetIdentificationCaseRequest(Id(request.CaseId, "case_id")), context.CancellationToken).ConfigureAwait(false);
        return new Pb.GetIdentificationCaseResponse { IdentificationCase = result.Case.ToProto() };
    }
}
