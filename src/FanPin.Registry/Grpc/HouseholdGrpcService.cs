using System.Runtime.CompilerServices;
using FanPin.Grpc;
using FanPin.Policies;
using FanPin.Registry.Application.Households;
using FanPin.Registry.Domain;
using static FanPin.Registry.Grpc.ProtoConvert;
using Pb = FanPin.Contracts.Registry.V1;

namespace FanPin.Registry.Grpc;

/// <summary><c>fanpin.registry.v1.HouseholdService</c>: households, members, helpers and the bulk import.</summary>
public sealed class HouseholdGrpcService : Pb.HouseholdService.HouseholdServiceBase
{
    /// <inheritdoc />
    public override async Task<Pb.CreateHouseholdResponse> CreateHousehold(Pb.CreateHouseholdRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var input = new CreateHouseholdRequest(
            request.RegionCode,
            In<Pb.HouseholdCategory, HouseholdCategory>(request.Category, "category"),
            request.MinimumLivingGuarantee,
            request.ExtremePovertySupport,
            request.Members.ToInputs("members"));
        var result = await context.UseCase<CreateHousehold>().HandleAsync(caller, input, context.CancellationToken).ConfigureAwait(false);
        return new Pb.CreateHouseholdResponse { Household = result.Household.ToProto() };
    }

    /// <inheritdoc />
    public override async Task<Pb.UpdateHouseholdResponse> UpdateHousehold(Pb.UpdateHouseholdRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var input = new UpdateHouseholdRequest(
            Id(request.HouseholdId, "household_id"),
            In<Pb.HouseholdCategory, HouseholdCategory>(request.Category, "category"),
            request.MinimumLivingGuarantee,
            request.ExtremePovertySupport,
            request.Members.Select((m, i) => new MemberUpdate(Id(m.MemberId, $"members[{i}].member_id"), m.Facts.ToInput($"members[{i}].facts"))).ToList());
        var result = await context.UseCase<UpdateHousehold>().HandleAsync(caller, input, context.CancellationToken).ConfigureAwait(false);
        return new Pb.UpdateHouseholdResponse { Household = result.Household.ToProto() };
    }

    /// <inheritdoc />
    public override async Task<Pb.GetHouseholdResponse> GetHousehold(Pb.GetHouseholdRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var result = await context.UseCase<GetHousehold>()
            .HandleAsync(caller, new GetHouseholdRequest(Id(request.HouseholdId, "household_id"), request.IncludeHistory), context.CancellationToken).ConfigureAwait(false);
        var response = new Pb.GetHouseholdResponse
        {
            Household = result.Household.ToProto(),
            OpenIdentificationCaseId = result.OpenIdentificationCaseId?.ToString() ?? "",
            OpenClosingCaseId = result.OpenClosingCaseId?.ToString() ?? "",
        };
        response.History.AddRange(result.History.Select(RegistryMessages.ToProto));
        return response;
    }

    /// <inheritdoc />
    public override async Task<Pb.ListHouseholdsResponse> ListHouseholds(Pb.ListHouseholdsRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var input = new ListHouseholdsRequest(
            request.RegionPrefix,
            In<Pb.HouseholdCategory, HouseholdCategory>(request.Category, "category"),
            In<Pb.MonitoringStatus, MonitoringStatus>(request.Status, "status"),
            In<Pb.MonitoringType, MonitoringType>(request.MonitoringType, "monitoring_type"),
            In<Pb.RiskType, RiskType>(request.RiskType, "risk_type"),
            request.PageSize,
            request.PageToken);
        var result = await context.UseCase<ListHouseholds>().HandleAsync(caller, input, context.CancellationToken).ConfigureAwait(false);
        var response = new Pb.ListHouseholdsResponse { NextPageToken = result.NextPageToken };
        response.Households.AddRange(result.Households.Select(RegistryMessages.ToProto));
        return response;
    }

    /// <inheritdoc />
    public override async Task<Pb.FindHouseholdByIdNumberResponse> FindHouseholdByIdNumber(Pb.FindHouseholdByIdNumberRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var result = await context.UseCase<FindHouseholdByIdNumber>()
            .HandleAsync(caller, new FindHouseholdByIdNumberRequest(request.IdNumber), context.CancellationToken).ConfigureAwait(false);
        return new Pb.FindHouseholdByIdNumberResponse { Household = result.Household.ToProto(), MemberId = result.MemberId.ToProto() };
    }

    /// <inheritdoc />
    public override async Task<Pb.RecordMemberChangeResponse> RecordMemberChange(Pb.RecordMemberChangeRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var input = new RecordMemberChangeRequest(
            Id(request.HouseholdId, "household_id"),
            In<Pb.MemberChangeKind, MemberChangeKind>(request.Kind, "kind"),
            Date(request.EffectiveOn, "effective_on"),
            request.NewMember?.ToInput("new_member"),
            OptionalId(request.MemberId, "member_id"),
            OptionalId(request.NewHeadMemberId, "new_head_member_id"));
        var result = await context.UseCase<RecordMemberChange>().HandleAsync(caller, input, context.CancellationToken).ConfigureAwait(false);
        return new Pb.RecordMemberChangeResponse { Household = result.Household.ToProto(), MemberId = result.MemberId.ToProto() };
    }

    /// <inheritdoc />
    public override async Task<Pb.SplitHouseholdResponse> SplitHousehold(Pb.SplitHouseholdRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var input = new SplitHouseholdRequest(
            Id(request.HouseholdId, "household_id"),
            request.Members.ToMoving("members"),
            Date(request.EffectiveOn, "effective_on"),
            request.NewRegionCode,
            OptionalId(request.RemainingHeadMemberId, "remaining_head_member_id"));
        var result = await context.UseCase<SplitHousehold>().HandleAsync(caller, input, context.CancellationToken).ConfigureAwait(false);
        return new Pb.SplitHouseholdResponse { Remaining = result.Remaining.ToProto(), Created = result.Created.ToProto() };
    }

    /// <inheritdoc />
    public override async Task<Pb.MergeHouseholdsResponse> MergeHouseholds(Pb.MergeHouseholdsRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var input = new MergeHouseholdsRequest(
            Id(request.TargetHouseholdId, "target_household_id"),
            Id(request.SourceHouseholdId, "source_household_id"),
            request.Members.ToMoving("members"),
            Date(request.EffectiveOn, "effective_on"));
        var result = await context.UseCase<MergeHouseholds>().HandleAsync(caller, input, context.CancellationToken).ConfigureAwait(false);
        return new Pb.MergeHouseholdsResponse { Target = result.Target.ToProto() };
    }

    /// <inheritdoc />
    public override async Task<Pb.AssignResponsibleHelperResponse> AssignResponsibleHelper(Pb.AssignResponsibleHelperRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var input = new AssignResponsibleHelperRequest(Id(request.HouseholdId, "household_id"), request.Helper.ToInput());
        var result = await context.UseCase<AssignResponsibleHelper>().HandleAsync(caller, input, context.CancellationToken).ConfigureAwait(false);
        return new Pb.AssignResponsibleHelperResponse { Household = result.Household.ToProto() };
    }

    /// <summary>
    /// Client streaming: the batch id comes with the first message; the rows of every message are handed to
    /// the use case as one stream, read as it arrives (the use case copies them into PostgreSQL while the
    /// client still sends). A message with another batch id fails the whole call with INVALID_ARGUMENT on
    /// <c>batch_id</c>, and nothing of the batch is written.
    /// </summary>
    public override async Task<Pb.ImportHouseholdsResponse> ImportHouseholds(IAsyncStreamReader<Pb.ImportHouseholdsRequest> requestStream, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var ct = context.CancellationToken;
        var first = await requestStream.MoveNext(ct).ConfigureAwait(false) ? requestStream.Current : null;
        var input = new ImportHouseholdsRequest(first?.BatchId ?? "", Rows(first, requestStream, ct));
        var result = await context.UseCase<ImportHouseholds>().HandleAsync(caller, input, ct).ConfigureAwait(false);
        var response = new Pb.ImportHouseholdsResponse
        {
            BatchId = result.BatchId,
            Received = result.Received,
            Accepted = result.Accepted,
            Rejected = result.Rejected,
            Replayed = result.Replayed,
        };
        response.Errors.AddRange(result.Errors.Select(e => new Pb.RowError { RowNumber = e.RowNumber, Field = e.Field, Reason = e.Reason }));
        return response;
    }

    private static async IAsyncEnumerable<ImportHouseholdRow> Rows(
        Pb.ImportHouseholdsRequest? first, IAsyncStreamReader<Pb.ImportHouseholdsRequest> stream, [EnumeratorCancellation] CancellationToken ct)
    {
        if (first is null)
        {
            yield break;
        }
        var message = first;
        var messageNumber = 1;
        var position = 0;
        while (true)
        {
            if (!string.Equals(message.BatchId, first.BatchId, StringComparison.Ordinal))
            {
                throw new ValidationFailedException("batch_id",
                    $"message {messageNumber} of the stream carries '{message.BatchId}' but the first carried '{first.BatchId}'; every message of a batch carries the same batch_id");
            }
            foreach (var row in message.Rows)
            {
                position++;
                yield return ToRow(row, position);
            }
            if (!await stream.MoveNext(ct).ConfigureAwait(false))
            {
                yield break;
            }
            message = stream.Current;
            messageNumber++;
        }
    }

    /// <summary>
    /// A row for the use case. Values the wire cannot mean (an enum number this version does not know) fail the
    /// batch, naming the row: they come from a client built against another contract, not from the data.
    /// </summary>
    private static ImportHouseholdRow ToRow(Pb.ImportHouseholdRow row, int position)
    {
        try
        {
            return new ImportHouseholdRow(
                row.RowNumber,
                row.RegionCode,
                In<Pb.HouseholdCategory, HouseholdCategory>(row.Category, "category"),
                row.MinimumLivingGuarantee,
                row.ExtremePovertySupport,
                row.Members.ToInputs("members"));
        }
        catch (ValidationFailedException ex)
        {
            var rowNumber = row.RowNumber > 0 ? row.RowNumber : position;
            throw new ValidationFailedException(ex.Violations.Select(v => v with { Description = $"row {rowNumber}: {v.Description}" }).ToList());
        }
    }
}
