using System.Globalization;
using FanPin.Grading.Application.Common;
using FanPin.Grading.Application.Policies;
using FanPin.Grading.Domain;
using FanPin.Grading.Tests.Support;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace FanPin.Grading.Tests;

/// <summary>
/// Province policies as data: validation errors with their paths, publication rules (immutable versions,
/// effective dates, idempotent retries), and the what-if that predicts exactly what the re-grade then does.
/// </summary>
public class PolicyTests(GradingHost host) : IClassFixture<GradingHost>
{
    private string Today => host.Clock.Today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private string Day(int offset) => host.Clock.Today.AddDays(offset).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private Task<PublishPolicyResult> Publish(Caller caller, string document) =>
        host.Run<PublishPolicy, PublishPolicyResult>(u => u.HandleAsync(caller, new PublishPolicyRequest(document)));

    private Task<RunDueRegradesResult> RunDueRegrades() =>
        host.Run<RunDueRegrades, RunDueRegradesResult>(u => u.HandleAsync(new RunDueRegradesRequest()));

    [Fact]
    public async Task An_invalid_document_is_refused_with_every_problem_at_its_path()
    {
        var ex = await Assert.ThrowsAsync<ValidationFailedException>(() => Publish(Callers.Province("64"), $$"""
            base: default
            province: "64"
            version: 1
            effective_from: {{Today}}
            monitoring:
              warning_lines:
                schooling: { comparison: more, amount_fen: 800_000 }
            grading:
              grade_one: { response_working_days: 30 }
              grade_two: { min_transfer_income_share: 1.5 }
              grade_four: { response_working_days: 40 }
            """));
        var fields = ex.Violations.Select(v => v.Field).ToList();
        Assert.Contains("document.monitoring.warning_lines.schooling.comparison", fields);
        Assert.Contains("document.grading.grade_two.min_transfer_income_share", fields);
        Assert.Contains("document.grading.grade_four", fields);
        Assert.Contains("document.grading.grade_one.response_working_days", fields); // I ≤ II ≤ III
        Assert.Contains(ex.Violations, v => v.Field.EndsWith("comparison", StringComparison.Ordinal) && v.Description.Contains("greater_than", StringComparison.Ordinal));

        var syntax = await Assert.ThrowsAsync<ValidationFailedException>(() => Publish(Callers.Province("64"), "province: \"64\"\nversion: [1,"));
        Assert.StartsWith("document.(line", Assert.Single(syntax.Violations).Field, StringComparison.Ordinal);
        var national = await Assert.ThrowsAsync<ValidationFailedException>(() => Publish(Callers.Province("64"),
            $"base: default\nprovince: \"00\"\nversion: 2\neffective_from: {Today}\n"));
        Assert.Equal("document.province", Assert.Single(national.Violations).Field);
        var past = await Assert.ThrowsAsync<ValidationFailedException>(() => Publish(Callers.Province("64"),
            $"base: default\nprovince: \"64\"\nversion: 1\neffective_from: {Day(-1)}\n"));
        Assert.Equal("document.effective_from", Assert.Single(past.Violations).Field);
        await Assert.ThrowsAsync<ValidationFailedException>(() => Publish(Callers.Province("64"), " "));

        Assert.Equal(0, await host.Db(db => db.PolicyVersions.CountAsync(p => p.Province == "64")));
    }

    [Fact]
    public async Task Only_the_province_itself_publishes_its_policy()
    {
        var document = $"base: default\nprovince: \"65\"\nversion: 1\neffective_from: {Today}\n";
        await Assert.ThrowsAsync<AccessDeniedException>(() => Publish(Callers.County("650102"), document));
        await Assert.ThrowsAsync<AccessDeniedException>(() => Publish(Callers.Province("62"), document));
        Assert.False((await Publish(Callers.Province("65"), document)).AlreadyPublished);
    }

    [Fact]
    public async Task Published_versions_never_change_and_stay_readable()
    {
        var province = Callers.Province("66");
        var v1 = $"base: default\nprovince: \"66\"\nversion: 1\neffective_from: {Today}\ntitle: first\n";
        var first = await Publish(province, v1);
        Assert.False(first.AlreadyPublished);
        Assert.DoesNotContain("base:", first.Document, StringComparison.Ordinal); // stored complete
        Assert.True((await Publish(province, v1)).AlreadyPublished); // a retry is a no-op

        await Assert.ThrowsAsync<AlreadyExistsException>(() => Publish(province, v1.Replace("title: first", "title: changed", StringComparison.Ordinal)));
        var sameDay = await Assert.ThrowsAsync<PreconditionFailedException>(() => Publish(province, $"base: default\nprovince: \"66\"\nversion: 2\neffective_from: {Today}\n"));
        Assert.Contains("latest version 1", sameDay.CurrentState, StringComparison.Ordinal);
        await Publish(province, $"base: default\nprovince: \"66\"\nversion: 2\neffective_from: {Day(30)}\nmonitoring: {{ monitoring_line_fen: 700_000 }}\n");

        var versions = await host.Run<ListPolicyVersions, ListPolicyVersionsResult>(u => u.HandleAsync(province, new ListPolicyVersionsRequest()));
        Assert.Equal([(1, true), (2, false)], versions.Versions.Select(v => (v.Version, v.InForce)));
        var old = await host.Run<GetPolicy, GetPolicyResult>(u => u.HandleAsync(Callers.County("660102"), new GetPolicyRequest(Version: 1)));
        Assert.Equal(first.Document, old.Document);
        var later = await host.Run<GetPolicy, GetPolicyResult>(u => u.HandleAsync(province, new GetPolicyRequest(InForceOn: Day(31))));
        Assert.Equal(2, later.Version);
        Assert.Contains("700000", later.Document, StringComparison.Ordinal);
        await Assert.ThrowsAsync<NotFoundException>(() => host.Run<GetPolicy, GetPolicyResult>(u => u.HandleAsync(province, new GetPolicyRequest(Version: 3))));
        await Assert.ThrowsAsync<AccessDeniedException>(() => host.Run<GetPolicy, GetPolicyResult>(u => u.HandleAsync(Callers.County("620102"), new GetPolicyRequest("66"))));

        var tampering = await Assert.ThrowsAsync<PostgresException>(() => host.Scalar<int>("UPDATE policy_versions SET title = 'x' WHERE province = '66' RETURNING 1"));
        Assert.Contains("never change", tampering.MessageText, StringComparison.Ordinal);
        var fallback = await host.Run<GetPolicy, GetPolicyResult>(u => u.HandleAsync(Callers.Province("67"), new GetPolicyRequest()));
        Assert.Equal("00", fallback.PolicyProvince);
    }

    [Fact]
    public async Task The_what_if_predicts_exactly_what_the_regrade_does()
    {
        // Two counties of province 62, households built so that the draft moves them in every direction:
        // (a) unstable income, full labour: III → none (the draft requires partial labour for III)
        // (b) income 7,000 CNY, full labour: none → I (the draft raises the poverty line to 4,800: limit 7,200)
        // (c) income 7,000 CNY, partial labour: III → I
        // (d) no labour, 90% transfers, income 8,000 CNY: none → II (the draft lowers "only transfers" to 80%)
        // (e) lost labour: I → I (unchanged)
        // (f) no labour, 90% transfers, income 7,100 CNY: none → I (both match; I decides)
        var counts = new Dictionary<string, int[]> { ["620102"] = [3, 2, 1, 2, 2, 1], ["620103"] = [1, 4, 2, 0, 1, 2] };
        foreach (var (county, perKind) in counts)
        {
            for (var kind = 0; kind < perKind.Length; kind++)
            {
                for (var i = 0; i < perKind[kind]; i++)
                {
                    await Seed(county + "001001", kind);
                }
            }
        }
        var draft = $$"""
            base: default
            province: "62"
            version: 1
            effective_from: {{Today}}
            title: "draft: line up, transfers 80%, strict III"
            monitoring: { poverty_line_fen: 480_000 }
            grading:
              grade_two: { min_transfer_income_share: 0.8 }
              grade_three: { unstable_income_suffices: false }
            """;
        var whatIf = await host.Run<EvaluateDraftPolicy, EvaluateDraftPolicyResult>(u => u.HandleAsync(Callers.Province(), new EvaluateDraftPolicyRequest(draft)));
        Assert.Equal(["620102", "620103"], whatIf.Counties.Select(c => c.CountyCode));
        Assert.Equal([9, 9], whatIf.Counties.Select(c => c.Changed));
        Assert.Equal("III→I:1, III→none:3, none→I:3, none→II:2", Describe(whatIf.Counties[0]));
        Assert.Equal(0, await host.Db(db => db.PolicyVersions.CountAsync(p => p.Province == "62"))); // nothing written

        await Publish(Callers.Province(), draft);
        var regrade = Assert.Single((await RunDueRegrades()).Regrades, r => r.Province == "62");
        Assert.Equal(("62", 1), (regrade.PolicyProvince, regrade.PolicyVersion));
        Assert.Equal(whatIf.Counties.Select(Describe), regrade.Counties.Select(Describe));
        Assert.Equal(whatIf.Counties.Select(c => (c.Households, c.Changed)), regrade.Counties.Select(c => (c.Households, c.Changed)));

        // What the database recorded agrees, reason by reason.
        var recorded = await host.Db(db => db.GradeChanges.AsNoTracking().Where(c => c.Cause == GradeCause.PolicyChange)
            .Select(c => new { c.RegionCode, c.FromGrade, c.ToGrade, c.PolicyProvince, c.PolicyVersion }).ToListAsync());
        Assert.Equal(whatIf.Changed, recorded.Count);
        Assert.All(recorded, r => Assert.Equal(("62", 1), (r.PolicyProvince, r.PolicyVersion)));
        var tally = new GradeTransitionTally();
        foreach (var r in recorded)
        {
            tally.Add(r.RegionCode, r.FromGrade, r.ToGrade);
        }
        Assert.Equal(whatIf.Counties.Select(Describe), tally.ByCounty().Select(Describe));

        // The one-household path agrees with the bulk path: re-sending a household's facts changes nothing.
        var anyHousehold = await host.Db(db => db.HouseholdFacts.AsNoTracking().Where(f => f.Province == "62" && f.Grade == WarningGrade.One)
            .Select(f => new { f.HouseholdId, f.RegionCode }).FirstAsync());
        host.Clock.Advance(TimeSpan.FromMinutes(1));
        var again = await host.ApplySignals(host.Signals(anyHousehold.HouseholdId, anyHousehold.RegionCode, Signal.LowIncome(7000m)));
        Assert.Equal(again.PreviousGrade, again.Grade);
        Assert.DoesNotContain((await RunDueRegrades()).Regrades, r => r.Province == "62"); // done once
    }

    [Fact]
    public async Task A_version_for_a_later_day_regrades_when_that_day_comes()
    {
        var household = Guid.CreateVersion7();
        await host.ApplyFacts(host.Facts(household, "630102001001", new LabourProfile(2, 0, 0, 0)));
        await host.ApplySignals(host.Signals(household, "630102001001", Signal.LowIncome(6800m)));
        await RunDueRegrades();
        Assert.Null((await host.Db(db => db.HouseholdFacts.SingleAsync(f => f.HouseholdId == household))).Grade);

        await Publish(Callers.Province("63"), $"base: default\nprovince: \"63\"\nversion: 1\neffective_from: {Day(1)}\nmonitoring: {{ poverty_line_fen: 480_000 }}\n");
        Assert.DoesNotContain((await RunDueRegrades()).Regrades, r => r.Province == "63" && r.PolicyProvince == "63");

        host.Clock.Advance(TimeSpan.FromDays(1));
        var regrade = Assert.Single((await RunDueRegrades()).Regrades, r => r.Province == "63");
        Assert.Equal(("63", 1, 1), (regrade.PolicyProvince, regrade.PolicyVersion, regrade.Changed));
        Assert.Equal(WarningGrade.One, (await host.OpenWarning(household)).Grade);
    }

    private static string Describe(CountyGradeTransitions county) =>
        string.Join(", ", county.Transitions.OrderBy(t => t.Label, StringComparer.Ordinal).Select(t => $"{t.Label}:{t.Households}"));

    private async Task Seed(string village, int kind)
    {
        var household = Guid.CreateVersion7();
        var (labour, signals) = kind switch
        {
            0 => (new LabourProfile(2, 0, 0, 0), new[] { Signal.Unstable }),
            1 => (new LabourProfile(2, 0, 0, 0), [Signal.LowIncome(7000m)]),
            2 => (new LabourProfile(0, 1, 0, 1), [Signal.LowIncome(7000m)]),
            3 => (new LabourProfile(0, 0, 0, 2), [Transfers(0.9m, 8000m)]),
            4 => (new LabourProfile(0, 0, 1, 0), []),
            _ => (new LabourProfile(0, 0, 0, 2), [Transfers(0.9m, 7100m)]),
        };
        await host.ApplyFacts(host.Facts(household, village, labour));
        await host.ApplySignals(host.Signals(household, village, signals));
    }

    private static ReceivedRiskSignal Transfers(decimal share, decimal perCapita) =>
        new("IncomeBelowLine", new Dictionary<string, decimal> { ["transferIncomeShare"] = share, ["perCapitaIncome"] = perCapita }, new Dictionary<string, decimal>());
}
