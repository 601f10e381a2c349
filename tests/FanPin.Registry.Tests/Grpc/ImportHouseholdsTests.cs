using FanPin.Contracts.Registry.V1;
using FanPin.Grpc;
using static FanPin.Registry.Tests.Grpc.GrpcTestKit;

namespace FanPin.Registry.Tests.Grpc;

/// <summary>ImportHouseholds over a real client stream.</summary>
[Collection(RegistryServerCollection.Name)]
public class ImportHouseholdsTests(RegistryServer server)
{
    private static ImportHouseholdRow Row(int number, string village, params MemberInput[] members)
    {
        var row = new ImportHouseholdRow { RowNumber = number, RegionCode = village, Category = HouseholdCategory.PovertyAlleviated, MinimumLivingGuarantee = true };
        row.Members.AddRange(members);
        return row;
    }

    /// <summary>Streams the messages (each with its batch id and rows) and returns the answer.</summary>
    private static async Task<ImportHouseholdsResponse> Import(RegistryClients client, params (string BatchId, ImportHouseholdRow[] Rows)[] messages)
    {
        using var call = client.Households.ImportHouseholds();
        foreach (var (batchId, rows) in messages)
        {
            var message = new ImportHouseholdsRequest { BatchId = batchId };
            message.Rows.AddRange(rows);
            await call.RequestStream.WriteAsync(message);
        }
        await call.RequestStream.CompleteAsync();
        return await call;
    }

    [Fact]
    public async Task Rows_stream_in_over_several_messages_invalid_ones_come_back_with_row_field_and_reason_and_a_replay_returns_the_first_outcome()
    {
        using var county = server.As(Callers.County());
        var existing = RegistryFixture.NewIdNumber();
        await county.Households.CreateHouseholdAsync(Household(RegistryFixture.Village, Member("已有", Relation.Head, existing)));
        var twice = RegistryFixture.NewIdNumber();
        var bad = RegistryFixture.NewIdNumber();
        var wrongCheck = bad[..17] + (bad[17] == '0' ? '1' : '0');
        const string batch = "grpc-2025-03-county-620102";
        var before = await server.SnapshotAsync();

        var result = await Import(county,
            (batch, [Row(1, "620102003001", Member("一", Relation.Head), Member("一妻", Relation.Spouse)), Row(2, "620102003001", Member("二", Relation.Head, wrongCheck))]),
            (batch, [Row(3, "620102003002", Member("三", Relation.Head, twice)), Row(4, "620102003002", Member("四", Relation.Head), Member("四父", Relation.Parent, twice))]),
            (batch, []),
            (batch, [Row(5, RegistryFixture.ForeignVillage, Member("五", Relation.Head)), Row(6, "620102003003", Member("六", Relation.Head), Member("已有", Relation.Parent, existing)),
                     Row(7, "620102003003", Member("", Relation.Head)), Row(0, "620102003003", Member("八", Relation.Head))]));

        Assert.Equal((batch, 8, 3, 5, false), (result.BatchId, result.Received, result.Accepted, result.Rejected, result.Replayed));
        Assert.Equal(
            [(2, "members[0].id_number"), (4, "members[1].id_number"), (5, "region_code"), (6, "members[1].id_number"), (7, "members[0].name")],
            result.Errors.Select(e => (e.RowNumber, e.Field)));
        Assert.Contains("row 3", result.Errors.Single(e => e.RowNumber == 4).Reason, StringComparison.Ordinal);
        Assert.Contains("another household", result.Errors.Single(e => e.RowNumber == 6).Reason, StringComparison.Ordinal);
        Assert.Equal(3, await server.CountAsync("SELECT count(*) FROM households WHERE import_batch_id = @b", ("b", batch)));
        Assert.Equal(4, await server.CountAsync("SELECT count(*) FROM members m JOIN households h ON h.id = m.household_id WHERE h.import_batch_id = @b", ("b", batch)));
        var found = await county.Households.FindHouseholdByIdNumberAsync(new FindHouseholdByIdNumberRequest { IdNumber = twice });
        Assert.Equal(("三", twice), (found.Household.HeadName, found.Household.Members.Single().IdNumber));
        Assert.NotEqual(before, await server.SnapshotAsync());

        // The same batch again (even with other rows): nothing read or written, the first outcome.
        var snapshot = await server.SnapshotAsync();
        var replay = await Import(county, (batch, [Row(1, "620102003001", Member("再来", Relation.Head))]));
        Assert.True(replay.Replayed);
        Assert.Equal((result.Received, result.Accepted, result.Rejected), (replay.Received, replay.Accepted, replay.Rejected));
        Assert.Equal(result.Errors, replay.Errors);
        Assert.Equal(snapshot, await server.SnapshotAsync());
    }

    [Fact]
    public async Task Every_message_must_carry_the_batch_id_of_the_first_and_a_failed_batch_writes_nothing()
    {
        using var county = server.As(Callers.County());
        var before = await server.SnapshotAsync();
        var ex = await Fails(StatusCode.InvalidArgument, () => Import(county,
            ("grpc-mixed-1", [Row(1, "620102003001", Member("一", Relation.Head))]),
            ("grpc-mixed-2", [Row(2, "620102003001", Member("二", Relation.Head))])));
        Assert.Equal(["batch_id"], Fields(ex));
        Assert.Contains("grpc-mixed-2", ex.Status.Detail, StringComparison.Ordinal);

        ex = await Fails(StatusCode.InvalidArgument, () => Import(county));
        Assert.Equal(["batch_id"], Fields(ex));
        ex = await Fails(StatusCode.InvalidArgument, () => Import(county, ("bad batch id!", [Row(1, "620102003001", Member("一", Relation.Head))])));
        Assert.Equal(["batch_id"], Fields(ex));

        var unknown = Row(1, "620102003001", Member("一", Relation.Head));
        unknown.Members[0].Relation = (Relation)77;
        ex = await Fails(StatusCode.InvalidArgument, () => Import(county, ("grpc-unknown-enum", [unknown])));
        Assert.Equal(["members[0].relation"], Fields(ex));
        Assert.Contains("row 1", ex.Status.Detail, StringComparison.Ordinal);

        using var township = server.As(Callers.Township());
        await Fails(StatusCode.PermissionDenied, () => Import(township, ("grpc-township", [Row(1, "620102003001", Member("一", Relation.Head))])));
        Assert.Equal(before, await server.SnapshotAsync());
        // A refused batch id is free: nothing of it was kept.
        Assert.Equal(0, await server.CountAsync("SELECT count(*) FROM import_batches WHERE batch_id LIKE 'grpc-mixed-%' OR batch_id = 'grpc-unknown-enum'"));
    }

    [Fact]
    public async Task A_batch_over_the_limit_is_refused_whole_over_the_stream()
    {
        using var county = server.As(Callers.County());
        var before = await server.SnapshotAsync();
        // One valid row, then (cheap) invalid ones up to the limit plus one, 5,000 per message.
        var rows = new List<ImportHouseholdRow> { Row(1, "620102003001", Member("先导", Relation.Head)) };
        rows.AddRange(Enumerable.Range(2, FanPin.Registry.Application.Households.ImportHouseholds.MaxRows).Select(i => new ImportHouseholdRow { RowNumber = i, RegionCode = "x" }));
        var messages = rows.Chunk(5_000).Select(chunk => ("grpc-oversize", chunk)).ToArray();
        var ex = await Fails(StatusCode.InvalidArgument, () => Import(county, messages));
        Assert.Equal(["rows"], Fields(ex));
        Assert.Equal(before, await server.SnapshotAsync());
    }
}
