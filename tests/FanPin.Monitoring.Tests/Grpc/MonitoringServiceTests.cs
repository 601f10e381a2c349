using FanPin.Contracts.Monitoring.V1;
using FanPin.Grpc;
using FanPin.Monitoring.Tests.Support;
using Google.Rpc;

namespace FanPin.Monitoring.Tests.Grpc;

/// <summary>Monitoring over real gRPC: records and the income summary, feed import as a client stream, the signal stream, statuses.</summary>
[Collection(MonitoringServerCollection.Name)]
public class MonitoringServiceTests(MonitoringServer server)
{
    [Fact]
    public async Task Recorded_income_shows_in_the_income_summary_with_its_breakdown()
    {
        var county = TestData.NewCounty();
        var village = TestData.Village(county);
        var household = await server.RegisterAsync(village, TestData.NewId(), TestData.NewId());
        using var cadre = server.As(Callers.Village(village));

        var recorded = await cadre.Records.RecordIncomeAsync(new RecordIncomeRequest
        {
            HouseholdId = household.ToString(), Category = RecordCategory.Wage, Month = MonitoringServer.LastMonth, AmountFen = 1_200_000,
            Source = RecordSource.Cadre, Reference = "工资条",
        });
        Assert.Equal(RecordKind.Income, recorded.Record.Kind);
        Assert.Equal(1, recorded.Record.Version);
        await cadre.Records.RecordExpenditureAsync(new RecordExpenditureRequest
        {
            HouseholdId = household.ToString(), Category = RecordCategory.MedicalSelfPaid, Month = MonitoringServer.LastMonth, AmountFen = 300_000,
            Source = RecordSource.Farmer,
        });

        var summary = await cadre.Records.GetIncomeSummaryAsync(new GetIncomeSummaryRequest { HouseholdId = household.ToString(), ReferenceMonth = MonitoringServer.CurrentMonth });
        Assert.Equal(village, summary.RegionCode);
        Assert.Equal(HouseholdCategory.Ordinary, summary.Category);
        Assert.Equal(1_200_000, Assert.Single(summary.Summary.IncomeByCategory, c => c.Category == RecordCategory.Wage).AmountFen);
        Assert.Equal(1_200_000, summary.Summary.DisposableIncomeFen);
        Assert.Equal(300_000, summary.Summary.RigidCostsFen);
        Assert.Equal(2, summary.Summary.CurrentMembers);
        Assert.Equal(24, summary.Summary.MemberMonths);
        Assert.Equal(1, summary.Summary.IncomeMonthsRecorded);
        Assert.Equal(600_000, summary.Summary.PerCapitaIncomeFen); // 12,000 CNY × 12 / 24 member-months
        Assert.Equal("0.25", summary.Summary.RigidToIncomeRatio);
        var lastMonth = Assert.Single(summary.Monthly, m => m.Month == MonitoringServer.LastMonth);
        Assert.Contains(lastMonth.Amounts, a => a.Category == RecordCategory.Wage && a.AmountFen == 1_200_000);
        Assert.Contains(lastMonth.Amounts, a => a.Category == RecordCategory.MedicalSelfPaid && a.AmountFen == 300_000);

        var listed = await cadre.Records.ListRecordsAsync(new ListRecordsRequest { HouseholdId = household.ToString() });
        Assert.Equal(2, listed.Records.Count);
    }

    [Fact]
    public async Task A_feed_streams_in_reports_bad_rows_by_number_and_reason_and_imports_once()
    {
        var county = TestData.NewCounty();
        var village = TestData.Village(county);
        var member = TestData.NewId();
        var household = await server.RegisterAsync(village, member);
        using var department = server.As(Callers.Department("medical-insurance", county));
        var feedId = "mi-" + Guid.NewGuid().ToString("N");
        FeedRow[] rows =
        [
            new() { RowNumber = 1, IdNumber = member.Value, Item = "medical_self_paid", Month = MonitoringServer.LastMonth, AmountFen = 80_000, Reference = "bill-1" },
            new() { RowNumber = 2, IdNumber = TestData.WithWrongCheckDigit(member), Item = "medical_self_paid", Month = MonitoringServer.LastMonth, AmountFen = 1_000 },
            new() { RowNumber = 3, IdNumber = member.Value, Item = "medical_self_paid", Month = MonitoringServer.LastMonth, AmountFen = -5, Reference = "bill-3" },
            new() { RowNumber = 4, IdNumber = TestData.NewId().Value, Item = "medical_self_paid", Month = MonitoringServer.LastMonth, AmountFen = 2_000 },
        ];

        var first = await ImportAsync(department, feedId, county, rows);
        Assert.True(first.FirstImport);
        Assert.Equal(4, first.RowsReceived);
        Assert.Equal(1, first.Applied);
        Assert.Equal(2, first.Invalid);
        Assert.Equal(1, first.Unmatched);
        Assert.Equal(0, first.RejectionsNotListed);
        Assert.Equal([2, 3, 4], first.Rejections.Select(r => r.RowNumber).Order());
        var bad = first.Rejections.Single(r => r.RowNumber == 2);
        Assert.Equal(FeedRowOutcome.Invalid, bad.Outcome);
        Assert.Contains("check digit", bad.Reason, StringComparison.Ordinal);
        Assert.Contains("negative", first.Rejections.Single(r => r.RowNumber == 3).Reason, StringComparison.Ordinal);
        Assert.Equal(FeedRowOutcome.Unmatched, first.Rejections.Single(r => r.RowNumber == 4).Outcome);
        Assert.DoesNotContain(first.Rejections, r => r.Reason.Contains(member.Value, StringComparison.Ordinal));
        Assert.Equal(4, first.Feed.RowCount);
        Assert.Equal("medical-insurance", first.Feed.Department);

        var again = await ImportAsync(department, feedId, county, rows);
        Assert.False(again.FirstImport);
        Assert.Equal(4, again.AlreadyImported);
        Assert.Equal(0, again.Applied);
        Assert.Empty(again.Rejections);

        using var countyClient = server.As(Callers.County(county));
        var records = await countyClient.Records.ListRecordsAsync(new ListRecordsRequest { HouseholdId = household.ToString() });
        var record = Assert.Single(records.Records);
        Assert.Equal(80_000, record.AmountFen);
        Assert.Equal(RecordSource.DepartmentFeed, record.Source);

        var rejections = await department.Feeds.ListFeedRejectionsAsync(new ListFeedRejectionsRequest { Department = "medical-insurance", FeedId = feedId, PageSize = 2 });
        Assert.Equal(2, rejections.Rejections.Count);
        Assert.NotEqual("", rejections.NextPageToken);
    }

    [Fact]
    public async Task A_feed_without_its_header_first_is_invalid_argument()
    {
        using var department = server.As(Callers.Department("medical-insurance", TestData.NewCounty()));
        using var call = department.Feeds.ImportFeed();
        await call.RequestStream.WriteAsync(new ImportFeedRequest { Rows = new FeedRowBatch() });
        await call.RequestStream.CompleteAsync();
        var ex = await Fails(StatusCode.InvalidArgument, () => call.ResponseAsync);
        Assert.Contains("header", Fields(ex));
    }

    [Fact]
    public async Task EndBackfill_names_a_bad_region_keeps_to_the_callers_scope_and_is_refused_to_readers()
    {
        var county = TestData.NewCounty();
        using var office = server.As(Callers.County(county));
        Assert.Contains("region", Fields(await Fails(StatusCode.InvalidArgument, () => office.Feeds.EndBackfillAsync(new EndBackfillRequest { Region = "6x" }).ResponseAsync)));
        await Fails(StatusCode.PermissionDenied, () => office.Feeds.EndBackfillAsync(new EndBackfillRequest { Region = TestData.NewCounty() }).ResponseAsync);
        using var cadre = server.As(Callers.Village(TestData.Village(county)));
        await Fails(StatusCode.PermissionDenied, () => cadre.Feeds.EndBackfillAsync(new EndBackfillRequest()).ResponseAsync);
        Assert.Equal(0, (await office.Feeds.EndBackfillAsync(new EndBackfillRequest()).ResponseAsync).HouseholdsReleased);
    }

    [Fact]
    public async Task WatchSignals_delivers_the_change_of_a_household_that_fell_below_the_line()
    {
        var county = TestData.NewCounty();
        var village = TestData.Village(county);
        var household = await server.RegisterAsync(village, TestData.NewId(), TestData.NewId());
        using var countyClient = server.As(Callers.County(county));
        using var watch = countyClient.Signals.WatchSignals(new WatchSignalsRequest { Region = county }, deadline: DateTime.UtcNow.AddMinutes(2));

        using var cadre = server.As(Callers.Village(village));
        await cadre.Records.RecordIncomeAsync(new RecordIncomeRequest
        {
            HouseholdId = household.ToString(), Category = RecordCategory.Wage, Month = MonitoringServer.LastMonth, AmountFen = 10_000, Source = RecordSource.Cadre,
        });

        Assert.True(await watch.ResponseStream.MoveNext(CancellationToken.None));
        var change = watch.ResponseStream.Current;
        Assert.Equal(household.ToString(), change.Evaluation.HouseholdId);
        Assert.True(change.Sequence > 0);
        var signal = Assert.Single(change.Evaluation.Signals, s => s.Code == "IncomeBelowLine");
        Assert.Equal(SignalComparison.LessThan, signal.Comparison);
        Assert.Equal(10_000, change.Evaluation.Summary.DisposableIncomeFen);

        // Resuming after that sequence does not replay it; from 0 it does.
        using var replay = countyClient.Signals.WatchSignals(new WatchSignalsRequest { Region = county }, deadline: DateTime.UtcNow.AddMinutes(2));
        Assert.True(await replay.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(change.Sequence, replay.ResponseStream.Current.Sequence);
    }

    [Fact]
    public async Task An_unspecified_category_is_invalid_argument_naming_the_field()
    {
        var village = TestData.Village(TestData.NewCounty());
        var household = await server.RegisterAsync(village, TestData.NewId());
        using var cadre = server.As(Callers.Village(village));
        var ex = await Fails(StatusCode.InvalidArgument, () => cadre.Records.RecordIncomeAsync(new RecordIncomeRequest
        {
            HouseholdId = household.ToString(), Month = MonitoringServer.LastMonth, AmountFen = 100, Source = RecordSource.Cadre,
        }).ResponseAsync);
        Assert.Equal(["category"], Fields(ex));

        var missing = await Fails(StatusCode.InvalidArgument, () => cadre.Records.GetIncomeSummaryAsync(new GetIncomeSummaryRequest()).ResponseAsync);
        Assert.Equal(["household_id"], Fields(missing));
    }

    [Fact]
    public async Task A_county_token_outside_its_scope_is_permission_denied()
    {
        using var county = server.As(Callers.County(TestData.NewCounty()));
        var other = TestData.NewCounty();
        await Fails(StatusCode.PermissionDenied, () => county.Visits.ListVisitComplianceAsync(new ListVisitComplianceRequest { Region = other }).ResponseAsync);
        await Fails(StatusCode.PermissionDenied, () => county.Feeds.ListFeedsAsync(new ListFeedsRequest { Region = other }).ResponseAsync);
    }

    [Fact]
    public async Task A_downstream_token_may_not_record()
    {
        var village = TestData.Village(TestData.NewCounty());
        var household = await server.RegisterAsync(village, TestData.NewId());
        using var downstream = server.As(Callers.Downstream(village));
        var ex = await Fails(StatusCode.PermissionDenied, () => downstream.Records.RecordIncomeAsync(new RecordIncomeRequest
        {
            HouseholdId = household.ToString(), Category = RecordCategory.Wage, Month = MonitoringServer.LastMonth, AmountFen = 100, Source = RecordSource.Cadre,
        }).ResponseAsync);
        Assert.Equal("ACCESS_DENIED", ex.GetDetail<ErrorInfo>()?.Type);
    }

    [Fact]
    public async Task Without_a_token_the_call_is_unauthenticated()
    {
        using var anonymous = server.As(null);
        await Fails(StatusCode.Unauthenticated, () => anonymous.Records.GetIncomeSummaryAsync(new GetIncomeSummaryRequest { HouseholdId = Guid.NewGuid().ToString() }).ResponseAsync);
    }

    [Fact]
    public async Task An_unknown_household_or_one_of_another_county_is_not_found()
    {
        var village = TestData.Village(TestData.NewCounty());
        var household = await server.RegisterAsync(village, TestData.NewId());
        using var otherCounty = server.As(Callers.County(TestData.NewCounty()));
        await Fails(StatusCode.NotFound, () => otherCounty.Records.GetIncomeSummaryAsync(new GetIncomeSummaryRequest { HouseholdId = household.ToString() }).ResponseAsync);
        await Fails(StatusCode.NotFound, () => otherCounty.Signals.GetHouseholdSignalsAsync(new GetHouseholdSignalsRequest { HouseholdId = Guid.NewGuid().ToString() }).ResponseAsync);
    }

    private static async Task<ImportFeedResponse> ImportAsync(MonitoringClients client, string feedId, string region, IReadOnlyList<FeedRow> rows)
    {
        using var call = client.Feeds.ImportFeed();
        await call.RequestStream.WriteAsync(new ImportFeedRequest
        {
            Header = new ImportFeedHeader { FeedId = feedId, Department = "medical-insurance", Period = MonitoringServer.CurrentMonth, Region = region },
        });
        // Two batches, to cross message boundaries.
        foreach (var chunk in rows.Chunk(2))
        {
            var batch = new FeedRowBatch();
            batch.Rows.AddRange(chunk);
            await call.RequestStream.WriteAsync(new ImportFeedRequest { Rows = batch });
        }
        await call.RequestStream.CompleteAsync();
        return await call.ResponseAsync;
    }

    internal static async Task<RpcException> Fails(StatusCode code, Func<Task> call)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(call);
        Assert.True(ex.StatusCode == code, $"expected {code}, got {ex.StatusCode}: {ex.Status.Detail}");
        return ex;
    }

    private static string[] Fields(RpcException ex) =>
        (ex.GetDetail<BadRequest>() ?? throw new InvalidOperationException($"no BadRequest detail in {ex.Status}")).FieldViolations.Select(v => v.Field).ToArray();
}
