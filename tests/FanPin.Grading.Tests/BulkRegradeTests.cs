using System.Globalization;
using FanPin.Grading.Application.Common;
using FanPin.Grading.Application.Dashboard;
using FanPin.Grading.Application.Policies;
using FanPin.Grading.Domain;
using FanPin.Grading.Infrastructure;
using FanPin.Grading.Infrastructure.Bulk;
using FanPin.Grading.Infrastructure.Redis;
using FanPin.Grading.Tests.Support;
using FanPin.Policies;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace FanPin.Grading.Tests;

/// <summary>
/// A bulk re-grade in small chunks while households keep changing one by one: every household ends graded by the
/// policy in force on its final facts, its open warning agrees with its grade, the warning log stays gap-free and
/// the projection equals the database.
/// </summary>
public sealed class BulkRegradeTests(GradingHost host) : IClassFixture<GradingHost>
{
    private const string Province = "68";

    [Fact]
    public async Task A_regrade_racing_one_household_updates_leaves_every_household_consistent()
    {
        var households = new List<(Guid Id, string Village)>();
        for (var i = 0; i < 80; i++)
        {
            var village = $"6801{i % 4 + 1:D2}001001";
            var id = Guid.CreateVersion7();
            households.Add((id, village));
            await host.ApplyFacts(host.Facts(id, village, i % 3 == 0 ? new LabourProfile(2, 0, 0, 0) : new LabourProfile(0, 0, 0, 2)));
            await host.ApplySignals(host.Signals(id, village, i % 2 == 0 ? Signal.LowIncome(7000m) : Signal.Unstable));
        }
        var today = host.Clock.Today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        await host.Run<PublishPolicy, PublishPolicyResult>(u => u.HandleAsync(Callers.Province(Province), new PublishPolicyRequest($$"""
            base: default
            province: "{{Province}}"
            version: 1
            effective_from: {{today}}
            monitoring: { poverty_line_fen: 480_000 }
            grading: { grade_three: { unstable_income_suffices: false } }
            """)));
        var policy = DefaultPolicy.Policy; // replaced below by the published version
        await using (var scope = host.Services.CreateAsyncScope())
        {
            policy = await scope.ServiceProvider.GetRequiredService<PolicyCatalog>().AtAsync(Province, host.Clock.Today, CancellationToken.None);
        }
        Assert.Equal((Province, 1), (policy.Province, policy.Version));

        var racers = Task.Run(async () =>
        {
            var random = new Random(7);
            for (var i = 0; i < 60; i++)
            {
                var (id, village) = households[random.Next(households.Count)];
                await host.ApplySignals(host.Signals(id, village, random.Next(3) switch
                {
                    0 => Signal.LowIncome(5000m),
                    1 => Signal.Unstable,
                    _ => Signal.TransfersOnly,
                }));
            }
        });
        BulkRegradeResult result;
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var regrader = new BulkRegrader(scope.ServiceProvider.GetRequiredService<GradingDbContext>(),
                scope.ServiceProvider.GetRequiredService<GradeProjector>(), scope.ServiceProvider.GetRequiredService<GradingClock>()) { ChunkSize = 7 };
            result = await regrader.RegradeAsync(Province, policy, CancellationToken.None);
        }
        await racers;
        Assert.Equal(80, result.Households);
        Assert.True(result.Changed > 0);

        var facts = await host.Db(db => db.HouseholdFacts.AsNoTracking().Where(f => f.Province == Province).ToListAsync());
        var open = await host.Db(db => db.Warnings.AsNoTracking().Where(w => w.Province == Province && w.Status != WarningStatus.Cleared).ToListAsync());
        foreach (var f in facts)
        {
            Assert.Equal(Grader.Decide(policy, f.ToGradingFacts()).Grade, f.Grade);
            var warning = open.SingleOrDefault(w => w.HouseholdId == f.HouseholdId);
            Assert.Equal(f.Grade, warning?.Grade);
            Assert.Equal(f.OpenWarningId, warning?.Id);
        }
        var sequences = await host.Db(db => db.WarningLog.AsNoTracking().Where(e => e.Province == Province).OrderBy(e => e.Sequence).Select(e => e.Sequence).ToListAsync());
        Assert.Equal(Enumerable.Range(1, sequences.Count).Select(i => (long)i), sequences);
        var region = RegionPrefix.Parse(Province);
        var inPostgres = await host.Db(db => GetGradeCounts.CountInDatabaseAsync(db, region, CancellationToken.None));
        var inRedis = await host.Services.GetRequiredService<IGradeProjectionStore>().GetCountsAsync(region, CancellationToken.None);
        Assert.Equal(inPostgres.OrderBy(c => c.Key), inRedis.OrderBy(c => c.Key));
    }
}
