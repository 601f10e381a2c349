using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using FanPin.Grading.Application.Common;
using FanPin.Grading.Application.Grading;
using FanPin.Grading.Application.Policies;
using FanPin.Grading.Domain;
using FanPin.Grading.Infrastructure.Redis;
using FanPin.Grading.Tests.Support;
using FanPin.IntegrationEvents;
using FanPin.Messaging.Serialization;
using FanPin.Policies;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using RabbitMQ.Client;
using DomainGrade = FanPin.Grading.Domain.WarningGrade;
using DomainRiskType = FanPin.Grading.Domain.RiskType;
using MonitoringStatus = FanPin.Grading.Domain.MonitoringStatus;
using MonitoringType = FanPin.Grading.Domain.MonitoringType;
using WarningGrade = FanPin.IntegrationEvents.WarningGrade;

namespace FanPin.Grading.Tests.Grpc;

/// <summary>
/// Grading on real RabbitMQ (its own server, vhost and database): the registry's and monitoring's events come in
/// through the consumers, once however often they are delivered; the warning events leave through the outbox to
/// the bus (read here from MassTransit's exchanges) and to <c>fanpin.events</c> as CloudEvents (read by a plain
/// AMQP queue bound to one county), in the order and with the sequences of the warning log.
/// </summary>
public sealed class MessagingTests(GradingServer server) : IClassFixture<GradingServer>
{
    private const string County = "620102";
    private const string Village = "620102001001";

    [Fact]
    public async Task Registry_facts_and_signals_from_the_bus_raise_a_warning_once_and_an_empty_signal_list_clears_it()
    {
        await using var tap = await EventTap.OpenAsync(server.RabbitMqConnectionString, "warning.*.62.01.02.#");
        var household = Guid.CreateVersion7();
        var registered = new HouseholdRegistered
        {
            RegionCode = Village, HouseholdId = household, Category = "Ordinary", MemberCount = 2, Origin = "create",
            Household = Snapshot(1, "NotMonitored", null, [], "Partial", "None"),
        };
        await PublishAsync(registered);
        // Facts first, so the raise below is decided on them (the two consumers run independently).
        await Eventually(async () => await CountAsync("SELECT count(*) FROM household_facts WHERE household_id = @h AND registry_version = 1", household) == 1, "registry facts applied");
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM warnings WHERE household_id = @h", household));

        var signals = Signals(household, new RiskSignal { Code = "UnstableIncome", Inputs = new Dictionary<string, decimal>(), Thresholds = new Dictionary<string, decimal>() });
        await PublishAsync(signals);
        await PublishAsync(signals); // redelivered: the inbox applies it once
        await Eventually(async () => await CountAsync("SELECT count(*) FROM inbox_message WHERE consumer = 'grading.RiskSignalsDetected' AND event_id = @h", signals.EventId) == 1
            && await PublishedAsync(household) == 2, "signals applied and WarningRaised published to both destinations");

        var raised = Assert.Single(await tap.BusAsync<WarningRaised>(household, expected: 1));
        Assert.Equal((WarningGrade.III, RuleIds.GradeThreePartialLabour, Village), (raised.Grade, raised.ReasonRuleId, raised.RegionCode));
        Assert.Equal("Ordinary", raised.HouseholdCategory);
        Assert.Equal(["UnstableIncome"], raised.SignalCodes);
        Assert.Empty(raised.RiskTypes);
        Assert.Equal(["Partial", "None"], raised.MemberLabourAbilities);
        var warning = await server.Db(db => db.Warnings.AsNoTracking().SingleAsync(w => w.HouseholdId == household));
        Assert.Equal(warning.Id, raised.WarningId);
        Assert.Equal(await LoggedSequenceAsync(raised.EventId), raised.Sequence);

        var cloudEvent = Assert.Single(await tap.PublicAsync(household, expected: 1));
        Assert.Equal("warning.raised.62.01.02.001.001", cloudEvent.RoutingKey);
        Assert.Equal(("cn.fanpin.warning.raised.v1", raised.EventId.ToString()), (cloudEvent.Type, cloudEvent.Id));
        Assert.Equal(raised.Sequence, cloudEvent.Data.GetProperty("sequence").GetInt64());
        Assert.Equal("III", cloudEvent.Data.GetProperty("grade").GetString());
        await AssertProjectedAsync(household, DomainGrade.Three);

        // Monitoring's next evaluation finds nothing: no risk factor is left, so the warning is cleared.
        await PublishAsync(Signals(household));
        var cleared = Assert.Single(await tap.BusAsync<WarningCleared>(household, expected: 1));
        Assert.Equal((warning.Id, WarningGrade.III, RuleIds.NoneNoRiskFactor), (cleared.WarningId, cleared.PreviousGrade, cleared.ReasonRuleId));
        Assert.Equal(await LoggedSequenceAsync(cleared.EventId), cleared.Sequence);
        Assert.True(cleared.Sequence > raised.Sequence);
        Assert.Equal(["warning.cleared.62.01.02.001.001"], (await tap.PublicAsync(household, expected: 1)).Select(e => e.RoutingKey));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM warnings WHERE household_id = @h", household));
        await AssertProjectedAsync(household, null);
        Assert.Empty(await tap.BusAsync<WarningRaised>(household, expected: 0));
    }

    [Fact]
    public async Task Older_registry_facts_never_overwrite_newer_and_risk_elimination_clears_the_warning()
    {
        await using var tap = await EventTap.OpenAsync(server.RabbitMqConnectionString, "warning.*.62.01.02.#");
        var household = Guid.CreateVersion7();
        var now = DateTimeOffset.UtcNow;
        // Version 3 (lost labour: grade I) arrives before version 2 (partial labour), which is then ignored.
        await PublishAsync(new HouseholdChanged
        {
            OccurredAt = now, RegionCode = Village, HouseholdId = household, ChangedFields = ["members"], Version = 3,
            Household = Snapshot(3, "Monitored", "UnstablePostPoverty", ["Illness"], "Lost", "None"),
        });
        var raised = Assert.Single(await tap.BusAsync<WarningRaised>(household, expected: 1));
        Assert.Equal((WarningGrade.I, "PovertyAlleviated"), (raised.Grade, raised.HouseholdCategory));
        Assert.Equal(["Illness"], raised.RiskTypes);
        await PublishAsync(new MemberChanged
        {
            OccurredAt = now.AddSeconds(-1), RegionCode = Village, HouseholdId = household, MemberId = Guid.NewGuid(), ChangeKind = "Changed", ChangedFields = ["LabourAbility"],
            Household = Snapshot(2, "Monitored", "UnstablePostPoverty", ["Illness"], "Partial", "None"),
        });
        await Eventually(async () => await CountAsync("SELECT count(*) FROM inbox_message WHERE consumer = 'grading.MemberChanged'", Guid.Empty) == 1, "MemberChanged consumed");
        Assert.Equal(3, await CountAsync("SELECT registry_version FROM household_facts WHERE household_id = @h", household));
        await AssertProjectedAsync(household, DomainGrade.One);

        await PublishAsync(new RiskEliminated { OccurredAt = now.AddSeconds(1), RegionCode = Village, HouseholdId = household, CaseId = Guid.NewGuid() });
        var cleared = Assert.Single(await tap.BusAsync<WarningCleared>(household, expected: 1));
        Assert.Equal((raised.WarningId, RuleIds.NoneRiskEliminated), (cleared.WarningId, cleared.ReasonRuleId));
        await AssertProjectedAsync(household, null);
        Assert.Empty(await tap.BusAsync<WarningGradeChanged>(household, expected: 0));
    }

    [Fact]
    public async Task An_import_burst_of_HouseholdRegistered_is_applied_in_batches_once_per_household()
    {
        const string village = "620103001001";
        await using var tap = await EventTap.OpenAsync(server.RabbitMqConnectionString, "warning.*.62.01.03.#");
        var households = Enumerable.Range(0, 200).Select(_ => Guid.CreateVersion7()).ToList();
        var events = households.Select((h, i) => new HouseholdRegistered
        {
            RegionCode = village, HouseholdId = h, Category = "PovertyAlleviated", MemberCount = 2, Origin = "import:test",
            Household = Snapshot(1, "Monitored", "UnstablePostPoverty", ["Illness"], i % 2 == 0 ? "Lost" : "Full", "None"),
        }).ToList();
        foreach (var e in events.Concat(events.Take(20))) // the first 20 delivered twice
        {
            await PublishAsync(e);
        }
        await Eventually(async () => await CountAsync("SELECT count(*) FROM household_facts WHERE region_code = '620103001001' AND registry_version = 1", Guid.Empty) == 200, "200 households applied");

        var raised = await tap.BusAsync<WarningRaised>(null, expected: 100);
        Assert.Equal(households.Where((_, i) => i % 2 == 0).Order(), raised.Select(e => e.HouseholdId!.Value).Order());
        Assert.All(raised, e => Assert.Equal((WarningGrade.I, RuleIds.GradeOneLabourLost), (e.Grade, e.ReasonRuleId)));
        Assert.Equal(100, await CountAsync("SELECT count(*) FROM warnings WHERE region_code = '620103001001'", Guid.Empty));
        Assert.Empty(await tap.BusAsync<WarningRaised>(null, expected: 0));
        var ids = events.Select(e => e.EventId).ToArray();
        await using var connection = new NpgsqlConnection(server.PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM inbox_message WHERE consumer = 'grading.HouseholdRegistered' AND event_id = ANY(@ids)", connection);
        command.Parameters.AddWithValue("ids", ids);
        Assert.Equal(200L, (long)(await command.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task A_burst_of_RiskSignalsDetected_with_redeliveries_is_applied_once_per_event_and_an_older_evaluation_changes_nothing()
    {
        const string village = "620104001001";
        await using var tap = await EventTap.OpenAsync(server.RabbitMqConnectionString, "warning.*.62.01.04.#");
        var households = Enumerable.Range(0, 150).Select(_ => Guid.CreateVersion7()).ToList();
        foreach (var h in households)
        {
            await PublishAsync(new HouseholdRegistered
            {
                RegionCode = village, HouseholdId = h, Category = "Ordinary", MemberCount = 2, Origin = "import:test",
                Household = Snapshot(1, "NotMonitored", null, [], "Partial", "None"),
            });
        }
        await Eventually(async () => await CountAsync("SELECT count(*) FROM household_facts WHERE region_code = '620104001001' AND registry_version = 1", Guid.Empty) == 150, "150 households' facts applied");

        // Each household: an evaluation with a signal; the first 20 delivered twice; the last 10 also get an OLDER
        // evaluation with no signal, delivered after the newer one (out of order): it must not clear their warning.
        var now = DateTimeOffset.UtcNow;
        RiskSignalsDetected Detected(Guid h, DateTimeOffset at, params RiskSignal[] signals) => new()
        {
            RegionCode = village, HouseholdId = h, PolicyVersion = "00 v1", Signals = signals, OccurredAt = at,
        };
        var unstable = new RiskSignal { Code = "UnstableIncome", Inputs = new Dictionary<string, decimal>(), Thresholds = new Dictionary<string, decimal>() };
        var events = households.Select(h => Detected(h, now, unstable)).ToList();
        var older = households.TakeLast(10).Select(h => Detected(h, now.AddMinutes(-5))).ToList();
        foreach (var e in events.Concat(events.Take(20)).Concat(older))
        {
            await PublishAsync(e);
        }
        var ids = events.Concat(older).Select(e => e.EventId).ToArray();
        async Task<long> ConsumedAsync()
        {
            await using var connection = new NpgsqlConnection(server.PostgresConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT count(*) FROM inbox_message WHERE consumer = 'grading.RiskSignalsDetected' AND event_id = ANY(@ids)", connection);
            command.Parameters.AddWithValue("ids", ids);
            return (long)(await command.ExecuteScalarAsync())!;
        }
        await Eventually(async () => await ConsumedAsync() == 160, "every evaluation consumed once");

        var raised = await tap.BusAsync<WarningRaised>(null, expected: 150);
        Assert.Equal(households.Order(), raised.Select(e => e.HouseholdId!.Value).Order());
        Assert.All(raised, e => Assert.Equal((WarningGrade.III, RuleIds.GradeThreePartialLabour), (e.Grade, e.ReasonRuleId)));
        Assert.Empty(await tap.BusAsync<WarningCleared>(null, expected: 0));
        Assert.Empty(await tap.BusAsync<WarningRaised>(null, expected: 0));
        Assert.Equal(160L, await ConsumedAsync());
        Assert.Equal(150, await CountAsync("SELECT count(*) FROM warnings WHERE region_code = '620104001001' AND status <> 5", Guid.Empty));
    }

    [Fact]
    public async Task A_policy_regrade_publishes_exactly_the_changed_households_events_with_the_log_sequences()
    {
        const string province = "65";
        await using var tap = await EventTap.OpenAsync(server.RabbitMqConnectionString, "warning.*.65.#");
        var unstableOnly = new List<Guid>();
        var partialLabour = new List<Guid>();
        {
            for (var i = 0; i < 300; i++)
            {
                var id = Guid.CreateVersion7();
                var village = $"6501{i % 3 + 1:D2}001001";
                var partial = i % 2 == 0;
                (partial ? partialLabour : unstableOnly).Add(id);
                await using var inner = server.Services.CreateAsyncScope();
                await inner.ServiceProvider.GetRequiredService<ApplyHouseholdFacts>().HandleAsync(new HouseholdFactsChanged(
                    Guid.CreateVersion7(), DateTimeOffset.UtcNow, id, village, HouseholdCategory.PovertyAlleviated, MonitoringStatus.Monitored,
                    MonitoringType.MarginalAtRisk, [DomainRiskType.Illness], partial ? [LabourAbility.Partial, LabourAbility.None] : [LabourAbility.Full, LabourAbility.None]));
                await inner.ServiceProvider.GetRequiredService<ApplyRiskSignals>().HandleAsync(new RiskSignalsReceived(
                    Guid.CreateVersion7(), DateTimeOffset.UtcNow, id, village, "00/1", [Signal.Unstable]));
            }
        }
        // Every raise is out before the re-grade, so what the tap sees next is the re-grade's alone.
        Assert.Equal(300, (await tap.BusAsync<WarningRaised>(null, expected: 300)).Count);
        Assert.Equal(300, (await tap.PublicAsync(null, expected: 300)).Count);

        var today = GradingClock.DateInChina(DateTimeOffset.UtcNow).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        await using (var scope = server.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<PublishPolicy>().HandleAsync(Callers.Province(province), new PublishPolicyRequest($$"""
                base: default
                province: "{{province}}"
                version: 1
                effective_from: {{today}}
                grading: { grade_three: { unstable_income_suffices: false } }
                """));
            var regrades = await scope.ServiceProvider.GetRequiredService<RunDueRegrades>().HandleAsync(new RunDueRegradesRequest());
            Assert.Equal(150, regrades.Regrades.Single(r => r.Province == province).Changed);
        }

        var cleared = await tap.BusAsync<WarningCleared>(null, expected: 150);
        Assert.Equal(unstableOnly.Order(), cleared.Select(e => e.HouseholdId!.Value).Order());
        foreach (var e in cleared)
        {
            Assert.Equal(await LoggedSequenceAsync(e.EventId), e.Sequence);
        }
        var logged = await server.Db(db => db.WarningLog.Where(l => l.Province == province).OrderBy(l => l.Sequence).Select(l => l.Sequence).ToListAsync());
        Assert.Equal(Enumerable.Range(1, 450).Select(n => (long)n), logged); // gap-free: 300 raised + 150 cleared
        var publicEvents = await tap.PublicAsync(null, expected: 150);
        Assert.All(publicEvents, e => Assert.StartsWith("warning.cleared.65.01.0", e.RoutingKey, StringComparison.Ordinal));
        Assert.Equal(cleared.Select(e => e.EventId.ToString()).Order(), publicEvents.Select(e => e.Id).Order());
        Assert.Empty(await tap.BusAsync<WarningGradeChanged>(null, expected: 0));
        Assert.Empty(await tap.BusAsync<WarningRaised>(null, expected: 0));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM outbox_message WHERE published_at IS NULL", Guid.Empty));
    }

    private static HouseholdSnapshot Snapshot(long version, string status, string? monitoringType, IReadOnlyList<string> riskTypes, params string[] labour) => new()
    {
        Version = version, Category = status == "NotMonitored" ? "Ordinary" : "PovertyAlleviated", MinimumLivingGuarantee = false, ExtremePovertySupport = false,
        Status = status, MonitoringType = monitoringType, RiskTypes = riskTypes, MemberCount = labour.Length, Dissolved = false,
        Members = labour.Select((ability, i) => new RegistryMember
        {
            MemberId = Guid.NewGuid(), IdNumberHash = new string('a', 64), Relation = i == 0 ? "Head" : "Child", LabourAbility = ability, Health = "Healthy",
            Schooling = "NotInSchool", BirthDate = new DateOnly(1980 + i * 30, 1, 1), MedicalInsured = true, PensionInsured = true,
        }).ToList(),
    };

    private static RiskSignalsDetected Signals(Guid household, params RiskSignal[] signals) => new()
    {
        RegionCode = Village, HouseholdId = household, PolicyVersion = "00 v1", Signals = signals,
    };

    private async Task PublishAsync<T>(T message) where T : IntegrationEvent
    {
        var bus = server.Services.GetRequiredService<IBusControl>();
        // The consumers' queues and bindings exist once the bus is up (the host does not wait for it at start).
        Assert.Equal(BusHealthStatus.Healthy, await bus.WaitForHealthStatus(BusHealthStatus.Healthy, TimeSpan.FromSeconds(60)));
        await bus.Publish(message, context => context.MessageId = message.EventId);
    }

    private async Task AssertProjectedAsync(Guid household, DomainGrade? grade)
    {
        var inPostgres = await server.Db(db => db.HouseholdFacts.AsNoTracking().SingleAsync(f => f.HouseholdId == household));
        Assert.Equal(grade, inPostgres.Grade);
        var store = server.Services.GetRequiredService<IGradeProjectionStore>();
        // The projection is written right after the consumer's commit.
        await Eventually(async () => await store.GetGradeAsync(inPostgres.RegionCode, household, CancellationToken.None) is { } p
            && p.Grade == grade && p.Version == inPostgres.GradeVersion, $"Redis shows grade {grade?.ToString() ?? "none"}, version {inPostgres.GradeVersion}");
    }

    private Task<long> PublishedAsync(Guid household) =>
        CountAsync("SELECT count(*) FROM outbox_message WHERE partition_key = replace(@h::text, '-', '') AND published_at IS NOT NULL", household);

    private Task<long> LoggedSequenceAsync(Guid eventId) => CountAsync("SELECT sequence FROM warning_log WHERE event_id = @h", eventId);

    private async Task<long> CountAsync(string sql, Guid h)
    {
        await using var connection = new NpgsqlConnection(server.PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("h", h);
        return Convert.ToInt64(await command.ExecuteScalarAsync() ?? 0L, CultureInfo.InvariantCulture);
    }

    /// <summary>Waits for a condition the system reaches asynchronously; the bound only ends a hung test, it is not asserted.</summary>
    internal static async Task Eventually(Func<Task<bool>> condition, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(90))
            {
                throw new TimeoutException($"gave up waiting for {what}");
            }
            await Task.Delay(100);
        }
    }
}

/// <summary>A CloudEvent as a downstream system reads it.</summary>
internal sealed record ReceivedCloudEvent(string RoutingKey, string Type, string Id, string Subject, JsonElement Data);

/// <summary>
/// A test subscriber with plain RabbitMQ.Client: one queue bound to MassTransit's exchange of each warning event
/// (what a bus consumer receives) and one bound to <c>fanpin.events</c> with a region binding key.
/// </summary>
internal sealed class EventTap : IAsyncDisposable
{
    private static readonly Type[] WarningEvents = [typeof(WarningRaised), typeof(WarningGradeChanged), typeof(WarningEscalated), typeof(WarningCleared)];
    private readonly IConnection _connection;
    private readonly IChannel _channel;
    private readonly Dictionary<Type, string> _busQueues;
    private readonly string _publicQueue;
    private readonly Dictionary<Type, List<IntegrationEvent>> _bus = [];
    private readonly List<ReceivedCloudEvent> _public = [];

    private EventTap(IConnection connection, IChannel channel, Dictionary<Type, string> busQueues, string publicQueue)
    {
        _connection = connection;
        _channel = channel;
        _busQueues = busQueues;
        _publicQueue = publicQueue;
    }

    public static async Task<EventTap> OpenAsync(string uri, string bindingKey)
    {
        var connection = await new ConnectionFactory { Uri = new Uri(uri) }.CreateConnectionAsync();
        var channel = await connection.CreateChannelAsync();
        var queues = new Dictionary<Type, string>();
        foreach (var type in WarningEvents)
        {
            // The exchange as MassTransit declares it (fanout, durable).
            var exchange = "FanPin.IntegrationEvents:" + type.Name;
            await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false);
            var queue = (await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true)).QueueName;
            await channel.QueueBindAsync(queue, exchange, "");
            queues[type] = queue;
        }
        await channel.ExchangeDeclareAsync("fanpin.events", ExchangeType.Topic, durable: true);
        var publicQueue = (await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true)).QueueName;
        await channel.QueueBindAsync(publicQueue, "fanpin.events", bindingKey);
        return new EventTap(connection, channel, queues, publicQueue);
    }

    /// <summary>
    /// Takes the bus events of <typeparamref name="T"/> (of one household, or all) received so far, waiting until at
    /// least <paramref name="expected"/> arrived; with 0, waits a moment so that a stray event would show.
    /// </summary>
    public async Task<List<T>> BusAsync<T>(Guid? household, int expected) where T : IntegrationEvent
    {
        var taken = new List<T>();
        await WaitAsync(async () =>
        {
            while (await _channel.BasicGetAsync(_busQueues[typeof(T)], autoAck: true) is { } delivery)
            {
                using var envelope = JsonDocument.Parse(delivery.Body);
                var message = envelope.RootElement.GetProperty("message").Deserialize<T>(EventJson.Options)!;
                (_bus.TryGetValue(typeof(T), out var list) ? list : _bus[typeof(T)] = []).Add(message);
            }
            var mine = _bus.GetValueOrDefault(typeof(T), []).Where(e => household is null || e.HouseholdId == household).ToList();
            if (mine.Count < expected)
            {
                return false;
            }
            taken = mine.Cast<T>().ToList();
            return true;
        }, expected, typeof(T).Name);
        _bus.GetValueOrDefault(typeof(T), []).RemoveAll(e => taken.Contains(e));
        return taken;
    }

    /// <summary>The same for the public queue.</summary>
    public async Task<List<ReceivedCloudEvent>> PublicAsync(Guid? household, int expected)
    {
        var taken = new List<ReceivedCloudEvent>();
        await WaitAsync(async () =>
        {
            while (await _channel.BasicGetAsync(_publicQueue, autoAck: true) is { } delivery)
            {
                using var document = JsonDocument.Parse(delivery.Body);
                var root = document.RootElement;
                _public.Add(new ReceivedCloudEvent(delivery.RoutingKey, root.GetProperty("type").GetString()!, root.GetProperty("id").GetString()!,
                    root.GetProperty("subject").GetString()!, root.GetProperty("data").Clone()));
            }
            var mine = _public.Where(e => household is null || e.Subject == household.Value.ToString()).ToList();
            if (mine.Count < expected)
            {
                return false;
            }
            taken = mine;
            return true;
        }, expected, "CloudEvents");
        _public.RemoveAll(taken.Contains);
        return taken;
    }

    private static async Task WaitAsync(Func<Task<bool>> drain, int expected, string what)
    {
        if (expected == 0)
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            await drain();
            return;
        }
        await MessagingTests.Eventually(drain, $"{expected} {what}");
    }

    public async ValueTask DisposeAsync()
    {
        await _channel.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
