using FanPin.Grpc;
using FanPin.Monitoring.Application.Evaluation;
using Pb = FanPin.Contracts.Monitoring.V1;

namespace FanPin.Monitoring.Grpc;

/// <summary><c>fanpin.monitoring.v1.SignalService</c>: evaluations, the signal change stream and exclusion facts.</summary>
public sealed class SignalGrpcService : Pb.SignalService.SignalServiceBase
{
    /// <summary>How often WatchSignals looks for new changes once it has caught up (<c>Monitoring:Watch:PollInterval</c>).</summary>
    public const string PollIntervalKey = "Monitoring:Watch:PollInterval";

    /// <summary>Changes read per poll.</summary>
    public const int ChangesPerRead = 500;

    /// <inheritdoc />
    public override async Task<Pb.GetHouseholdSignalsResponse> GetHouseholdSignals(Pb.GetHouseholdSignalsRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var result = await context.UseCase<GetHouseholdSignals>()
            .HandleAsync(caller, new GetHouseholdSignalsRequest(ProtoConvert.Id(request.HouseholdId, "household_id")), context.CancellationToken).ConfigureAwait(false);
        return new Pb.GetHouseholdSignalsResponse
        {
            Evaluated = result.Evaluated,
            Evaluation = result.Evaluation?.ToProto(result.HouseholdId, result.EvaluatedAt),
        };
    }

    /// <summary>
    /// Replays the signal change log after the client's cursor, then follows it: polls <see cref="ReadSignalChanges"/>
    /// until the client cancels or disconnects (or its deadline passes).
    /// </summary>
    public override async Task WatchSignals(Pb.WatchSignalsRequest request, IServerStreamWriter<Pb.WatchSignalsResponse> responseStream, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var ct = context.CancellationToken;
        var services = context.GetHttpContext().RequestServices;
        var pollInterval = services.GetRequiredService<IConfiguration>().GetValue(PollIntervalKey, TimeSpan.FromSeconds(1));
        var read = context.UseCase<ReadSignalChanges>();
        var after = request.AfterSequence;
        var region = ProtoConvert.Optional(request.Region);
        while (true)
        {
            var result = await read.HandleAsync(caller, new ReadSignalChangesRequest(region, after, ChangesPerRead), ct).ConfigureAwait(false);
            foreach (var change in result.Changes)
            {
                await responseStream.WriteAsync(change.ToProto(), ct).ConfigureAwait(false);
            }
            after = result.NextAfterSequence;
            if (result.Changes.Count < ChangesPerRead)
            {
                await Task.Delay(pollInterval, ct).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc />
    public override async Task<Pb.ListExclusionFactsResponse> ListExclusionFacts(Pb.ListExclusionFactsRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var facts = await context.UseCase<ListExclusionFacts>()
            .HandleAsync(caller, new ListExclusionFactsRequest(ProtoConvert.Id(request.HouseholdId, "household_id")), context.CancellationToken).ConfigureAwait(false);
        var response = new Pb.ListExclusionFactsResponse();
        response.Facts.AddRange(facts.Select(f => f.Fact.ToProto()));
        return response;
    }
}
