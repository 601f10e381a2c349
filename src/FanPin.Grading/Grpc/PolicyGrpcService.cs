using FanPin.Grading.Application.Policies;
using FanPin.Grpc;
using Pb = FanPin.Contracts.Grading.V1;

namespace FanPin.Grading.Grpc;

/// <summary><c>fanpin.grading.v1.PolicyService</c>: a province's versioned policy documents and what-ifs.</summary>
public sealed class PolicyGrpcService : Pb.PolicyService.PolicyServiceBase
{
    /// <inheritdoc />
    public override async Task<Pb.PublishPolicyResponse> PublishPolicy(Pb.PublishPolicyRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var result = await context.UseCase<PublishPolicy>().HandleAsync(caller, new PublishPolicyRequest(request.Document), context.CancellationToken).ConfigureAwait(false);
        return new Pb.PublishPolicyResponse
        {
            Province = result.Province,
            Version = result.Version,
            EffectiveFrom = result.EffectiveFrom.ToProto(),
            AlreadyPublished = result.AlreadyPublished,
            Document = result.Document,
            RegradeOn = result.RegradeOn.ToProto(),
        };
    }

    /// <inheritdoc />
    public override async Task<Pb.GetPolicyResponse> GetPolicy(Pb.GetPolicyRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var result = await context.UseCase<GetPolicy>()
            .HandleAsync(caller, new GetPolicyRequest(request.Province.OrNull(), request.Version, request.InForceOn.OrNull()), context.CancellationToken).ConfigureAwait(false);
        return new Pb.GetPolicyResponse
        {
            Province = result.Province,
            PolicyProvince = result.PolicyProvince,
            Version = result.Version,
            EffectiveFrom = result.EffectiveFrom.ToProto(),
            Title = result.Title,
            Document = result.Document,
            PublishedAt = result.PublishedAt.ToProto(),
            PublishedBy = result.PublishedBy ?? "",
        };
    }

    /// <inheritdoc />
    public override async Task<Pb.ListPolicyVersionsResponse> ListPolicyVersions(Pb.ListPolicyVersionsRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var result = await context.UseCase<ListPolicyVersions>()
            .HandleAsync(caller, new ListPolicyVersionsRequest(request.Province.OrNull()), context.CancellationToken).ConfigureAwait(false);
        var response = new Pb.ListPolicyVersionsResponse { Province = result.Province };
        response.Versions.AddRange(result.Versions.Select(v => new Pb.PolicyVersion
        {
            Version = v.Version,
            EffectiveFrom = v.EffectiveFrom.ToProto(),
            Title = v.Title,
            PublishedAt = v.PublishedAt.ToProto(),
            PublishedBy = v.PublishedBy,
            InForce = v.InForce,
        }));
        return response;
    }

    /// <inheritdoc />
    public override async Task<Pb.EvaluateDraftPolicyResponse> EvaluateDraftPolicy(Pb.EvaluateDraftPolicyRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var result = await context.UseCase<EvaluateDraftPolicy>()
            .HandleAsync(caller, new EvaluateDraftPolicyRequest(request.Document), context.CancellationToken).ConfigureAwait(false);
        var response = new Pb.EvaluateDraftPolicyResponse
        {
            Province = result.Province,
            DraftVersion = result.DraftVersion,
            Households = result.Households,
            Changed = result.Changed,
        };
        response.Counties.AddRange(result.Counties.Select(GradingMessages.ToProto));
        return response;
    }
}
