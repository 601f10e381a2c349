using FanPin.Grpc;
using FanPin.Registry.Application.Regions;
using Pb = FanPin.Contracts.Registry.V1;

namespace FanPin.Registry.Grpc;

/// <summary><c>fanpin.registry.v1.RegionService</c>: the statistical division tree.</summary>
public sealed class RegionGrpcService : Pb.RegionService.RegionServiceBase
{
    /// <inheritdoc />
    public override async Task<Pb.ImportRegionsResponse> ImportRegions(Pb.ImportRegionsRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var rows = request.Regions.Select(r => new RegionRow(r.Code, r.Name, r.ParentCode)).ToList();
        var result = await context.UseCase<ImportRegions>().HandleAsync(caller, new ImportRegionsRequest(rows), context.CancellationToken).ConfigureAwait(false);
        return new Pb.ImportRegionsResponse { Inserted = result.Inserted, Renamed = result.Renamed, Unchanged = result.Unchanged };
    }

    /// <inheritdoc />
    public override async Task<Pb.ListRegionChildrenResponse> ListRegionChildren(Pb.ListRegionChildrenRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var result = await context.UseCase<ListRegionChildren>().HandleAsync(caller, new ListRegionChildrenRequest(request.ParentCode), context.CancellationToken).ConfigureAwait(false);
        var response = new Pb.ListRegionChildrenResponse();
        response.Regions.AddRange(result.Regions.Select(RegistryMessages.ToProto));
        return response;
    }

    /// <inheritdoc />
    public override async Task<Pb.GetRegionAncestorsResponse> GetRegionAncestors(Pb.GetRegionAncestorsRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var result = await context.UseCase<GetRegionAncestors>().HandleAsync(caller, new GetRegionAncestorsRequest(request.Code), context.CancellationToken).ConfigureAwait(false);
        var response = new Pb.GetRegionAncestorsResponse();
        response.Lineage.AddRange(result.Lineage.Select(RegistryMessages.ToProto));
        return response;
    }
}
