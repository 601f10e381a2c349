using System.Runtime.CompilerServices;
using FanPin.Grpc;
using FanPin.Monitoring.Application.Feeds;
using Pb = FanPin.Contracts.Monitoring.V1;

namespace FanPin.Monitoring.Grpc;

/// <summary><c>fanpin.monitoring.v1.FeedService</c>: department feeds, their progress, quality figures and rejected rows.</summary>
public sealed class FeedGrpcService : Pb.FeedService.FeedServiceBase
{
    /// <summary>Rejected rows listed in an ImportFeed answer; the rest are paged by ListFeedRejections.</summary>
    public const int MaxRejectionsListed = 10_000;

    /// <summary>
    /// Client stream: the header first, then batches of rows, streamed straight into the use case (rows are checked
    /// and copied into staging as they arrive; nothing is buffered here).
    /// </summary>
    public override async Task<Pb.ImportFeedResponse> ImportFeed(IAsyncStreamReader<Pb.ImportFeedRequest> requestStream, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var ct = context.CancellationToken;
        if (!await requestStream.MoveNext(ct).ConfigureAwait(false) || requestStream.Current.ContentCase != Pb.ImportFeedRequest.ContentOneofCase.Header)
        {
            throw new ValidationFailedException("header", "the first message must be the feed's header (feed_id, department, period, region)");
        }
        var header = requestStream.Current.Header;
        var command = new ImportFeedRequest(header.FeedId, header.Department, header.Period, ProtoConvert.Optional(header.Region), header.Backfill);
        var result = await context.UseCase<ImportFeed>().HandleAsync(caller, command, RowsOf(requestStream, ct), progress: null, ct).ConfigureAwait(false);
        var response = new Pb.ImportFeedResponse
        {
            // The feed's figures over every import of it (arrival, row counts, rates), as ListFeeds shows them.
            Feed = (await context.UseCase<ListFeedRejections>()
                .HandleAsync(caller, new ListFeedRejectionsRequest(result.Department, result.FeedId, PageSize: 1), ct).ConfigureAwait(false)).Feed.ToProto(),
            FirstImport = result.FirstImport,
            RowsReceived = result.RowsReceived,
            AlreadyImported = result.AlreadyImported,
            Applied = result.Applied,
            Unchanged = result.Unchanged,
            Duplicates = result.Duplicates,
            Invalid = result.Invalid,
            Unmatched = result.Unmatched,
            OutsideScope = result.OutsideScope,
            HouseholdsQueued = result.HouseholdsQueued,
            RejectionsNotListed = Math.Max(0, result.Rejections.Count - MaxRejectionsListed),
        };
        response.Rejections.AddRange(result.Rejections.Take(MaxRejectionsListed).Select(MonitoringMessages.ToProto));
        return response;
    }

    /// <inheritdoc />
    public override async Task<Pb.EndBackfillResponse> EndBackfill(Pb.EndBackfillRequest request, ServerCallContext context)
    {
        var result = await context.UseCase<EndBackfill>()
            .HandleAsync(context.RequireCaller(), new EndBackfillRequest(ProtoConvert.Optional(request.Region)), context.CancellationToken).ConfigureAwait(false);
        return new Pb.EndBackfillResponse { HouseholdsReleased = result.HouseholdsReleased };
    }

    /// <inheritdoc />
    public override async Task<Pb.GetFeedImportProgressResponse> GetFeedImportProgress(Pb.GetFeedImportProgressRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        new Validator()
            .Require(request.Department.Length > 0, "department", "is required")
            .Require(request.FeedId.Length > 0, "feed_id", "is required")
            .ThrowIfInvalid();
        var progress = await context.UseCase<GetFeedImportProgress>()
            .HandleAsync(caller, new GetFeedImportProgressRequest(request.Department, request.FeedId), context.CancellationToken).ConfigureAwait(false)
            ?? throw new NotFoundException("feed import", $"{request.Department}/{request.FeedId}");
        return new Pb.GetFeedImportProgressResponse
        {
            Phase = ProtoConvert.Out<FeedImportPhase, Pb.FeedImportPhase>(progress.Phase),
            RowsReceived = progress.RowsReceived,
            Step = progress.Step,
        };
    }

    /// <inheritdoc />
    public override async Task<Pb.ListFeedsResponse> ListFeeds(Pb.ListFeedsRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var query = new ListFeedsRequest(ProtoConvert.Optional(request.Department), ProtoConvert.Optional(request.Region), ProtoConvert.Optional(request.FromPeriod),
            ProtoConvert.Optional(request.ToPeriod), request.PageSize, ProtoConvert.Optional(request.PageToken));
        var result = await context.UseCase<ListFeeds>().HandleAsync(caller, query, context.CancellationToken).ConfigureAwait(false);
        var response = new Pb.ListFeedsResponse { NextPageToken = result.NextPageToken };
        response.Feeds.AddRange(result.Feeds.Select(MonitoringMessages.ToProto));
        return response;
    }

    /// <inheritdoc />
    public override async Task<Pb.ListFeedRejectionsResponse> ListFeedRejections(Pb.ListFeedRejectionsRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var query = new ListFeedRejectionsRequest(request.Department, request.FeedId, request.PageSize, ProtoConvert.Optional(request.PageToken));
        var result = await context.UseCase<ListFeedRejections>().HandleAsync(caller, query, context.CancellationToken).ConfigureAwait(false);
        var response = new Pb.ListFeedRejectionsResponse { Feed = result.Feed.ToProto(), NextPageToken = result.NextPageToken };
        response.Rejections.AddRange(result.Rejections.Select(MonitoringMessages.ToProto));
        return response;
    }

    /// <inheritdoc />
    public override async Task<Pb.ListFeedItemsResponse> ListFeedItems(Pb.ListFeedItemsRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var items = await context.UseCase<ListFeedItems>()
            .HandleAsync(caller, new ListFeedItemsRequest(ProtoConvert.Optional(request.Department)), context.CancellationToken).ConfigureAwait(false);
        var response = new Pb.ListFeedItemsResponse();
        response.Items.AddRange(items.Select(MonitoringMessages.ToProto));
        return response;
    }

    private static async IAsyncEnumerable<Domain.FeedRow> RowsOf(IAsyncStreamReader<Pb.ImportFeedRequest> stream, [EnumeratorCancellation] CancellationToken ct)
    {
        while (await stream.MoveNext(ct).ConfigureAwait(false))
        {
            var message = stream.Current;
            if (message.ContentCase != Pb.ImportFeedRequest.ContentOneofCase.Rows)
            {
                throw new ValidationFailedException("header", "only the first message may be the header; the others carry rows");
            }
            foreach (var row in message.Rows.Rows)
            {
                yield return new Domain.FeedRow(row.RowNumber, row.IdNumber, row.Item, ProtoConvert.Optional(row.Month),
                    row.HasAmountFen ? row.AmountFen : null, ProtoConvert.Optional(row.Value), row.Reference);
            }
        }
    }
}
