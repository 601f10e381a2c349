using System.Globalization;
using FanPin.Contracts.Grading.V1;
using FanPin.Grading.Application.Common;
using FanPin.Grading.Tests.Support;
using FanPin.Grpc;
using DomainGrade = FanPin.Grading.Domain.WarningGrade;

namespace FanPin.Grading.Tests.Grpc;

/// <summary>
/// Grading over real gRPC: each test works in a province of its own, so they share the server without seeing
/// each other's households, warnings or policies.
/// </summary>
[Collection(GradingServerCollection.Name)]
public class GradingServiceTests(GradingServer server)
{
    private static string Today => GradingClock.DateInChina(DateTimeOffset.UtcNow).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Day(int offset) => GradingClock.DateInChina(DateTimeOffset.UtcNow).AddDays(offset).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    [Fact]
    public async Task Health_reports_postgres_and_redis_on_the_health_port_and_grpc_health_serves()
    {
        using var http = new HttpClient { BaseAddress = server.HealthAddress };
        using var health = await http.GetAsync(new Uri("/health", UriKind.Relative));
        var body = await health.Content.ReadAsStringAsync();
        Assert.True(health.StatusCode == System.Net.HttpStatusCode.OK, body);
        Assert.Contains("\"postgres\":{\"status\":\"Healthy\"", body, StringComparison.Ordinal);
        Assert.Contains("\"redis\":{\"status\":\"Healthy\"", body, StringComparison.Ordinal);

        using var anonymous = server.As(null);
        var serving = await new global::Grpc.Health.V1.Health.HealthClient(anonymous.Channel).CheckAsync(new global::Grpc.Health.V1.HealthCheckRequest());
        Assert.Equal(global::Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving, serving.Status);
    }

    [Fact]
    public async Task A_published_policy_reads_back_and_is_listed()
    {
        using var province = server.As(Callers.Province("64"));
        var document = $"base: default\nprovince: \"64\"\nversion: 1\neffective_from: {Day(30)}\ntitle: over the wire\n";

        var published = await province.Policies.PublishPolicyAsync(new PublishPolicyRequest { Document = document });
        Assert.Equal(("64", 1, Day(30), false, Day(30)), (published.Province, published.Version, published.EffectiveFrom, published.AlreadyPublished, published.RegradeOn));
        Assert.DoesNotContain("base:", published.Document, StringComparison.Ordinal); // stored complete
        Assert.True((await province.Policies.PublishPolicyAsync(new PublishPolicyRequest { Document = document })).AlreadyPublished);

        var byVersion = await province.Policies.GetPolicyAsync(new GetPolicyRequest { Version = 1 });
        Assert.Equal(("64", "64", 1, "over the wire", published.Document, "prov-admin"),
            (byVersion.Province, byVersion.PolicyProvince, byVersion.Version, byVersion.Title, byVersion.Document, byVersion.PublishedBy));
        Assert.NotNull(byVersion.PublishedAt);

        // Until day 30 the built-in default is in force; on day 30 the published version.
        var now = await province.Policies.GetPolicyAsync(new GetPolicyRequest { Province = "64" });
        Assert.Equal(("00", 0L), (now.PolicyProvince, now.PublishedAt?.Seconds ?? 0L));
        var later = await province.Policies.GetPolicyAsync(new GetPolicyRequest { InForceOn = Day(30) });
        Assert.Equal(("64", 1), (later.PolicyProvince, later.Version));

        var versions = await province.Policies.ListPolicyVersionsAsync(new ListPolicyVersionsRequest());
        var only = Assert.Single(versions.Versions);
        Assert.Equal(("64", 1, Day(30), false), (versions.Province, only.Version, only.EffectiveFrom, only.InForce));
    }

    [Fact]
    public async Task Publishing_refuses_bad_documents_and_changed_versions_with_their_statuses()
    {
        using var province = server.As(Callers.Province("65"));
        var empty = await GrpcAssert.Fails(StatusCode.InvalidArgument, () => province.Policies.PublishPolicyAsync(new PublishPolicyRequest()).ResponseAsync);
        Assert.Equal(["document"], GrpcAssert.Fields(empty));
        var past = await GrpcAssert.Fails(StatusCode.InvalidArgument, () => province.Policies.PublishPolicyAsync(
            new PublishPolicyRequest { Document = $"base: default\nprovince: \"65\"\nversion: 1\neffective_from: {Day(-3)}\n" }).ResponseAsync);
        Assert.Equal(["document.effective_from"], GrpcAssert.Fields(past));

        await province.Policies.PublishPolicyAsync(new PublishPolicyRequest { Document = $"base: default\nprovince: \"65\"\nversion: 1\neffective_from: {Day(10)}\ntitle: a\n" });
        await GrpcAssert.Fails(StatusCode.AlreadyExists, () => province.Policies.PublishPolicyAsync(
            new PublishPolicyRequest { Document = $"base: default\nprovince: \"65\"\nversion: 1\neffective_from: {Day(10)}\ntitle: b\n" }).ResponseAsync);
        await GrpcAssert.Fails(StatusCode.FailedPrecondition, () => province.Policies.PublishPolicyAsync(
            new PublishPolicyRequest { Document = $"base: default\nprovince: \"65\"\nversion: 2\neffective_from: {Day(5)}\n" }).ResponseAsync);

        // Another province's policy, and publishing as a county: PERMISSION_DENIED.
        await GrpcAssert.Fails(StatusCode.PermissionDenied, () => province.Policies.PublishPolicyAsync(
            new PublishPolicyRequest { Document = $"base: default\nprovince: \"66\"\nversion: 1\neffective_from: {Day(10)}\n" }).ResponseAsync);
        using var county = server.As(Callers.County("650102"));
        await GrpcAssert.Fails(StatusCode.PermissionDenied, () => county.Policies.PublishPolicyAsync(
            new PublishPolicyRequest { Document = $"base: default\nprovince: \"65\"\nversion: 2\neffective_from: {Day(20)}\n" }).ResponseAsync);
        Assert.Single((await county.Policies.ListPolicyVersionsAsync(new ListPolicyVersionsRequest())).Versions); // it may read
    }

    [Fact]
    public async Task What_if_predicts_per_county_and_writes_nothing()
    {
        for (var i = 0; i < 3; i++)
        {
            await server.Graded("610102001001", DomainGrade.Three);
        }
        await server.Graded("610102001001", DomainGrade.One);
        await server.Graded("610103001001", DomainGrade.Three);
        using var province = server.As(Callers.Province("61"));
        var draft = $"base: default\nprovince: \"61\"\nversion: 1\neffective_from: {Today}\ngrading:\n  grade_one: {{ labour_abilities: [lost, partial] }}\n";

        var whatIf = await province.Policies.EvaluateDraftPolicyAsync(new EvaluateDraftPolicyRequest { Document = draft });

        Assert.Equal(("61", 1, 5, 4), (whatIf.Province, whatIf.DraftVersion, whatIf.Households, whatIf.Changed));
        Assert.Equal(["610102", "610103"], whatIf.Counties.Select(c => c.CountyCode));
        var first = whatIf.Counties[0];
        Assert.Equal((4, 3), (first.Households, first.Changed));
        var transition = Assert.Single(first.Transitions);
        Assert.Equal((WarningGrade.Three, WarningGrade.One, 3), (transition.FromGrade, transition.ToGrade, transition.Households));
        Assert.Empty((await province.Policies.ListPolicyVersionsAsync(new ListPolicyVersionsRequest())).Versions); // nothing published

        var bad = await GrpcAssert.Fails(StatusCode.InvalidArgument, () => province.Policies.EvaluateDraftPolicyAsync(
            new EvaluateDraftPolicyRequest { Document = draft.Replace("[lost, partial]", "[lost, tired]", StringComparison.Ordinal) }).ResponseAsync);
        Assert.Contains(GrpcAssert.Fields(bad), f => f.StartsWith("document.grading.grade_one.labour_abilities", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Warnings_are_listed_filtered_paged_and_read_with_their_reason_and_history()
    {
        var one = await server.Graded("600102001001", DomainGrade.One);
        var three = await server.Graded("600102001001", DomainGrade.Three);
        await server.Graded("600103001001", DomainGrade.Three);
        using var county = server.As(Callers.County("600102"));

        var all = await county.Warnings.ListWarningsAsync(new ListWarningsRequest());
        Assert.Equal([three.ToString(), one.ToString()], all.Warnings.Select(w => w.HouseholdId)); // newest first, own county only
        var gradeOne = await county.Warnings.ListWarningsAsync(new ListWarningsRequest { Grades = { WarningGrade.One } });
        var warning = Assert.Single(gradeOne.Warnings);
        Assert.Equal((one.ToString(), "600102001001", WarningStatus.Raised, "grade-one.labour-lost"),
            (warning.HouseholdId, warning.RegionCode, warning.Status, warning.Reason.RuleId));
        Assert.NotEmpty(warning.DueOn);
        Assert.Contains("riskType:Illness", warning.Reason.RiskFactors);

        var page = await county.Warnings.ListWarningsAsync(new ListWarningsRequest { PageSize = 1 });
        Assert.Equal(three.ToString(), Assert.Single(page.Warnings).HouseholdId);
        var next = await county.Warnings.ListWarningsAsync(new ListWarningsRequest { PageSize = 1, PageToken = page.NextPageToken });
        Assert.Equal(one.ToString(), Assert.Single(next.Warnings).HouseholdId);
        Assert.Equal("", next.NextPageToken);

        var acknowledged = await county.Warnings.AcknowledgeWarningAsync(new AcknowledgeWarningRequest { WarningId = warning.WarningId, Note = "seen" });
        Assert.Equal(WarningStatus.Acknowledged, acknowledged.Warning.Status);
        var read = await county.Warnings.GetWarningAsync(new GetWarningRequest { WarningId = warning.WarningId });
        Assert.Equal([WarningAction.Raised, WarningAction.Acknowledged], read.History.Select(h => h.Action));
        Assert.Equal(("seen", "county-600102"), (read.History[1].Note, read.History[1].Actor));

        var history = await county.Warnings.GetHouseholdGradeHistoryAsync(new GetHouseholdGradeHistoryRequest { HouseholdId = one.ToString() });
        Assert.Equal((WarningGrade.One, warning.WarningId), (history.CurrentGrade, history.OpenWarningId));
        var change = Assert.Single(history.Changes);
        Assert.Equal((WarningGrade.Unspecified, WarningGrade.One, GradeCause.HouseholdFacts), (change.FromGrade, change.ToGrade, change.Cause));

        var counts = await county.Warnings.GetGradeCountsAsync(new GetGradeCountsRequest());
        Assert.Equal(("600102", 1L, 0L, 1L), (counts.RegionPrefix, counts.GradeOne, counts.GradeTwo, counts.GradeThree));
    }

    [Fact]
    public async Task A_lifecycle_step_out_of_order_is_a_failed_precondition()
    {
        var household = await server.Graded("570102001001", DomainGrade.Three);
        using var county = server.As(Callers.County("570102"));
        var history = await county.Warnings.GetHouseholdGradeHistoryAsync(new GetHouseholdGradeHistoryRequest { HouseholdId = household.ToString() });
        await GrpcAssert.Fails(StatusCode.FailedPrecondition,
            () => county.Warnings.StartAssistanceAsync(new StartAssistanceRequest { WarningId = history.OpenWarningId }).ResponseAsync);
        var read = await county.Warnings.GetWarningAsync(new GetWarningRequest { WarningId = history.OpenWarningId });
        Assert.Equal((WarningStatus.Raised, 1), (read.Warning.Status, read.History.Count)); // nothing changed
    }

    [Fact]
    public async Task Invalid_arguments_name_their_field()
    {
        using var county = server.As(Callers.County("600102"));
        var unspecified = await GrpcAssert.Fails(StatusCode.InvalidArgument,
            () => county.Warnings.ListWarningsAsync(new ListWarningsRequest { Grades = { WarningGrade.One, WarningGrade.Unspecified }, Statuses = { WarningStatus.Unspecified } }).ResponseAsync);
        Assert.Equal(["grades[1]", "statuses[0]"], GrpcAssert.Fields(unspecified));
        var unknown = await GrpcAssert.Fails(StatusCode.InvalidArgument,
            () => county.Warnings.ListWarningsAsync(new ListWarningsRequest { Grades = { (WarningGrade)9 } }).ResponseAsync);
        Assert.Equal(["grades[0]"], GrpcAssert.Fields(unknown));
        var prefix = await GrpcAssert.Fails(StatusCode.InvalidArgument,
            () => county.Warnings.ListWarningsAsync(new ListWarningsRequest { RegionPrefix = "60x", PageSize = -1 }).ResponseAsync);
        Assert.Equal(["page_size", "region_prefix"], GrpcAssert.Fields(prefix).Order(StringComparer.Ordinal));
        var history = await GrpcAssert.Fails(StatusCode.InvalidArgument,
            () => county.Warnings.GetHouseholdGradeHistoryAsync(new GetHouseholdGradeHistoryRequest { HouseholdId = "nope" }).ResponseAsync);
        Assert.Equal(["household_id"], GrpcAssert.Fields(history));
        var watch = await GrpcAssert.Fails(StatusCode.InvalidArgument, () => ReadAll(county.Warnings.WatchWarnings(new WatchWarningsRequest { FromSequence = -1 })));
        Assert.Equal(["from_sequence", "region_prefix"], GrpcAssert.Fields(watch).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_county_token_is_denied_outside_its_scope_and_a_missing_token_is_unauthenticated()
    {
        using var county = server.As(Callers.County("600102"));
        await GrpcAssert.Fails(StatusCode.PermissionDenied, () => county.Warnings.ListWarningsAsync(new ListWarningsRequest { RegionPrefix = "600103" }).ResponseAsync);
        await GrpcAssert.Fails(StatusCode.PermissionDenied, () => county.Policies.GetPolicyAsync(new GetPolicyRequest { Province = "61" }).ResponseAsync);
        await GrpcAssert.Fails(StatusCode.PermissionDenied, () => county.Policies.EvaluateDraftPolicyAsync(new EvaluateDraftPolicyRequest { Document = "province: \"60\"" }).ResponseAsync);
        await GrpcAssert.Fails(StatusCode.PermissionDenied, () => ReadAll(county.Warnings.WatchWarnings(new WatchWarningsRequest { RegionPrefix = "600103" })));

        using var anonymous = server.As(null);
        await GrpcAssert.Fails(StatusCode.Unauthenticated, () => anonymous.Warnings.ListWarningsAsync(new ListWarningsRequest()).ResponseAsync);
        await GrpcAssert.Fails(StatusCode.Unauthenticated, () => ReadAll(anonymous.Warnings.WatchWarnings(new WatchWarningsRequest { RegionPrefix = "60" })));
    }

    [Fact]
    public async Task Unknown_or_invisible_warnings_and_versions_are_not_found()
    {
        using var county = server.As(Callers.County("600102"));
        await GrpcAssert.Fails(StatusCode.NotFound, () => county.Warnings.GetWarningAsync(new GetWarningRequest { WarningId = Guid.CreateVersion7().ToString() }).ResponseAsync);
        await GrpcAssert.Fails(StatusCode.NotFound, () => county.Policies.GetPolicyAsync(new GetPolicyRequest { Version = 42 }).ResponseAsync);
        // A warning of the neighbouring county exists, but this county never learns it does.
        var elsewhere = await server.Graded("600103001001", DomainGrade.One);
        using var neighbour = server.As(Callers.County("600103"));
        var history = await neighbour.Warnings.GetHouseholdGradeHistoryAsync(new GetHouseholdGradeHistoryRequest { HouseholdId = elsewhere.ToString() });
        var found = await GrpcAssert.Fails(StatusCode.NotFound, () => county.Warnings.GetWarningAsync(new GetWarningRequest { WarningId = history.OpenWarningId }).ResponseAsync);
        Assert.Equal("NOT_FOUND", found.GetDetail<Google.Rpc.ErrorInfo>()?.Type);
    }

    [Fact]
    public async Task WatchWarnings_replays_then_follows_live_and_resumes_by_sequence()
    {
        const string County = "590102";
        for (var i = 0; i < 5; i++)
        {
            await server.Graded(County + "001001", i % 2 == 0 ? DomainGrade.One : DomainGrade.Three);
        }
        await server.Graded("590103001001", DomainGrade.One); // another county: not in this watch, but in the province's numbering
        using var downstream = server.As(Callers.Downstream(County));
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(120)); // a hang guard, not a timing assertion

        // 1. Replay from the start, cut after 3 entries (the server's batch size is 3: mid-replay).
        var received = new List<WarningLogEntry>();
        using (var call = downstream.Warnings.WatchWarnings(new WatchWarningsRequest { RegionPrefix = County }, cancellationToken: guard.Token))
        {
            received.AddRange(await Take(call, 3, guard.Token));
        }
        Assert.Equal([1L, 2L, 3L], received.Select(e => e.Sequence));

        // 2. Resume from the last sequence + 1: the rest of the replay, then live entries written while watching.
        using (var call = downstream.Warnings.WatchWarnings(new WatchWarningsRequest { RegionPrefix = County, FromSequence = received[^1].Sequence + 1 }, cancellationToken: guard.Token))
        {
            received.AddRange(await Take(call, 2, guard.Token));
            var live = await server.Graded(County + "002001", DomainGrade.One);
            await server.ApplyFacts(live, County + "002001", DomainGrade.Three); // a downgrade: WarningGradeChanged
            var entries = await Take(call, 2, guard.Token);
            received.AddRange(entries);
            Assert.Equal([live.ToString(), live.ToString()], entries.Select(e => e.HouseholdId));
            Assert.Equal([WarningEventType.Raised, WarningEventType.GradeChanged], entries.Select(e => e.EventType));
            Assert.Equal((WarningGrade.Three, WarningGrade.One), (entries[1].Grade, entries[1].PreviousGrade));
        }

        // No gap, no duplicate; the other county's entry (sequence 6) is skipped by design.
        Assert.Equal([1L, 2L, 3L, 4L, 5L, 7L, 8L], received.Select(e => e.Sequence));
        Assert.All(received, e => Assert.Equal(("59", County), (e.Province, e.RegionCode[..6])));
        Assert.Equal(7, received.Select(e => e.EventId).Distinct().Count());

        // The province's own stream has every sequence, and a resume past the end waits for new entries only.
        using var province = server.As(Callers.Downstream("59"));
        using (var call = province.Warnings.WatchWarnings(new WatchWarningsRequest { RegionPrefix = "59", FromSequence = 5 }, cancellationToken: guard.Token))
        {
            Assert.Equal([5L, 6L, 7L, 8L], (await Take(call, 4, guard.Token)).Select(e => e.Sequence));
            await server.Graded("590104001001", DomainGrade.Three);
            var next = Assert.Single(await Take(call, 1, guard.Token));
            Assert.Equal((9L, "590104001001", WarningGrade.Three), (next.Sequence, next.RegionCode, next.Grade));
        }
    }

    private static async Task<List<WarningLogEntry>> Take(AsyncServerStreamingCall<WatchWarningsResponse> call, int count, CancellationToken ct)
    {
        var entries = new List<WarningLogEntry>();
        while (entries.Count < count)
        {
            Assert.True(await call.ResponseStream.MoveNext(ct), "the watch ended");
            entries.Add(call.ResponseStream.Current.Entry);
        }
        return entries;
    }

    private static async Task ReadAll(AsyncServerStreamingCall<WatchWarningsResponse> call)
    {
        using (call)
        {
            await foreach (var _ in call.ResponseStream.ReadAllAsync())
            {
            }
        }
    }
}
