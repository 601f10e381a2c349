using System.Data.Common;
using FanPin.IntegrationEvents;
using FanPin.Messaging;
using FanPin.Messaging.Hosting;
using FanPin.Registry.Application.Identification;
using FanPin.Registry.Application.Signals;
using FanPin.Registry.Domain;
using FanPin.Registry.Infrastructure;
using FanPin.Registry.Messaging;
using FanPin.Testing;
using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace FanPin.Registry.Tests;

/// <summary>
/// Monitoring's RiskSignalsDetected consumed in batches: the real consumer on MassTransit's in-memory bus (with the
/// services' retry policy) on the fixture's database, and the batch use case itself — the outcomes of one by one,
/// set-based, one commit per batch, and safe against a case opened meanwhile.
/// </summary>
public class SignalBatchTests(RegistryFixture fx) : IClassFixture<RegistryFixture>
{
    private const string Medical = "MedicalCostAboveWarningLine";

    private static RiskSignalsDetected Signal(Guid household, params string[] codes) => new()
    {
        RegionCode = RegistryFixture.Village,
        HouseholdId = household,
        PolicyVersion = "62 v1",
        Signals = [.. codes.Select(c => new RiskSignal { Code = c, Inputs = new Dictionary<string, decimal>(), Thresholds = new Dictionary<string, decimal>() })],
    };

    private static RiskSignalsDetectedMessage Message(Guid household, params string[] codes) =>
        new(Guid.NewGuid(), household, DateTimeOffset.UtcNow, codes, null);

    private async Task<List<Guid>> NewHouseholdsAsync(int count)
    {
        fx.Clock.SetToday(new DateOnly(2025, 3, 3));
        var households = new List<Guid>();
        for (var i = 0; i < count; i++)
        {
            households.Add(await Procedures.NewHouseholdAsync(fx));
        }
        return households;
    }

    /// <summary>The batch use case in one transaction, saved once — what the consumer's base class does around it (minus the inbox).</summary>
    private async Task<IReadOnlyList<SignalResult>> HandleBatch(params RiskSignalsDetectedMessage[] messages)
    {
        await using var scope = fx.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RegistryDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var results = await scope.ServiceProvider.GetRequiredService<HandleRiskSignalsDetected>().HandleBatchAsync(messages);
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        return results;
    }

    private Task<long> CasesOf(Guid household) => fx.CountAsync("SELECT count(*) FROM identification_cases WHERE household_id = @h", ("h", household));

    private Task<long> OpenCasesOf(Guid household) =>
        fx.CountAsync("SELECT count(*) FROM identification_cases WHERE household_id = @h AND state NOT IN ('Entered', 'Rejected')", ("h", household));

    private Task<long> SignalCasesOf(Guid household, Guid eventId) => fx.CountAsync(
        "SELECT count(*) FROM identification_cases WHERE household_id = @h AND source = 'SystemSignal' AND source_reference = @r",
        ("h", household), ("r", eventId.ToString("D")));

    private Task<long> CandidateCount(IEnumerable<Guid> households) =>
        fx.CountAsync("SELECT count(*) FROM households WHERE id = ANY(@ids) AND status = 'Candidate'", ("ids", households.ToArray()));

    [Fact]
    public async Task A_batch_of_signals_opens_every_case_in_one_commit()
    {
        var households = await NewHouseholdsAsync(6);
        var signals = households.Select(h => Signal(h, Medical, "IncomeBelowLine")).ToList();
        var saves = new SaveCounter();
        await using var consumer = await ConsumerHost.StartAsync(fx, batchSize: signals.Count, saves);

        await consumer.PublishAsync(signals);
        await consumer.WaitForDeliveriesAsync(signals.Count);

        Assert.Equal((long)signals.Count, consumer.Processed);
        foreach (var signal in signals)
        {
            Assert.Equal(1, await SignalCasesOf(signal.HouseholdId!.Value, signal.EventId));
            Assert.Equal(1, await fx.CountAsync(TestDatabase.EventCount("IdentificationCaseOpened", "p->>'source' = 'SystemSignal'"), ("h", signal.HouseholdId!.Value)));
            Assert.Equal(1, await fx.CountAsync(TestDatabase.EventCount("HouseholdChanged", "p->'household'->>'status' = 'Candidate' AND jsonb_array_length(p->'household'->'members') = 2"), ("h", signal.HouseholdId!.Value)));
        }
        Assert.Equal(signals.Count, await CandidateCount(households));
        Assert.Equal(1, await fx.CountAsync(
            "SELECT count(*) FROM identification_cases WHERE household_id = @h AND summary = 'signals: MedicalCostAboveWarningLine, IncomeBelowLine'", ("h", households[0])));
        // One transaction: the inbox rows share its now(), and the consumer saved once.
        var ids = signals.Select(s => s.EventId).ToArray();
        Assert.Equal(signals.Count, await fx.CountAsync("SELECT count(*) FROM inbox_message WHERE consumer = 'registry.RiskSignalsDetected' AND event_id = ANY(@ids)", ("ids", ids)));
        Assert.Equal(1, await fx.CountAsync("SELECT count(DISTINCT processed_at) FROM inbox_message WHERE event_id = ANY(@ids)", ("ids", ids)));
        Assert.Equal(1, saves.Count);
    }

    [Fact]
    public async Task Duplicate_event_ids_and_a_redelivered_batch_open_nothing_new()
    {
        var households = await NewHouseholdsAsync(2);
        var first = Signal(households[0], Medical);
        var second = Signal(households[1], Medical);
        await using var consumer = await ConsumerHost.StartAsync(fx, batchSize: 3);

        await consumer.PublishAsync([first, second, first]);
        await consumer.WaitForDeliveriesAsync(3);
        Assert.Equal((2L, 1L), (consumer.Processed, consumer.Duplicates));

        await consumer.PublishAsync([second, first, second]);
        await consumer.WaitForDeliveriesAsync(6);
        Assert.Equal((2L, 4L), (consumer.Processed, consumer.Duplicates));

        Assert.Equal(1, await CasesOf(households[0]));
        Assert.Equal(1, await CasesOf(households[1]));
        Assert.Equal(1, await SignalCasesOf(households[0], first.EventId));
        Assert.Equal(1, await SignalCasesOf(households[1], second.EventId));
        Assert.Equal(1, await fx.CountAsync(TestDatabase.EventCount("IdentificationCaseOpened"), ("h", households[0])));
        Assert.Equal(2, await fx.CountAsync("SELECT count(*) FROM inbox_message WHERE event_id = ANY(@ids)", ("ids", new[] { first.EventId, second.EventId })));
    }

    [Fact]
    public async Task A_signal_whose_case_exists_is_already_handled_and_the_same_event_twice_in_a_batch_opens_one_case()
    {
        var households = await NewHouseholdsAsync(2);
        var handledBefore = Message(households[0], Medical);
        var single = await fx.Run<HandleRiskSignalsDetected, SignalResult>(u => u.HandleAsync(handledBefore));
        Assert.Equal(SignalOutcome.Opened, single.Outcome);
        var twice = Message(households[1], Medical);

        // Without the inbox in front (the use case alone), as after an inbox row was lost.
        var results = await HandleBatch(handledBefore, twice, twice);

        Assert.Equal((SignalOutcome.AlreadyHandled, single.CaseId), (results[0].Outcome, results[0].CaseId));
        Assert.Equal(SignalOutcome.Opened, results[1].Outcome);
        Assert.Equal((SignalOutcome.AlreadyHandled, results[1].CaseId), (results[2].Outcome, results[2].CaseId));
        Assert.Equal(1, await CasesOf(households[0]));
        Assert.Equal(1, await CasesOf(households[1]));
    }

    [Fact]
    public async Task Two_signals_for_one_household_in_a_batch_open_one_case_the_first_ones()
    {
        var households = await NewHouseholdsAsync(2);
        var earlier = Message(households[0], Medical);
        var later = Message(households[0], "IncomeBelowLine");
        var other = Message(households[1], Medical);

        var results = await HandleBatch(earlier, other, later);

        Assert.Equal(SignalOutcome.Opened, results[0].Outcome);
        Assert.Equal(SignalOutcome.Opened, results[1].Outcome);
        Assert.Equal((SignalOutcome.NotApplicable, results[0].CaseId, "the household is Candidate"), (results[2].Outcome, results[2].CaseId, results[2].Reason));
        Assert.Equal(1, await CasesOf(households[0]));
        Assert.Equal(1, await SignalCasesOf(households[0], earlier.EventId));
        Assert.Equal(1, await CasesOf(households[1]));
        Assert.Equal(1, await fx.CountAsync(TestDatabase.EventCount("IdentificationCaseOpened"), ("h", households[0])));
    }

    [Fact]
    public async Task Monitored_candidate_and_unknown_households_are_not_applicable_while_the_others_open()
    {
        var households = await NewHouseholdsAsync(3);
        var monitored = await Procedures.NewHouseholdAsync(fx);
        await Procedures.IdentifyAsync(fx, monitored, new DateOnly(2025, 3, 3));
        var candidate = await Procedures.NewHouseholdAsync(fx);
        var cadreCase = (await Procedures.OpenAsync(fx, candidate, CaseSource.CadreScreening)).Case.Id;
        var unknown = Guid.NewGuid();

        var results = await HandleBatch(
            Message(households[0], Medical), Message(monitored, Medical), Message(households[1], Medical), Message(unknown, Medical),
            Message(candidate, Medical), Message(households[2], Medical));

        Assert.Equal(
            [SignalOutcome.Opened, SignalOutcome.NotApplicable, SignalOutcome.Opened, SignalOutcome.NotApplicable, SignalOutcome.NotApplicable, SignalOutcome.Opened],
            results.Select(r => r.Outcome));
        Assert.Equal(((Guid?)null, "the household is Monitored"), (results[1].CaseId, results[1].Reason));
        Assert.Equal(((Guid?)null, "unknown household"), (results[3].CaseId, results[3].Reason));
        Assert.Equal(((Guid?)cadreCase, "the household is Candidate"), (results[4].CaseId, results[4].Reason));
        Assert.Equal(1, await CasesOf(monitored));
        Assert.Equal(MonitoringStatus.Monitored.ToString(), await StatusOf(monitored));
        Assert.Equal(1, await CasesOf(candidate));
        Assert.Equal(3, await CandidateCount(households));
    }

    [Fact]
    public async Task Empty_signal_lists_and_events_without_a_household_open_nothing()
    {
        var households = await NewHouseholdsAsync(2);
        var results = await HandleBatch(Message(households[0]), Message(households[1], Medical));
        Assert.Equal((SignalOutcome.NotApplicable, (Guid?)null, "no signal fires (the earlier ones cleared)"), (results[0].Outcome, results[0].CaseId, results[0].Reason));
        Assert.Equal(SignalOutcome.Opened, results[1].Outcome);
        Assert.Equal(0, await CasesOf(households[0]));

        // Through the consumer: acknowledged (in the inbox), nothing opened.
        var cleared = await Procedures.NewHouseholdAsync(fx);
        var none = Signal(cleared);
        var nameless = Signal(cleared, Medical) with { HouseholdId = null };
        await using var consumer = await ConsumerHost.StartAsync(fx, batchSize: 2);
        await consumer.PublishAsync([none, nameless]);
        await consumer.WaitForDeliveriesAsync(2);
        Assert.Equal(2L, consumer.Processed);
        Assert.Equal(0, await CasesOf(cleared));
        Assert.Equal(MonitoringStatus.NotMonitored.ToString(), await StatusOf(cleared));
        Assert.Equal(2, await fx.CountAsync("SELECT count(*) FROM inbox_message WHERE event_id = ANY(@ids)", ("ids", new[] { none.EventId, nameless.EventId })));
    }

    [Fact]
    public async Task A_case_a_cadre_is_opening_meanwhile_makes_the_batch_wait_not_fail_and_opens_no_second_case()
    {
        var households = await NewHouseholdsAsync(3);
        var contested = households[1];
        var saves = new SaveCounter();
        await using var consumer = await ConsumerHost.StartAsync(fx, batchSize: 3, saves);

        // The cadre's case is written but not committed: its transaction holds the household's row.
        await using var cadreScope = fx.Services.CreateAsyncScope();
        var cadreDb = cadreScope.ServiceProvider.GetRequiredService<RegistryDbContext>();
        await using var cadre = await cadreDb.Database.BeginTransactionAsync();
        var cadreCase = (await cadreScope.ServiceProvider.GetRequiredService<OpenIdentificationCase>().HandleAsync(Callers.Village(),
            new OpenIdentificationCaseRequest(contested, CaseSource.CadreScreening, "排查发现"))).Case.Id;

        var signals = households.Select(h => Signal(h, Medical)).ToList();
        await consumer.PublishAsync(signals);
        await Eventually.WaitAsync(async () => await fx.CountAsync(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'") > 0, "the batch to wait for the household's row");
        await cadre.CommitAsync();
        await consumer.WaitForDeliveriesAsync(3);

        Assert.Equal(1, await CasesOf(contested));
        Assert.Equal(1, await fx.CountAsync("SELECT count(*) FROM identification_cases WHERE id = @c AND source = 'CadreScreening'", ("c", cadreCase)));
        Assert.Equal(1, await SignalCasesOf(households[0], signals[0].EventId));
        Assert.Equal(1, await SignalCasesOf(households[2], signals[2].EventId));
        Assert.Equal(3, await CandidateCount(households));
        // The batch read the household after the cadre's commit (it waited on the lock) and saved once: no failed attempt.
        Assert.Equal(1, saves.Count);
    }

    [Fact]
    public async Task A_batch_whose_save_failed_is_retried_whole_and_the_retry_finds_the_household_a_cadre_took_meanwhile()
    {
        var households = await NewHouseholdsAsync(3);
        var contested = households[1];
        Guid? cadreCase = null;
        // First attempt: the save fails as a lost race does (a concurrency conflict: transient, so MassTransit retries the batch).
        var saves = new SaveCounter(failFirst: true);
        // Between the attempts, a cadre opens a case for one of the households (before the retry reads them).
        var cadre = new BeforeHouseholdsRead(async () =>
        {
            if (saves.Count == 1 && cadreCase is null)
            {
                cadreCase = (await Procedures.OpenAsync(fx, contested, CaseSource.CadreScreening)).Case.Id;
            }
        });
        await using var consumer = await ConsumerHost.StartAsync(fx, batchSize: 3, saves, cadre);

        var signals = households.Select(h => Signal(h, Medical)).ToList();
        await consumer.PublishAsync(signals);
        await consumer.WaitForDeliveriesAsync(3);

        Assert.Equal(2, saves.Count);
        Assert.NotNull(cadreCase);
        Assert.Equal(3L, consumer.Processed);
        Assert.Equal(1, await CasesOf(contested));
        Assert.Equal(1, await OpenCasesOf(contested));
        Assert.Equal(0, await SignalCasesOf(contested, signals[1].EventId));
        Assert.Equal(1, await SignalCasesOf(households[0], signals[0].EventId));
        Assert.Equal(1, await SignalCasesOf(households[2], signals[2].EventId));
        Assert.Equal(3, await CandidateCount(households));
        Assert.Equal(1, await fx.CountAsync(TestDatabase.EventCount("IdentificationCaseOpened"), ("h", contested)));
        Assert.Equal(3, await fx.CountAsync("SELECT count(*) FROM inbox_message WHERE event_id = ANY(@ids)", ("ids", signals.Select(s => s.EventId).ToArray())));
    }

    private async Task<string> StatusOf(Guid household)
    {
        await using var connection = new NpgsqlConnection(fx.PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT status FROM households WHERE id = @h", connection);
        command.Parameters.AddWithValue("h", household);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// The registry's <see cref="RiskSignalsDetectedConsumer"/> registered as the registry does
    /// (<see cref="FanPinMessagingBuilder.AddBatchConsumer{TConsumer}"/>) on MassTransit's in-memory bus with the
    /// services' retry policy, on the fixture's database. Batches are cut at <c>batchSize</c> (or after 5 s), one at a
    /// time, so a test's messages form one batch.
    /// </summary>
    private sealed class ConsumerHost : IAsyncDisposable
    {
        private readonly ServiceProvider _services;
        private readonly ITestHarness _harness;
        private readonly InboxCounter _deliveries;

        private ConsumerHost(ServiceProvider services, ITestHarness harness, InboxCounter deliveries) =>
            (_services, _harness, _deliveries) = (services, harness, deliveries);

        public long Processed => _deliveries.Processed;

        public long Duplicates => _deliveries.Duplicates;

        public static async Task<ConsumerHost> StartAsync(RegistryFixture fx, int batchSize, params IInterceptor[] interceptors)
        {
            var prefix = "t" + Guid.NewGuid().ToString("N")[..12] + "-";
            var options = new MessagingOptions { ServiceName = RegistryServices.ServiceName, BrokerUri = new Uri("amqp://unused") };
            var services = new ServiceCollection();
            services.AddSingleton<TimeProvider>(fx.Clock);
            services.AddLogging();
            services.AddRegistry(fx.Configuration, isDevelopment: false);
            services.ConfigureDbContext<RegistryDbContext>(o => o.AddInterceptors(interceptors));
            services.AddMassTransitTestHarness(bus =>
            {
                bus.SetEndpointNameFormatter(new KebabCaseEndpointNameFormatter(prefix, includeNamespace: false));
                new FanPinMessagingBuilder(bus, options).AddBatchConsumer<RiskSignalsDetectedConsumer>(messageLimit: batchSize, timeLimitMs: 5000, concurrency: 1);
                bus.UsingInMemory((context, cfg) =>
                {
                    cfg.UseFanPinRetry(options);
                    cfg.ConfigureEndpoints(context);
                });
            });
            var provider = services.BuildServiceProvider(validateScopes: true);
            var deliveries = InboxCounter.ForEndpoint(prefix + "risk-signals-detected");
            var harness = provider.GetRequiredService<ITestHarness>();
            await harness.Start();
            return new ConsumerHost(provider, harness, deliveries);
        }

        /// <summary>
        /// Publishes each signal as a delivery of its own: a transport message id of its own, because MassTransit merges
        /// deliveries with equal message ids within one batch and a test of the inbox needs the duplicates to reach it.
        /// </summary>
        public async Task PublishAsync(IReadOnlyList<RiskSignalsDetected> signals)
        {
            foreach (var signal in signals)
            {
                await _harness.Bus.Publish(signal, context => context.MessageId = NewId.NextGuid());
            }
        }

        /// <summary>Waits until the consumer has acknowledged <paramref name="total"/> deliveries since it started (processed or duplicates).</summary>
        public Task WaitForDeliveriesAsync(long total) =>
            Eventually.WaitAsync(() => Task.FromResult(_deliveries.Processed + _deliveries.Duplicates >= total), $"{total} deliveries acknowledged");

        public async ValueTask DisposeAsync()
        {
            _deliveries.Dispose();
            await _harness.Stop();
            await _services.DisposeAsync();
        }
    }

    /// <summary>Counts the consumer's saves; optionally fails the first as a lost race does (a concurrency conflict).</summary>
    private sealed class SaveCounter(bool failFirst = false) : SaveChangesInterceptor
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Increment(ref _count) == 1 && failFirst)
            {
                throw new DbUpdateConcurrencyException("simulated: the household was changed meanwhile");
            }
            return base.SavingChangesAsync(eventData, result, cancellationToken);
        }
    }

    /// <summary>Runs an action (on a connection of its own) before each statement of the consumer that reads households.</summary>
    private sealed class BeforeHouseholdsRead(Func<Task> action) : DbCommandInterceptor
    {
        public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            if (command.CommandText.Contains("FROM households", StringComparison.Ordinal))
            {
                await action();
            }
            return await base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
        }
    }
}
