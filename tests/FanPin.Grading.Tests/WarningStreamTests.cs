using FanPin.Grading.Application.Warnings;
using FanPin.Grading.Domain;
using FanPin.Grading.Infrastructure.WarningLog;
using FanPin.Grading.Tests.Support;
using FanPin.Policies;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace FanPin.Grading.Tests;

/// <summary>
/// The warning log and WatchWarnings: sequences stay gap-free under concurrent writers, and a watch cut in the
/// middle of its replay and again in the middle of live following, then resumed from its last sequence + 1,
/// delivers exactly the log — no gap, no duplicate.
/// </summary>
public sealed class WarningStreamTests(GradingHost host) : IClassFixture<GradingHost>, IAsyncLifetime
{
    private const string CountyA = "620102";
    private const string CountyB = "620103";
    private WarningLogListener? _listener;

    public async Task InitializeAsync()
    {
        _listener = new WarningLogListener(host.Services.GetRequiredService<NpgsqlDataSource>(),
            host.Services.GetRequiredService<WarningLogNotifications>(), NullLogger<WarningLogListener>.Instance);
        await _listener.StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (_listener is not null)
        {
            await _listener.StopAsync(CancellationToken.None);
            _listener.Dispose();
        }
    }

    [Fact]
    public async Task Concurrent_writers_get_gap_free_sequences_per_province()
    {
        await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            for (var i = 0; i < 15; i++)
            {
                var village = (worker % 2 == 0 ? CountyA : CountyB) + "004001";
                var household = Guid.CreateVersion7();
                await host.ApplyFacts(host.Facts(household, village, new LabourProfile(0, 1, 0, 1)));
                await host.ApplySignals(host.Signals(household, village, Signal.LowIncome(5000m)));
            }
        })));
        // Another province has its own sequence.
        await host.Graded("630102001001", WarningGrade.One);

        var sequences = await host.Db(db => db.WarningLog.AsNoTracking().Where(e => e.Province == "62").OrderBy(e => e.Sequence).Select(e => e.Sequence).ToListAsync());
        Assert.True(sequences.Count >= 8 * 15 * 2);
        Assert.Equal(Enumerable.Range(1, sequences.Count).Select(i => (long)i), sequences);
        Assert.Equal(sequences.Count, await host.Scalar<long>("SELECT last_sequence FROM warning_log_counters WHERE province = '62'"));
        Assert.Equal(1L, await host.Db(db => db.WarningLog.Where(e => e.Province == "63").MinAsync(e => e.Sequence)));
    }

    [Fact]
    public async Task A_watch_cut_mid_replay_and_mid_live_resumes_without_gap_or_duplicate()
    {
        for (var i = 0; i < 30; i++)
        {
            await host.Graded((i % 2 == 0 ? CountyA : CountyB) + "001001", i % 3 == 0 ? WarningGrade.One : WarningGrade.Three);
        }
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(90)); // a hang guard, not a timing assertion
        var caller = Callers.Downstream(CountyA);
        var received = new List<WarningLogEntry>();

        // 1. Cut in the middle of the replay.
        received.AddRange(await Take(Watch(caller, 0, guard.Token), 10));

        // 2. Resume: finish the replay, then follow live while a producer writes, and cut in the middle of that.
        var inLog = await CountInLog();
        Assert.True(inLog > 10);
        var producer = Task.Run(async () =>
        {
            for (var i = 0; i < 24; i++)
            {
                var village = (i % 2 == 0 ? CountyA : CountyB) + "002001";
                var household = await host.Graded(village, WarningGrade.Three);
                await host.ApplySignals(host.Signals(household, village, Signal.LowIncome(4000m)));
            }
        });
        received.AddRange(await Take(Watch(caller, received[^1].Sequence + 1, guard.Token), inLog - received.Count + 15));
        Assert.Contains(received, e => e.EventType == WarningLogEventType.GradeChanged);

        // 3. Resume after the producer is done and read to the end of the log.
        await producer;
        var total = await CountInLog();
        received.AddRange(await Take(Watch(caller, received[^1].Sequence + 1, guard.Token), total - received.Count));

        var expected = await host.Db(db => db.WarningLog.AsNoTracking().Where(e => e.Province == "62" && e.RegionCode.StartsWith(CountyA))
            .OrderBy(e => e.Sequence).Select(e => new { e.Sequence, e.EventId }).ToListAsync());
        Assert.Equal(expected.Select(e => e.Sequence), received.Select(e => e.Sequence));
        Assert.Equal(expected.Select(e => e.EventId), received.Select(e => e.EventId));
        Assert.All(received, e => Assert.StartsWith(CountyA, e.RegionCode, StringComparison.Ordinal));
    }

    [Fact]
    public void A_watch_needs_a_region_inside_the_callers_scope()
    {
        var watch = host.Services.CreateScope().ServiceProvider.GetRequiredService<WatchWarnings>();
        Assert.Throws<AccessDeniedException>(() => watch.Handle(Callers.County(CountyB), new WatchWarningsRequest(CountyA)));
        Assert.Equal("region_prefix", Assert.Single(Assert.Throws<ValidationFailedException>(() => watch.Handle(Callers.Province(), new WatchWarningsRequest(""))).Violations).Field);
        Assert.Equal("from_sequence", Assert.Single(Assert.Throws<ValidationFailedException>(() => watch.Handle(Callers.Province(), new WatchWarningsRequest("62", -1))).Violations).Field);
    }

    private IAsyncEnumerable<WarningLogEntry> Watch(Caller caller, long from, CancellationToken ct)
    {
        var scope = host.Services.CreateScope();
        return scope.ServiceProvider.GetRequiredService<WatchWarnings>().Handle(caller, new WatchWarningsRequest(CountyA, from), ct).Entries;
    }

    private Task<int> CountInLog() => host.Db(db => db.WarningLog.CountAsync(e => e.Province == "62" && e.RegionCode.StartsWith(CountyA)));

    private static async Task<List<WarningLogEntry>> Take(IAsyncEnumerable<WarningLogEntry> stream, int count)
    {
        var taken = new List<WarningLogEntry>();
        if (count <= 0)
        {
            return taken;
        }
        await foreach (var entry in stream)
        {
            taken.Add(entry);
            if (taken.Count == count)
            {
                break; // disposing the enumerator is the client hanging up
            }
        }
        return taken;
    }
}
