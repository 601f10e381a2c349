extern alias monitoring;

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using FanPin.Assistance.Application.Common;
using FanPin.Assistance.Application.Plans;
using FanPin.Assistance.Application.Tasks;
using FanPin.Assistance.Domain;
using FanPin.Grpc;
using FanPin.IntegrationEvents;
using FanPin.Messaging.Diagnostics;
using FanPin.Messaging.Serialization;
using FanPin.ServiceDefaults.Authentication;
using FanPin.Testing;
using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using RabbitMQ.Client;
using MonitoringProgram = monitoring::Program;
using MonRegistry = monitoring::FanPin.Monitoring.Application.Registry;
using MonDomain = monitoring::FanPin.Monitoring.Domain;
using MonServices = monitoring::FanPin.Monitoring.MonitoringServices;
using MonHasher = monitoring::FanPin.Monitoring.Infrastructure.IdNumberHasher;
using Pm = FanPin.Contracts.Monitoring.V1;
using WarningGrade = FanPin.IntegrationEvents.WarningGrade;
using TaskAssigned = FanPin.IntegrationEvents.TaskAssigned;
using TaskOverdue = FanPin.IntegrationEvents.TaskOverdue;

namespace FanPin.Assistance.Tests;

/// <summary>
/// The assistance host as deployed (its Program, Production environment) on its own PostgreSQL database, RabbitMQ
/// vhost and Redis prefix, with a REAL monitoring service next to it (the monitoring Program on Kestrel, its own
/// database) that it calls over gRPC with its own service tokens. Both share the signing key, as in a province.
/// </summary>
public sealed class AssistanceServer : IsolatedInfrastructure, IAsyncLifetime
{
    private readonly string _signingKey = "base64:" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private readonly IsolatedInfrastructure _monitoringInfrastructure = new();
    private WebApplicationFactory<MonitoringProgram>? _monitoring;
    private WebApplicationFactory<Program>? _assistance;

    /// <summary>The monitoring service's gRPC address.</summary>
    public Uri MonitoringAddress { get; private set; } = null!;

    /// <summary>Issues tokens with the shared key.</summary>
    public TokenIssuer Issuer { get; private set; } = null!;

    /// <summary>The shared signing key.</summary>
    public string SigningKey => _signingKey;

    /// <summary>The assistance host's services.</summary>
    public IServiceProvider Services => (_assistance ?? throw new InvalidOperationException("not initialized")).Services;

    /// <summary>The monitoring host's services.</summary>
    public IServiceProvider MonitoringServices => (_monitoring ?? throw new InvalidOperationException("not initialized")).Services;

    /// <summary>Today in China (the real clock: both services run on it here).</summary>
    public static DateOnly Today => DateOnly.FromDateTime(DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)).DateTime);

    /// <inheritdoc />
    public new async Task InitializeAsync()
    {
        await base.InitializeAsync().ConfigureAwait(false);
        await _monitoringInfrastructure.InitializeAsync().ConfigureAwait(false);
        MonitoringAddress = new Uri($"http://127.0.0.1:{FreePort()}");
        var health = new Uri($"http://127.0.0.1:{FreePort()}");
        _monitoring = new WebApplicationFactory<MonitoringProgram>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Production");
            b.UseSetting($"ConnectionStrings:{MonServices.DatabaseName}", _monitoringInfrastructure.PostgresConnectionString);
            b.UseSetting("ConnectionStrings:messaging", _monitoringInfrastructure.RabbitMqConnectionString); // monitoring's outbox relay and registry consumers
            b.UseSetting("Auth:SigningKey", _signingKey);
            b.UseSetting(MonHasher.HashKeyKey, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            b.UseSetting("Kestrel:Endpoints:grpc:Url", MonitoringAddress.ToString());
            b.UseSetting("Kestrel:Endpoints:health:Url", health.ToString());
            b.UseSetting("Logging:LogLevel:Default", "Warning");
        });
        _monitoring.UseKestrel();
        _monitoring.StartServer();
        _assistance = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Production");
            foreach (var (key, value) in ConnectionStringsFor(AssistanceServices.DatabaseName))
            {
                b.UseSetting(key, value);
            }
            b.UseSetting("Auth:SigningKey", _signingKey);
            b.UseSetting("services:monitoring:grpc:0", MonitoringAddress.ToString());
            b.UseSetting(AssistanceServices.ScanIntervalKey, "3600");
            b.UseSetting("Logging:LogLevel:Default", "Warning");
        });
        _ = _assistance.Server;
        Issuer = new TokenIssuer(new FanPinAuthOptions { SigningKey = _signingKey });
        var bus = Services.GetRequiredService<IBusControl>();
        // The consumers' queues and bindings exist once the bus is up (the host does not wait for it at start).
        Assert.Equal(BusHealthStatus.Healthy, await bus.WaitForHealthStatus(BusHealthStatus.Healthy, TimeSpan.FromSeconds(60)).ConfigureAwait(false));
    }

    /// <inheritdoc />
    public new async Task DisposeAsync()
    {
        if (_assistance is not null)
        {
            await _assistance.DisposeAsync().ConfigureAwait(false);
        }
        if (_monitoring is not null)
        {
            await _monitoring.DisposeAsync().ConfigureAwait(false);
        }
        await _monitoringInfrastructure.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Runs a use case of the assistance host in its own scope.</summary>
    public async Task<TResult> Run<TUseCase, TResult>(Func<TUseCase, Task<TResult>> call) where TUseCase : notnull
    {
        await using var scope = Services.CreateAsyncScope();
        return await call(scope.ServiceProvider.GetRequiredService<TUseCase>()).ConfigureAwait(false);
    }

    /// <summary>Publishes an event on the bus as the grading service's relay would (message id = event id).</summary>
    public async Task PublishAsync<T>(T message) where T : IntegrationEvent =>
        await Services.GetRequiredService<IBusControl>().Publish(message, context => context.MessageId = message.EventId).ConfigureAwait(false);

    /// <summary>A scalar from the assistance database.</summary>
    public async Task<long> CountAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(PostgresConnectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return Convert.ToInt64(await command.ExecuteScalarAsync().ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    /// <summary>Registers a monitored household of one member in monitoring (as the registry's events would).</summary>
    public async Task RegisterInMonitoringAsync(Guid household, string village)
    {
        await using (var scope = MonitoringServices.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<MonRegistry.ApplyHouseholdFacts>().HandleAsync(new MonRegistry.HouseholdFactsChange(household, village,
                Policies.HouseholdCategory.Ordinary, MonDomain.HouseholdStatus.Monitored, DateTimeOffset.UtcNow));
        }
        await using (var scope = MonitoringServices.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<MonRegistry.ApplyMemberChange>().HandleAsync(new MonRegistry.MemberChange(Guid.CreateVersion7(), household, village,
                RandomNumberGenerator.GetBytes(MonHasher.HashSize), MonRegistry.MembershipChange.Registered, null, Policies.LabourAbility.Full, DateTimeOffset.UtcNow));
        }
    }

    /// <summary>Monitoring's record service as a village cadre of <paramref name="village"/>.</summary>
    public Pm.RecordService.RecordServiceClient MonitoringRecords(string village)
    {
        var options = new GrpcChannelOptions();
        options.WithBearerToken(Issuer.Issue(new Caller("cadre-" + village, CallerRole.Village, RegionPrefix.Parse(village), null), TimeSpan.FromHours(1)));
        return new Pm.RecordService.RecordServiceClient(GrpcChannel.ForAddress(MonitoringAddress, options));
    }

    /// <summary>A free loopback port.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>A queue of the test's own bound to the exchanges of some event types (as MassTransit declares them), read by polling.</summary>
public sealed class BusTap : IAsyncDisposable
{
    private readonly IConnection _connection;
    private readonly IChannel _channel;
    private readonly string _queue;
    private readonly List<(string Type, JsonElement Message)> _received = [];

    private BusTap(IConnection connection, IChannel channel, string queue) => (_connection, _channel, _queue) = (connection, channel, queue);

    /// <summary>Binds a new exclusive queue to the exchanges of <paramref name="types"/>.</summary>
    public static async Task<BusTap> StartAsync(string uri, params Type[] types)
    {
        var connection = await new ConnectionFactory { Uri = new Uri(uri) }.CreateConnectionAsync();
        var channel = await connection.CreateChannelAsync();
        var queue = (await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true)).QueueName;
        foreach (var type in types)
        {
            var exchange = $"{type.Namespace}:{type.Name}";
            await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false);
            await channel.QueueBindAsync(queue, exchange, "");
        }
        return new BusTap(connection, channel, queue);
    }

    /// <summary>Waits for an event of type <typeparamref name="T"/> matching <paramref name="match"/>.</summary>
    public async Task<T> WaitForAsync<T>(Func<T, bool> match, TimeSpan? timeout = null) where T : IntegrationEvent
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            foreach (var (type, message) in _received.ToList())
            {
                if (type.EndsWith(":" + typeof(T).Name, StringComparison.Ordinal) && message.Deserialize<T>(EventJson.Options) is { } e && match(e))
                {
                    return e;
                }
            }
            if (await _channel.BasicGetAsync(_queue, autoAck: true) is { } delivery)
            {
                using var envelope = JsonDocument.Parse(delivery.Body);
                var messageType = envelope.RootElement.GetProperty("messageType")[0].GetString() ?? "";
                _received.Add((messageType, envelope.RootElement.GetProperty("message").Clone()));
                continue;
            }
            if (watch.Elapsed > (timeout ?? TimeSpan.FromSeconds(60)))
            {
                throw new TimeoutException($"no {typeof(T).Name} on the bus; received: {string.Join(", ", _received.Select(r => r.Type))}");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>Everything received so far of type <typeparamref name="T"/>.</summary>
    public async Task<IReadOnlyList<T>> DrainAsync<T>() where T : IntegrationEvent
    {
        while (await _channel.BasicGetAsync(_queue, autoAck: true) is { } delivery)
        {
            using var envelope = JsonDocument.Parse(delivery.Body);
            _received.Add((envelope.RootElement.GetProperty("messageType")[0].GetString() ?? "", envelope.RootElement.GetProperty("message").Clone()));
        }
        return _received.Where(r => r.Type.EndsWith(":" + typeof(T).Name, StringComparison.Ordinal)).Select(r => r.Message.Deserialize<T>(EventJson.Options)!).ToList();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _channel.DisposeAsync();
        await _connection.DisposeAsync();
    }
}

/// <summary>Counts the inbox outcomes (processed, duplicate) of one consumer, from the FanPin.Messaging meter.</summary>
public sealed class InboxCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _counts = new();

    /// <summary>Starts counting for <paramref name="consumer"/>.</summary>
    public InboxCounter(string consumer)
    {
        // Initialize the meter's instruments first: the publish callback below compares with them, and would see
        // nulls if the instruments were created (inside the static initializer) after the listener started.
        _ = MessagingMetrics.Processed;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MessagingMetrics.MeterName && (instrument == MessagingMetrics.Processed || instrument == MessagingMetrics.Duplicates))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "consumer" && Equals(tag.Value, consumer))
                {
                    _counts.AddOrUpdate(instrument.Name, value, (_, sum) => sum + value);
                }
            }
        });
        _listener.Start();
    }

    /// <summary>Processed deliveries.</summary>
    public long Processed => _counts.GetValueOrDefault(MessagingMetrics.Processed.Name);

    /// <summary>Duplicates acknowledged.</summary>
    public long Duplicates => _counts.GetValueOrDefault(MessagingMetrics.Duplicates.Name);

    /// <inheritdoc />
    public void Dispose() => _listener.Dispose();
}

/// <summary>
/// Assistance on the bus and with its monitoring peer: grading's warnings in (once), tasks and proposals out, and
/// the effect decided on a real income summary.
/// </summary>
public sealed class BusAndMonitoringTests(AssistanceServer server) : IClassFixture<AssistanceServer>
{
    private const string Village = "620102001001";
    private static readonly Caller County = AssistanceFixture.County;

    private static WarningRaised Raised(Guid household, long sequence, string[] risks, string[] labour, string village = Village) => new()
    {
        RegionCode = village, HouseholdId = household, WarningId = Guid.NewGuid(), Grade = WarningGrade.I, ReasonRuleId = "gs-2024.grade-i.income-below-line",
        Sequence = sequence, RiskTypes = risks, SignalCodes = ["IncomeBelowLine"], HouseholdCategory = "PovertyAlleviated", MemberLabourAbilities = labour,
    };

    private async Task WarnOverTheBusAsync(WarningRaised raised)
    {
        await server.PublishAsync(raised);
        await Eventually(async () => await server.CountAsync("SELECT count(*) FROM household_warnings WHERE household_id = @h AND warning_id = @w",
            ("h", raised.HouseholdId!.Value), ("w", raised.WarningId)) == 1, "the warning stored");
    }

    [Fact]
    public async Task A_WarningRaised_delivered_twice_stores_the_warning_once_and_recommendations_follow_from_it()
    {
        var household = Guid.NewGuid();
        var raised = Raised(household, 10, ["Schooling", "Meteorite"], ["Lost", "None"]);
        using var metrics = new InboxCounter("assistance.WarningRaised");
        await server.PublishAsync(raised);
        await server.PublishAsync(raised);

        await Eventually(() => Task.FromResult(metrics.Processed == 1 && metrics.Duplicates == 1), () => $"one delivery processed and one acknowledged as a duplicate (processed {metrics.Processed}, duplicates {metrics.Duplicates})");
        Assert.Equal(1, await server.CountAsync("SELECT count(*) FROM household_warnings WHERE household_id = @h AND sequence = 10 AND category = 'PovertyAlleviated' AND grade = 'One'", ("h", household)));
        Assert.Equal(1, await server.CountAsync("SELECT count(*) FROM inbox_message WHERE consumer = 'assistance.WarningRaised' AND event_id = @e", ("e", raised.EventId)));
        // The unknown risk type is left out; nobody can work, so "lack of labour" is added and labour measures are not proposed.
        var recommended = await server.Run<GetRecommendations, IReadOnlyList<Recommendation>>(u => u.HandleAsync(County, new GetRecommendationsRequest(household)));
        Assert.Contains(recommended, r => r.Measure.Code == "education.student-aid" && r.Answers.Contains(RiskType.Schooling));
        Assert.Contains(recommended, r => r.Measure.Code == "social-security.extreme-poverty" && r.Answers.Contains(RiskType.LackOfLabour));
        Assert.DoesNotContain(recommended, r => r.Measure.RequiresLabour);
    }

    [Fact]
    public async Task Regrades_apply_in_sequence_order_an_unreadable_event_is_acknowledged_and_a_cleared_warning_allows_no_new_plan()
    {
        var household = Guid.NewGuid();
        var raised = Raised(household, 20, ["Illness"], ["Full"]);
        await WarnOverTheBusAsync(raised);

        // A re-grade with new risks replaces the content; an older one arriving late changes nothing.
        var regraded = new WarningGradeChanged
        {
            RegionCode = Village, HouseholdId = household, WarningId = raised.WarningId, PreviousGrade = WarningGrade.I, Grade = WarningGrade.II, ReasonRuleId = "r",
            Sequence = 22, RiskTypes = ["Illness", "DrinkingWater"], MemberLabourAbilities = ["Full", "Partial"],
        };
        var stale = regraded with { EventId = Guid.NewGuid(), Sequence = 21, Grade = WarningGrade.III, RiskTypes = ["Schooling"] };
        using var regrades = new InboxCounter("assistance.WarningGradeChanged");
        await server.PublishAsync(regraded);
        await Eventually(() => Task.FromResult(regrades.Processed == 1), "the re-grade applied");
        await server.PublishAsync(stale);
        await Eventually(() => Task.FromResult(regrades.Processed == 2), "the stale re-grade handled");
        Assert.Equal(1, await server.CountAsync("SELECT count(*) FROM household_warnings WHERE household_id = @h AND grade = 'Two' AND sequence = 22 AND risk_types = '1,12' AND member_labour = '1,2'", ("h", household)));

        // Unknown labour: not applied, acknowledged (inbox row), nothing stored, no retry loop.
        var other = Guid.NewGuid();
        var unreadable = Raised(other, 5, ["Illness"], ["Full", "Superhuman"]);
        using var raisedCounter = new InboxCounter("assistance.WarningRaised");
        await server.PublishAsync(unreadable);
        await Eventually(() => Task.FromResult(raisedCounter.Processed == 1), "the unreadable event acknowledged");
        Assert.Equal(0, await server.CountAsync("SELECT count(*) FROM household_warnings WHERE household_id = @h", ("h", other)));
        Assert.Equal(1, await server.CountAsync("SELECT count(*) FROM inbox_message WHERE event_id = @e", ("e", unreadable.EventId)));

        // Cleared: no new measures until a new warning.
        using var clears = new InboxCounter("assistance.WarningCleared");
        await server.PublishAsync(new WarningCleared { RegionCode = Village, HouseholdId = household, WarningId = raised.WarningId, PreviousGrade = WarningGrade.II, ReasonRuleId = "r", Sequence = 23 });
        await Eventually(() => Task.FromResult(clears.Processed == 1), "the clearing applied");
        var refused = await Assert.ThrowsAsync<PreconditionFailedException>(() => server.Run<ConfirmPlan, PlanView>(u =>
            u.HandleAsync(County, new ConfirmPlanRequest(household, [new PlannedMeasureInput("water.repair", null, 0, null)], 0))));
        Assert.Equal("WarningCleared", refused.CurrentState);
        Assert.Equal(0, await server.CountAsync("SELECT count(*) FROM plans WHERE household_id = @h", ("h", household)));

        var again = Raised(household, 30, ["DrinkingWater"], ["Full"]);
        await WarnOverTheBusAsync(again);
        var plan = await server.Run<ConfirmPlan, PlanView>(u => u.HandleAsync(County, new ConfirmPlanRequest(household, [new PlannedMeasureInput("water.repair", null, 0, null)], 0)));
        Assert.Equal(1, plan.Plan.Version);
    }

    [Fact]
    public async Task Confirming_a_plan_puts_TaskAssigned_on_the_bus_and_the_overdue_scan_TaskOverdue()
    {
        await using var tap = await BusTap.StartAsync(server.RabbitMqConnectionString, typeof(TaskAssigned), typeof(TaskOverdue));
        var household = Guid.NewGuid();
        await WarnOverTheBusAsync(Raised(household, 1, ["DrinkingWater", "HousingSafety"], ["Full"]));
        var due = AssistanceServer.Today.AddDays(20);
        var plan = (await server.Run<ConfirmPlan, PlanView>(u => u.HandleAsync(County, new ConfirmPlanRequest(household,
            [new PlannedMeasureInput("water.supply", due, 80_000, null), new PlannedMeasureInput("housing.renovation", null, 0, null)], 0)))).Plan;
        var water = plan.Tasks.Single(t => t.MeasureCode == "water.supply");

        var assigned = await tap.WaitForAsync<TaskAssigned>(e => e.TaskId == water.Id);
        Assert.Equal((plan.Id, "water.supply", "Department", "water", due, Village, (Guid?)household),
            (assigned.PlanId, assigned.MeasureCode, assigned.AssigneeKind, assigned.Assignee, assigned.DueDate, assigned.RegionCode, assigned.HouseholdId));
        var housing = plan.Tasks.Single(t => t.MeasureCode == "housing.renovation");
        await tap.WaitForAsync<TaskAssigned>(e => e.TaskId == housing.Id);

        // The deadline passes (moved back in the database: the host runs on the real clock).
        await server.CountAsync("WITH u AS (UPDATE tasks SET assigned_on = current_date - 30, due_on = current_date - 3 WHERE id = @t RETURNING 1) SELECT count(*) FROM u", ("t", water.Id));
        var scan = await server.Run<ScanOverdueTasks, OverdueScanResult>(u => u.HandleAsync());
        Assert.True(scan.Ran);
        var overdue = await tap.WaitForAsync<TaskOverdue>(e => e.TaskId == water.Id);
        Assert.Equal((plan.Id, "Department", "water", (Guid?)household), (overdue.PlanId, overdue.AssigneeKind, overdue.Assignee, overdue.HouseholdId));
        await server.Run<ScanOverdueTasks, OverdueScanResult>(u => u.HandleAsync());
        await Eventually(async () => await server.CountAsync("SELECT count(*) FROM outbox_message WHERE published_at IS NULL") == 0, "the outbox drained");
        Assert.Single(await tap.DrainAsync<TaskOverdue>(), e => e.TaskId == water.Id);
        Assert.DoesNotContain(await tap.DrainAsync<TaskOverdue>(), e => e.TaskId == housing.Id);
    }

    [Fact]
    public async Task Completing_every_task_with_income_above_the_line_in_monitoring_puts_RiskEliminationProposed_on_the_bus()
    {
        await using var tap = await BusTap.StartAsync(server.RabbitMqConnectionString, typeof(FanPin.IntegrationEvents.RiskEliminationProposed));
        const string village = "620102001002";
        var household = Guid.NewGuid();
        await server.RegisterInMonitoringAsync(household, village);
        // One member, 10,000 CNY wages last month: per-capita 10,000 CNY a year, above the default monitoring line.
        var lastMonth = AssistanceServer.Today.AddMonths(-1).ToString("yyyy-MM", CultureInfo.InvariantCulture);
        await server.MonitoringRecords(village).RecordIncomeAsync(new Pm.RecordIncomeRequest
        {
            HouseholdId = household.ToString(), Category = Pm.RecordCategory.Wage, Month = lastMonth, AmountFen = 1_000_000, Source = Pm.RecordSource.Cadre,
        });

        await WarnOverTheBusAsync(Raised(household, 1, ["UnstableEmployment"], ["Full"], village));
        var plan = (await server.Run<ConfirmPlan, PlanView>(u => u.HandleAsync(County, new ConfirmPlanRequest(household,
            [new PlannedMeasureInput("employment.public-welfare-job", null, 0, null), new PlannedMeasureInput("employment.skills-training", null, 0, null)], 0)))).Plan;
        var first = await server.Run<CompleteTask, CompleteTaskResult>(u => u.HandleAsync(County, new CompleteTaskRequest(plan.Tasks[0].Id, 0, 120_000, "contract-1")));
        Assert.False(first.EliminationProposed);
        var last = await server.Run<CompleteTask, CompleteTaskResult>(u => u.HandleAsync(County, new CompleteTaskRequest(plan.Tasks[1].Id, 50_000, 0, "certificate-2")));
        Assert.True(last.EliminationProposed, last.EffectExplanation);

        var proposed = await tap.WaitForAsync<FanPin.IntegrationEvents.RiskEliminationProposed>(e => e.HouseholdId == household);
        var windowStart = new DateOnly(AssistanceServer.Today.Year, AssistanceServer.Today.Month, 1).AddMonths(-12);
        Assert.Equal((plan.Id, (DateOnly?)windowStart, village), (proposed.PlanId, proposed.IncomeStableSince, proposed.RegionCode));
        Assert.Contains("10000.00 above the line", proposed.Summary, StringComparison.Ordinal);
        Assert.Contains("no guarantee gap", proposed.Summary, StringComparison.Ordinal);
        Assert.Equal(["AllMeasuresDone", "IncomeStableAboveLine", "GuaranteeGapsClosed"], proposed.Basis);
    }

    [Fact]
    public async Task With_monitoring_unreachable_the_completion_says_so_nothing_is_proposed_and_the_review_proposes_later()
    {
        // An assistance instance whose monitoring address answers nothing (a free port), on the same database.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(server.ConnectionStringsFor(AssistanceServices.DatabaseName))
            .AddInMemoryCollection(new Dictionary<string, string?> { ["services:monitoring:grpc:0"] = $"http://127.0.0.1:{AssistanceServer.FreePort()}" }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(new TokenIssuer(new FanPinAuthOptions { SigningKey = server.SigningKey }));
        services.AddAssistance(configuration);
        await using var provider = services.BuildServiceProvider();
        async Task<T> Run<TUseCase, T>(Func<TUseCase, Task<T>> call) where TUseCase : notnull
        {
            await using var scope = provider.CreateAsyncScope();
            return await call(scope.ServiceProvider.GetRequiredService<TUseCase>());
        }

        const string village = "620102001003";
        var household = Guid.NewGuid();
        await server.RegisterInMonitoringAsync(household, village);
        await server.MonitoringRecords(village).RecordIncomeAsync(new Pm.RecordIncomeRequest
        {
            HouseholdId = household.ToString(), Category = Pm.RecordCategory.Wage, Month = AssistanceServer.Today.AddMonths(-1).ToString("yyyy-MM", CultureInfo.InvariantCulture),
            AmountFen = 900_000, Source = Pm.RecordSource.Cadre,
        });
        await WarnOverTheBusAsync(Raised(household, 1, ["DrinkingWater"], ["Full"], village));
        var task = (await Run<ConfirmPlan, PlanView>(u => u.HandleAsync(County, new ConfirmPlanRequest(household, [new PlannedMeasureInput("water.repair", null, 0, null)], 0)))).Plan.Tasks.Single();
        var result = await Run<CompleteTask, CompleteTaskResult>(u => u.HandleAsync(County, new CompleteTaskRequest(task.Id, 10_000, 0, "repair-log")));

        Assert.False(result.EliminationProposed);
        Assert.Contains("the monitoring service cannot be reached", result.EffectExplanation, StringComparison.Ordinal);
        Assert.Contains("no risk elimination proposed", result.EffectExplanation, StringComparison.Ordinal);
        Assert.Equal(1, await server.CountAsync("SELECT count(*) FROM tasks WHERE id = @t AND status = 'Done'", ("t", task.Id)));
        Assert.Equal(0, await server.CountAsync("SELECT count(*) FROM outbox_message WHERE event_type = 'FanPin.IntegrationEvents.RiskEliminationProposed' AND (payload::jsonb->>'householdId')::uuid = @h", ("h", household)));
        Assert.Equal(0, await server.CountAsync("SELECT count(*) FROM plans WHERE household_id = @h AND elimination_proposed_version IS NOT NULL", ("h", household)));

        // Monitoring answers again (the host's instance reaches it): the periodic review proposes, once.
        await using var tap = await BusTap.StartAsync(server.RabbitMqConnectionString, typeof(FanPin.IntegrationEvents.RiskEliminationProposed));
        var review = await server.Run<ReviewPendingEffects, EffectReviewResult>(u => u.HandleAsync());
        Assert.True(review.Proposed >= 1);
        var proposed = await tap.WaitForAsync<FanPin.IntegrationEvents.RiskEliminationProposed>(e => e.HouseholdId == household);
        Assert.NotNull(proposed.IncomeStableSince);
        await server.Run<ReviewPendingEffects, EffectReviewResult>(u => u.HandleAsync());
        Assert.Equal(1, await server.CountAsync("SELECT count(*) FROM outbox_message WHERE event_type = 'FanPin.IntegrationEvents.RiskEliminationProposed' AND (payload::jsonb->>'householdId')::uuid = @h", ("h", household)));
    }

    /// <summary>Waits for a condition the system reaches asynchronously; the bound only ends a hung test.</summary>
    private static Task Eventually(Func<Task<bool>> condition, string what) => Eventually(condition, () => what);

    private static async Task Eventually(Func<Task<bool>> condition, Func<string> what)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(90))
            {
                throw new TimeoutException($"gave up waiting for {what()}");
            }
            await Task.Delay(100);
        }
    }
}
