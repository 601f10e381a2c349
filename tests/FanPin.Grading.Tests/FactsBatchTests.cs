using System.Diagnostics;
using System.Text.Json;
using FanPin.Grading.Application.Grading;
using FanPin.Grading.Domain;
using FanPin.Grading.Tests.Support;
using FanPin.Messaging.Persistence;
using FanPin.Policies;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;

namespace FanPin.Grading.Tests;

/// <summary>
/// The registry's snapshots applied as a batch (what the HouseholdRegistered and HouseholdChanged consumers do): one
/// transaction and as many statements for many households as for one, only the newest snapshot of a household (by
/// the registry's version first), nothing older than what was applied, nothing written when one input of the batch is
/// unreadable, and the same warning events as applying each household's newest snapshot on its own.
/// </summary>
public class FactsBatchTests(GradingHost host) : IClassFixture<GradingHost>
{
    private Task<IReadOnlyDictionary<Guid, ApplyFactsResult>> ApplyBatch(params HouseholdFactsChanged[] inputs) =>
        host.Run<ApplyHouseholdFacts, IReadOnlyDictionary<Guid, ApplyFactsResult>>(u => u.HandleBatchAsync(inputs));

    /// <summary>A registry snapshot of <paramref name="version"/>, taken <paramref name="minutes"/> from now.</summary>
    private HouseholdFactsChanged Snapshot(Guid household, string village, LabourProfile labour, long? version, int minutes = 0,
        MonitoringStatus status = MonitoringStatus.Monitored) =>
        host.Facts(household, village, labour, status) with { RegistryVersion = version, OccurredAt = host.Clock.GetUtcNow().AddMinutes(minutes) };

    private static readonly LabourProfile Lost = new(0, 0, 1, 1);    // grade I
    private static readonly LabourProfile Partial = new(0, 1, 0, 1); // grade III
    private static readonly LabourProfile Able = new(2, 0, 0, 0);    // no grade

    [Fact]
    public async Task A_batch_of_households_is_graded_in_one_transaction_with_as_many_statements_as_a_batch_of_one()
    {
        const string village = "620102007001";
        await ApplyBatch(Snapshot(Guid.CreateVersion7(), "620102007002", Lost, 1)); // policies loaded and cached
        LabourProfile[] labours = [Lost, Partial, Able];
        var households = Enumerable.Range(0, 30).Select(i => (Id: Guid.CreateVersion7(), Labour: labours[i % 3])).ToList();

        var ofOne = await CountStatements(() => ApplyBatch(Snapshot(Guid.CreateVersion7(), "620102007003", Lost, 1)));
        var results = new Dictionary<Guid, ApplyFactsResult>();
        var ofThirty = await CountStatements(async () =>
        {
            foreach (var (id, result) in await ApplyBatch([.. households.Select(h => Snapshot(h.Id, village, h.Labour, 1))]))
            {
                results[id] = result;
            }
        });

        Assert.InRange(ofOne, 3, 10); // the counter sees the lock and save statements
        Assert.Equal(ofOne, ofThirty);
        Assert.Equal(households.Select(h => h.Id).Order(), results.Keys.Order());
        Assert.All(results.Values, r => Assert.True(r.Applied));
        var expected = new Dictionary<LabourProfile, WarningGrade?> { [Lost] = WarningGrade.One, [Partial] = WarningGrade.Three, [Able] = null };
        Assert.Equal(households.Select(h => expected[h.Labour]), households.Select(h => results[h.Id].Grade));
        var graded = await host.Db(db => db.HouseholdFacts.AsNoTracking().Where(f => f.RegionCode == village).ToDictionaryAsync(f => f.HouseholdId));
        Assert.Equal(households.Select(h => expected[h.Labour]), households.Select(h => graded[h.Id].Grade));
        // One commit: every row the batch wrote carries the same transaction id.
        Assert.Equal(1L, await host.Scalar<long>($"""
            SELECT count(DISTINCT x) FROM (
                SELECT xmin::text AS x FROM household_facts WHERE region_code = '{village}'
                UNION ALL SELECT xmin::text FROM warnings WHERE region_code = '{village}'
                UNION ALL SELECT xmin::text FROM warning_log WHERE region_code = '{village}') t
            """));
        Assert.Equal(20L, await host.Scalar<long>($"SELECT count(*) FROM warning_log WHERE region_code = '{village}'"));
    }

    [Fact]
    public async Task Of_two_snapshots_of_a_household_the_newest_by_registry_version_wins_even_delivered_first()
    {
        const string village = "620102008001";
        var byVersion = Guid.CreateVersion7();
        var byTime = Guid.CreateVersion7();

        // Version 3 (lost labour: I) first, version 2 (partial labour: III) after it and taken later: the version decides.
        // Without versions, time decides: the later snapshot (lost labour), delivered first here too.
        var results = await ApplyBatch(
            Snapshot(byVersion, village, Lost, 3, minutes: 1),
            Snapshot(byTime, village, Lost, null, minutes: 2),
            Snapshot(byVersion, village, Partial, 2, minutes: 5),
            Snapshot(byTime, village, Partial, null, minutes: 1));

        Assert.Equal((true, (WarningGrade?)WarningGrade.One), (results[byVersion].Applied, results[byVersion].Grade));
        Assert.Equal((true, (WarningGrade?)WarningGrade.One), (results[byTime].Applied, results[byTime].Grade));
        var facts = await host.Db(db => db.HouseholdFacts.AsNoTracking().Where(f => f.RegionCode == village).ToDictionaryAsync(f => f.HouseholdId));
        Assert.Equal((3L, 0, 1), (facts[byVersion].RegistryVersion!.Value, facts[byVersion].MembersPartial, facts[byVersion].MembersLost));
        Assert.Equal(host.Clock.GetUtcNow().AddMinutes(1), facts[byVersion].RegistryAsOf);
        Assert.Equal(host.Clock.GetUtcNow().AddMinutes(2), facts[byTime].RegistryAsOf);
        // Only the newest was graded: one raise each, no intermediate grade.
        var logged = await host.Db(db => db.WarningLog.AsNoTracking().Where(e => e.RegionCode == village).Select(e => new { e.HouseholdId, e.EventType, e.Grade }).ToListAsync());
        Assert.Equal([(WarningLogEventType.Raised, WarningGrade.One)], logged.Where(e => e.HouseholdId == byVersion).Select(e => (e.EventType, e.Grade)));
        Assert.Equal([(WarningLogEventType.Raised, WarningGrade.One)], logged.Where(e => e.HouseholdId == byTime).Select(e => (e.EventType, e.Grade)));
        Assert.Equal(2L, await host.Scalar<long>($"SELECT count(*) FROM grade_changes g JOIN household_facts f USING (household_id) WHERE f.region_code = '{village}'"));
    }

    [Fact]
    public async Task A_snapshot_older_than_the_stored_one_changes_nothing()
    {
        const string village = "620102009001";
        var stored = Guid.CreateVersion7();
        var fresh = Guid.CreateVersion7();
        Assert.Equal(WarningGrade.Three, (await host.ApplyFacts(Snapshot(stored, village, Partial, 5))).Grade);
        var before = await host.Db(db => db.HouseholdFacts.AsNoTracking().SingleAsync(f => f.HouseholdId == stored));

        // Version 4 is older than the stored 5 though taken later; the other household's snapshot is applied.
        var results = await ApplyBatch(Snapshot(stored, village, Lost, 4, minutes: 10), Snapshot(fresh, village, Lost, 1));

        Assert.Equal(new ApplyFactsResult(false, WarningGrade.Three, WarningGrade.Three, before.OpenWarningId, before.GradeRuleId), results[stored]);
        Assert.Equal((true, (WarningGrade?)WarningGrade.One), (results[fresh].Applied, results[fresh].Grade));
        var after = await host.Db(db => db.HouseholdFacts.AsNoTracking().SingleAsync(f => f.HouseholdId == stored));
        Assert.Equal((5L, 1, 0, before.RegistryAsOf, before.UpdatedAt, before.GradeVersion),
            (after.RegistryVersion!.Value, after.MembersPartial, after.MembersLost, after.RegistryAsOf, after.UpdatedAt, after.GradeVersion));
        Assert.Equal(1L, await host.Scalar<long>($"SELECT count(*) FROM warning_log WHERE household_id = '{stored}'"));
        Assert.Equal(2L, await host.Scalar<long>($"SELECT count(*) FROM outbox_message WHERE partition_key = '{stored:N}'"));
    }

    [Fact]
    public async Task One_unreadable_snapshot_refuses_the_batch_with_the_single_paths_violations_and_nothing_is_written()
    {
        const string village = "620102010001";
        var households = Enumerable.Range(0, 3).Select(_ => Guid.CreateVersion7()).ToList();
        var bad = Snapshot(households[1], village, Partial, 1) with
        {
            RiskTypes = [RiskType.Illness, (RiskType)99], MemberLabourAbilities = [LabourAbility.Full, (LabourAbility)42],
        };
        var single = await Assert.ThrowsAsync<ValidationFailedException>(() => host.ApplyFacts(bad));

        // The bad snapshot is older than a good one of its household, which alone would be applied: it refuses the batch all the same.
        var error = await Assert.ThrowsAsync<ValidationFailedException>(() => ApplyBatch(
            Snapshot(households[0], village, Lost, 1), Snapshot(households[1], village, Lost, 2), bad, Snapshot(households[2], village, Partial, 1)));

        Assert.Equal(["risk_types[1]", "member_labour_abilities[1]"], error.Violations.Select(v => v.Field));
        Assert.Equal(single.Violations, error.Violations);
        Assert.Equal(0L, await host.Scalar<long>($"SELECT count(*) FROM household_facts WHERE region_code = '{village}'"));
        Assert.Equal(0L, await host.Scalar<long>($"SELECT count(*) FROM warning_log WHERE region_code = '{village}'"));
        var partitions = households.Select(h => h.ToString("N")).ToList();
        Assert.Equal(0, await host.Db(db => db.Set<OutboxMessage>().CountAsync(m => partitions.Contains(m.PartitionKey))));
    }

    [Fact]
    public async Task A_batch_emits_the_warning_events_of_applying_each_households_newest_snapshot_on_its_own()
    {
        // Twins in two villages start alike (version 1). One village then gets each household's newest snapshot
        // (version 3) one by one; the other one batch with an older version 2 of each (a different grade) around it.
        const string oneByOne = "620102011001", batched = "620102011002";
        LabourProfile?[] starts = [null, Lost, Partial, Able];
        LabourProfile[] labours = [Lost, Partial, Able];
        var cases = (from start in starts from middle in labours from newest in labours select (Start: start, Middle: middle, Newest: newest)).ToList();
        var batch = new List<HouseholdFactsChanged>();
        var twins = new List<(Guid Single, Guid Twin)>();
        foreach (var (c, i) in cases.Select((c, i) => (c, i)))
        {
            var single = Guid.CreateVersion7();
            var twin = Guid.CreateVersion7();
            if (c.Start is { } start)
            {
                await host.ApplyFacts(Snapshot(single, oneByOne, start, 1));
                await host.ApplyFacts(Snapshot(twin, batched, start, 1));
            }
            twins.Add((single, twin));
            batch.Add(Snapshot(twin, batched, c.Middle, 2, minutes: 1));
            // Half the newest snapshots are delivered before the older one.
            batch.Insert(i % 2 == 0 ? batch.Count : batch.Count - 1, Snapshot(twin, batched, c.Newest, 3, minutes: 1));
        }
        host.Clock.Advance(TimeSpan.FromMinutes(2));
        foreach (var (c, (single, _)) in cases.Zip(twins))
        {
            await host.ApplyFacts(Snapshot(single, oneByOne, c.Newest, 3, minutes: -1));
        }

        var results = await ApplyBatch([.. batch]);

        Assert.All(results.Values, r => Assert.True(r.Applied));
        var events = new List<string>();
        foreach (var (single, twin) in twins)
        {
            var expected = await Staged(single);
            Assert.Equal(expected, await Staged(twin));
            events.AddRange(expected);
        }
        // The cases raise, change, clear and leave alone.
        Assert.Contains(events, e => e.Contains("WarningRaised", StringComparison.Ordinal));
        Assert.Contains(events, e => e.Contains("WarningGradeChanged", StringComparison.Ordinal));
        Assert.Contains(events, e => e.Contains("WarningCleared", StringComparison.Ordinal));
        var gradesOneByOne = await host.Db(db => db.HouseholdFacts.AsNoTracking().Where(f => f.RegionCode == oneByOne).ToDictionaryAsync(f => f.HouseholdId));
        var gradesBatched = await host.Db(db => db.HouseholdFacts.AsNoTracking().Where(f => f.RegionCode == batched).ToDictionaryAsync(f => f.HouseholdId));
        Assert.Equal(twins.Select(t => (gradesOneByOne[t.Single].Grade, gradesOneByOne[t.Single].GradeRuleId, gradesOneByOne[t.Single].RegistryVersion)),
            twins.Select(t => (gradesBatched[t.Twin].Grade, gradesBatched[t.Twin].GradeRuleId, gradesBatched[t.Twin].RegistryVersion)));
    }

    /// <summary>
    /// The household's outbox Warning* rows in order, each as destination, type, routing key without the village and
    /// the payload's household-independent fields (grades, rule, facts).
    /// </summary>
    private async Task<List<string>> Staged(Guid household)
    {
        var partition = household.ToString("N");
        var rows = await host.Db(db => db.Set<OutboxMessage>().AsNoTracking().Where(m => m.PartitionKey == partition && m.EventType.Contains(".Warning"))
            .OrderBy(m => m.Id).ToListAsync());
        return rows.Select(r =>
        {
            using var document = JsonDocument.Parse(r.Payload);
            var body = document.RootElement.TryGetProperty("data", out var data) ? data : document.RootElement;
            var fields = body.EnumerateObject()
                .Where(p => p.Name is "grade" or "previousGrade" or "reasonRuleId" or "riskTypes" or "signalCodes" or "householdCategory" or "memberLabourAbilities")
                .Select(p => $"{p.Name}={p.Value.GetRawText()}");
            var key = r.RoutingKey is null ? "" : string.Join('.', r.RoutingKey.Split('.')[..^2]);
            return $"{r.Destination} {r.EventType} {key} {string.Join(' ', fields)}";
        }).ToList();
    }

    /// <summary>The SQL statements EF sends to this class's database while <paramref name="action"/> runs.</summary>
    private async Task<int> CountStatements(Func<Task> action)
    {
        var database = new NpgsqlConnectionStringBuilder(host.Infrastructure.PostgresConnectionString).Database;
        var count = 0;
        var subscriptions = new List<IDisposable>();
        using (DiagnosticListener.AllListeners.Subscribe(new Observer<DiagnosticListener>(listener =>
        {
            if (listener.Name == DbLoggerCategory.Name)
            {
                lock (subscriptions)
                {
                    subscriptions.Add(listener.Subscribe(new Observer<KeyValuePair<string, object?>>(e =>
                    {
                        if (e.Key == RelationalEventId.CommandExecuted.Name && e.Value is CommandExecutedEventData { Command.Connection.Database: var db } && db == database)
                        {
                            Interlocked.Increment(ref count);
                        }
                    })));
                }
            }
        })))
        {
            try
            {
                await action();
            }
            finally
            {
                lock (subscriptions)
                {
                    subscriptions.ForEach(s => s.Dispose());
                }
            }
        }
        return count;
    }

    private sealed class Observer<T>(Action<T> onNext) : IObserver<T>
    {
        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }

        public void OnNext(T value) => onNext(value);
    }
}
