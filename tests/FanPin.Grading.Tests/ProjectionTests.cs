using FanPin.Grading.Application.Common;
using FanPin.Grading.Application.Dashboard;
using FanPin.Grading.Application.Grading;
using FanPin.Grading.Infrastructure;
using FanPin.Grading.Domain;
using FanPin.Grading.Infrastructure.Redis;
using FanPin.Grading.Tests.Support;
using FanPin.Policies;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace FanPin.Grading.Tests;

/// <summary>
/// The Redis projection (grade per household, counts per region prefix per grade) equals PostgreSQL after a burst
/// of concurrent re-grades, ignores late updates, and is rebuilt from PostgreSQL.
/// </summary>
public sealed class ProjectionTests(GradingHost host) : IClassFixture<GradingHost>
{
    private static readonly string[] Villages = ["640102001001", "640102001002", "640102002001", "640103001001", "640201001001"];

    private IGradeProjectionStore Store => host.Services.GetRequiredService<IGradeProjectionStore>();

    [Fact]
    public async Task A_grade_changed_inside_a_consumers_transaction_is_projected_after_its_commit_and_never_after_a_rollback()
    {
        const string village = "670102001001";
        var household = Guid.CreateVersion7();
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GradingDbContext>();
        var useCase = scope.ServiceProvider.GetRequiredService<ApplyHouseholdFacts>();
        // As IdempotentConsumer runs it: the transaction (with its inbox row) is the caller's.
        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            var result = await useCase.ApplyAsync(host.Facts(household, village, new LabourProfile(0, 0, 1, 0)), CancellationToken.None);
            Assert.Equal(WarningGrade.One, result.Grade);
            await tx.RollbackAsync();
        }
        Assert.Null(await Store.GetGradeAsync(village, household, CancellationToken.None));

        db.ChangeTracker.Clear();
        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            await useCase.ApplyAsync(host.Facts(household, village, new LabourProfile(0, 0, 1, 0)), CancellationToken.None);
            Assert.Null(await Store.GetGradeAsync(village, household, CancellationToken.None)); // not before the commit
            await tx.CommitAsync();
        }
        Assert.Equal((WarningGrade.One, 1L), await Store.GetGradeAsync(village, household, CancellationToken.None));
    }

    [Fact]
    public async Task Counts_equal_postgres_after_a_burst_of_concurrent_changes()
    {
        // 60 households, each moved through several grades by 6 concurrent workers (each household belongs to
        // one worker, so its own updates are ordered; different households interleave freely).
        var households = Enumerable.Range(0, 60).Select(i => (Id: Guid.CreateVersion7(), Village: Villages[i % Villages.Length])).ToList();
        await Task.WhenAll(Enumerable.Range(0, 6).Select(worker => Task.Run(async () =>
        {
            var random = new Random(worker);
            foreach (var (id, village) in households.Where((_, i) => i % 6 == worker))
            {
                for (var step = 0; step < 4; step++)
                {
                    switch (random.Next(4))
                    {
                        case 0: await host.ApplyFacts(host.Facts(id, village, new LabourProfile(0, 0, 1, 1))); break;       // I
                        case 1: await host.ApplyFacts(host.Facts(id, village, new LabourProfile(0, 1, 0, 1))); break;       // III
                        case 2: await host.ApplyFacts(host.Facts(id, village, new LabourProfile(0, 0, 0, 2)));              // II
                            await host.ApplySignals(host.Signals(id, village, Signal.TransfersOnly)); break;
                        default: await host.ApplyFacts(host.Facts(id, village, new LabourProfile(2, 0, 0, 0), MonitoringStatus.RiskEliminated)); break; // none
                    }
                }
            }
        })));

        foreach (var prefix in new[] { "64", "6401", "640102", "640102001", "640102001001", "640103", "6402" })
        {
            var region = RegionPrefix.Parse(prefix);
            var inPostgres = await host.Db(db => GetGradeCounts.CountInDatabaseAsync(db, region, CancellationToken.None));
            var inRedis = await Store.GetCountsAsync(region, CancellationToken.None);
            Assert.Equal(inPostgres.OrderBy(c => c.Key), inRedis.OrderBy(c => c.Key));
        }
        Assert.True((await host.Db(db => GetGradeCounts.CountInDatabaseAsync(db, RegionPrefix.Parse("64"), CancellationToken.None))).Values.Sum() > 0);
        foreach (var (id, village) in households)
        {
            var row = await host.Db(db => db.HouseholdFacts.AsNoTracking().SingleAsync(f => f.HouseholdId == id));
            Assert.Equal((row.Grade, row.GradeVersion), await Store.GetGradeAsync(village, id, CancellationToken.None));
        }

        // Until the province's projection was built from PostgreSQL, readers are served from PostgreSQL; the
        // re-grade service's tick builds what is missing, and from then on Redis answers, with the same numbers.
        var county = Callers.County("640102");
        var before = await host.Run<GetGradeCounts, GetGradeCountsResult>(u => u.HandleAsync(county, new GetGradeCountsRequest()));
        Assert.Equal("postgres", before.Source);
        var ensured = await host.Run<EnsureGradeProjections, EnsureGradeProjectionsResult>(u => u.HandleAsync(new EnsureGradeProjectionsRequest()));
        Assert.Contains("64", ensured.Rebuilt);
        var after = await host.Run<GetGradeCounts, GetGradeCountsResult>(u => u.HandleAsync(county, new GetGradeCountsRequest()));
        Assert.Equal("redis", after.Source);
        Assert.Equal((before.One, before.Two, before.Three), (after.One, after.Two, after.Three));
        Assert.DoesNotContain("64", (await host.Run<EnsureGradeProjections, EnsureGradeProjectionsResult>(u => u.HandleAsync(new EnsureGradeProjectionsRequest()))).Rebuilt);
    }

    [Fact]
    public async Task A_late_older_update_changes_nothing_and_a_repeated_one_counts_once()
    {
        var household = Guid.CreateVersion7();
        const string village = "650102001001";
        await Store.ApplyAsync([new GradeProjectionChange(household, village, WarningGrade.One, 2)], CancellationToken.None);
        await Store.ApplyAsync([new GradeProjectionChange(household, village, WarningGrade.Three, 1)], CancellationToken.None);
        await Store.ApplyAsync([new GradeProjectionChange(household, village, WarningGrade.One, 2)], CancellationToken.None);
        var counts = await Store.GetCountsAsync(RegionPrefix.Parse("650102"), CancellationToken.None);
        Assert.Equal(new Dictionary<WarningGrade, long> { [WarningGrade.One] = 1 }, counts);
        await Store.ApplyAsync([new GradeProjectionChange(household, village, null, 3)], CancellationToken.None);
        Assert.Empty(await Store.GetCountsAsync(RegionPrefix.Parse("65"), CancellationToken.None));
        Assert.Equal(((WarningGrade?)null, 3L), await Store.GetGradeAsync(village, household, CancellationToken.None));
    }

    [Fact]
    public async Task The_projection_is_rebuilt_from_postgres()
    {
        for (var i = 0; i < 12; i++)
        {
            await host.Graded("660102001001", (WarningGrade)(i % 3 + 1));
        }
        var region = RegionPrefix.Parse("660102");
        await Store.ResetProvinceAsync("66", CancellationToken.None); // Redis lost its data
        await Store.ApplyAsync([new GradeProjectionChange(Guid.CreateVersion7(), "660102001001", WarningGrade.One, 1)], CancellationToken.None); // and holds a stray
        var result = await host.Run<RebuildGradeProjection, RebuildGradeProjectionResult>(u => u.HandleAsync(Callers.Province("66"), new RebuildGradeProjectionRequest()));
        Assert.Equal(12, result.Households);
        var expected = await host.Db(db => GetGradeCounts.CountInDatabaseAsync(db, region, CancellationToken.None));
        Assert.Equal(new long[] { 4, 4, 4 }, expected.OrderBy(c => c.Key).Select(c => c.Value));
        Assert.Equal(expected.OrderBy(c => c.Key), (await Store.GetCountsAsync(region, CancellationToken.None)).OrderBy(c => c.Key));
        Assert.True(await Store.IsBuiltAsync("66", CancellationToken.None));
    }
}

/// <summary>Without a cache the counts come from PostgreSQL.</summary>
public sealed class ProjectionWithoutCacheTests(GradingHostWithoutCache host) : IClassFixture<GradingHostWithoutCache>
{
    [Fact]
    public async Task Counts_come_from_postgres()
    {
        await host.Graded("620102001001", WarningGrade.One);
        await host.Graded("620102001001", WarningGrade.Two);
        await host.Graded("620103001001", WarningGrade.Two);
        var counts = await host.Run<GetGradeCounts, GetGradeCountsResult>(u => u.HandleAsync(Callers.County("620102"), new GetGradeCountsRequest()));
        Assert.Equal(("postgres", 1L, 1L, 0L), (counts.Source, counts.One, counts.Two, counts.Three));
        await Assert.ThrowsAsync<PreconditionFailedException>(() => host.Run<RebuildGradeProjection, RebuildGradeProjectionResult>(u =>
            u.HandleAsync(Callers.Province(), new RebuildGradeProjectionRequest())));
    }
}
