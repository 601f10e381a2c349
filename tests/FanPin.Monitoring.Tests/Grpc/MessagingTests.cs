using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FanPin.Contracts.Monitoring.V1;
using FanPin.IntegrationEvents;
using FanPin.Messaging.Serialization;
using FanPin.Monitoring.Tests.Support;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;

namespace FanPin.Monitoring.Tests.Grpc;

/// <summary>
/// Monitoring on real RabbitMQ: the registry's events keep the read model current (once however often they
/// arrive), and monitoring's own events leave through the outbox and reach the bus — once per evaluation that
/// changed something, an empty signal list when the signals cleared, nothing when nothing changed.
/// </summary>
[Collection(MonitoringServerCollection.Name)]
public class MessagingTests(MonitoringServer server)
{
    [Fact]
    public async Task Registry_events_on_the_bus_feed_the_read_model_and_a_redelivered_event_is_applied_once()
    {
        var village = TestData.Village(TestData.NewCounty());
        var household = Guid.CreateVersion7();
        var (head, child) = (TestData.NewId(), TestData.NewId());
        var (headId, childId) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        var snapshot = Snapshot(1, Member(headId, head, "Head", "Partial"), Member(childId, child, "Child", "None"));
        var registered = new HouseholdRegistered
        {
            RegionCode = village, HouseholdId = household, Category = "PovertyAlleviated", MemberCount = 2, Origin = "create", Household = snapshot,
        };
        await PublishAsync(registered);
        await Eventually(async () => await server.CountAsync("SELECT count(*) FROM known_members WHERE household_id = @h", ("h", household)) == 2, "the members in the read model");
        Assert.Equal(1, await server.CountAsync(
            "SELECT count(*) FROM known_households WHERE id = @h AND region_code = @v AND category = 1 AND status = 1", ("h", household), ("v", village)));
        // The member's hash is the registry's (HMAC-SHA256 of the ID number under the shared key): a feed row naming it matches.
        Assert.Equal(1, await server.CountAsync("SELECT count(*) FROM known_members WHERE id = @m AND household_id = @h AND id_hash = @hash AND labour_ability = 2",
            ("m", headId), ("h", household), ("hash", HMACSHA256.HashData(server.HashKey, Encoding.ASCII.GetBytes(head.Value)))));

        // Redelivered (same event id): the inbox knows it, so it is not applied again — the row removed meanwhile stays removed.
        await server.CountAsync("DELETE FROM known_members WHERE id = @m", ("m", childId));
        await PublishAsync(registered);
        await QueueDrainedAsync("monitoring-household-registered", published: 2);
        Assert.Equal(1, await server.CountAsync("SELECT count(*) FROM known_members WHERE household_id = @h", ("h", household)));
        Assert.Equal(1, await server.CountAsync("SELECT count(*) FROM inbox_message WHERE consumer = 'monitoring.HouseholdRegistered' AND event_id = @e", ("e", registered.EventId)));

        // The head marries out on 1 March 2025: it leaves on that date (the per-capita denominator); a redelivery changes nothing.
        var left = new MemberChanged
        {
            RegionCode = village, HouseholdId = household, MemberId = headId, ChangeKind = "MarriedOut", ChangedFields = [], RegistryKind = "MarriageOut",
            EffectiveOn = new DateOnly(2025, 3, 1), Member = Member(headId, head, "Head", "Partial"), Household = Snapshot(2, Member(childId, child, "Child", "None")),
        };
        await PublishAsync(left);
        await Eventually(async () => await server.CountAsync("SELECT count(*) FROM known_members WHERE id = @m AND left_on = DATE '2025-03-01'", ("m", headId)) == 1, "the member left");
        await server.CountAsync("UPDATE known_members SET left_on = NULL WHERE id = @m", ("m", headId));
        await PublishAsync(left);
        await QueueDrainedAsync("monitoring-member-changed", published: 2);
        Assert.Equal(1, await server.CountAsync("SELECT count(*) FROM known_members WHERE id = @m AND left_on IS NULL", ("m", headId)));

        // Entered as monitored (录入): the status visit compliance counts.
        await PublishAsync(new HouseholdIdentified { RegionCode = village, HouseholdId = household, CaseId = Guid.NewGuid(), MonitoringType = "MarginalAtRisk", RiskTypes = ["Illness"] });
        await Eventually(async () => await server.CountAsync("SELECT count(*) FROM known_households WHERE id = @h AND status = 3", ("h", household)) == 1, "status Monitored");
    }

    [Fact]
    public async Task A_feed_that_crosses_a_warning_line_announces_once_a_re_import_announces_nothing_and_clearing_announces_an_empty_set()
    {
        var county = TestData.NewCounty();
        var village = TestData.Village(county);
        var member = TestData.NewId();
        var household = await server.RegisterAsync(village, member);
        using var probe = await BusProbe.StartAsync(server, "FanPin.IntegrationEvents:RiskSignalsDetected");
        using var department = server.As(Callers.Department("medical-insurance", county));
        FeedRow Bill(long amount) => new() { RowNumber = 1, IdNumber = member.Value, Item = "medical_self_paid", Month = MonitoringServer.LastMonth, AmountFen = amount, Reference = "bill-1" };

        var first = await ImportAsync(department, "mi-1", county, Bill(600_000));
        Assert.Equal(1, first.Applied);
        var detected = await probe.NextAsync<RiskSignalsDetected>(e => e.HouseholdId == household);
        var signal = Assert.Single(detected.Signals);
        Assert.Equal("MedicalCostAboveWarningLine", signal.Code);
        Assert.Equal(600_000m, signal.Inputs["amountFen"]);
        Assert.True(signal.Thresholds["amountFen"] < 600_000m);
        Assert.Equal("monitoring.warning_lines.medical_self_paid", signal.PolicyKey);
        Assert.False(string.IsNullOrWhiteSpace(signal.Explanation));
        Assert.Equal((village, "Ordinary"), (detected.RegionCode, detected.Category));
        Assert.Equal(["Full"], detected.LabourAbilities!);
        Assert.Empty(detected.PreviousSignalCodes!);

        // The same feed again: nothing applied, nothing queued, nothing announced.
        var again = await ImportAsync(department, "mi-1", county, Bill(600_000));
        Assert.Equal((0, 0, 1), (again.Applied, again.HouseholdsQueued, again.AlreadyImported));
        Assert.Equal(0, await server.CountAsync("SELECT count(*) FROM evaluation_queue WHERE household_id = @h", ("h", household)));

        // The department corrects the bill below the line: the signal clears, announced as an empty set.
        var corrected = await ImportAsync(department, "mi-1-corrected", county, Bill(100_000));
        Assert.Equal(1, corrected.Applied);
        var cleared = await probe.NextAsync<RiskSignalsDetected>(e => e.HouseholdId == household);
        Assert.Empty(cleared.Signals);
        Assert.Equal(["MedicalCostAboveWarningLine"], cleared.PreviousSignalCodes!);
        Assert.True(cleared.Sequence > detected.Sequence);
        // Exactly two for the household, the re-import added none.
        Assert.Equal(2, await server.CountAsync(
            "SELECT count(*) FROM outbox_message WHERE destination = 0 AND event_type = 'FanPin.IntegrationEvents.RiskSignalsDetected' AND partition_key = @p",
            ("p", household.ToString("N"))));
        await Task.Delay(500);
        Assert.Empty(probe.Received<RiskSignalsDetected>(e => e.HouseholdId == household));
    }

    [Fact]
    public async Task A_late_feed_announces_FeedOverdue_on_the_bus()
    {
        var county = TestData.NewCounty();
        using var probe = await BusProbe.StartAsync(server, "FanPin.IntegrationEvents:FeedOverdue");
        using var department = server.As(Callers.Department("medical-insurance", county));
        // Last month's feed was due on the 5th of last month: whatever today is, it is late.
        using var call = department.Feeds.ImportFeed();
        await call.RequestStream.WriteAsync(new ImportFeedRequest
        {
            Header = new ImportFeedHeader { FeedId = "late-1", Department = "medical-insurance", Period = MonitoringServer.LastMonth, Region = county },
        });
        var batch = new FeedRowBatch();
        batch.Rows.Add(new FeedRow { RowNumber = 1, IdNumber = TestData.NewId().Value, Item = "medical_self_paid", Month = MonitoringServer.LastMonth, AmountFen = 100 });
        await call.RequestStream.WriteAsync(new ImportFeedRequest { Rows = batch });
        await call.RequestStream.CompleteAsync();
        Assert.True((await call.ResponseAsync).Feed.Late);

        var overdue = await probe.NextAsync<FeedOverdue>(e => e.RegionCode == county + "000000");
        Assert.Equal(("medical-insurance", MonitoringServer.LastMonth, (Guid?)null), (overdue.Department, overdue.Period, overdue.HouseholdId));
        Assert.NotNull(overdue.ArrivedAt);
        Assert.Equal(5, overdue.DueDate.Day);
    }

    private RegistryMember Member(Guid id, IdNumber number, string relation, string labour) => new()
    {
        MemberId = id, IdNumberHash = Convert.ToHexStringLower(HashOf(number)), Relation = relation, LabourAbility = labour, Health = "Healthy",
        Schooling = "NotInSchool", BirthDate = number.BirthDate, MedicalInsured = true, PensionInsured = false,
    };

    /// <summary>The registry's keyed ID hash (the server is configured with the same key).</summary>
    private byte[] HashOf(IdNumber number) => HMACSHA256.HashData(server.HashKey, Encoding.ASCII.GetBytes(number.Value));

    private static HouseholdSnapshot Snapshot(long version, params RegistryMember[] members) => new()
    {
        Version = version, Category = "PovertyAlleviated", MinimumLivingGuarantee = false, ExtremePovertySupport = false, Status = "NotMonitored",
        RiskTypes = [], MemberCount = members.Length, Members = members, Dissolved = false,
    };

    private async Task PublishAsync<T>(T message) where T : IntegrationEvent
    {
        var bus = server.Services.GetRequiredService<IBusControl>();
        // The consumers' queues and bindings exist once the bus is up (the host does not wait for it at start).
        Assert.Equal(BusHealthStatus.Healthy, await bus.WaitForHealthStatus(BusHealthStatus.Healthy, TimeSpan.FromSeconds(60)));
        await bus.Publish(message, context => context.MessageId = message.EventId);
    }

    /// <summary>Waits until the broker says the queue got <paramref name="published"/> messages and none is left or unacknowledged.</summary>
    private async Task QueueDrainedAsync(string queue, int published)
    {
        var admin = new Uri(server.Endpoints.RabbitMqAdmin).UserInfo.Split(':');
        using var http = new HttpClient { BaseAddress = new Uri(server.Endpoints.RabbitMqManagement.ToString()) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(admin[0]) + ":" + Uri.UnescapeDataString(admin[1]))));
        await Eventually(async () =>
        {
            using var doc = JsonDocument.Parse(await http.GetStringAsync(new Uri($"/api/queues/{Uri.EscapeDataString(server.VirtualHost)}/{queue}", UriKind.Relative)));
            var root = doc.RootElement;
            var acked = root.TryGetProperty("message_stats", out var stats) && stats.TryGetProperty("ack", out var ack) ? ack.GetInt64() : 0;
            // The statistics appear a few seconds after the queue's first use: missing means "not yet".
            return acked >= published && root.TryGetProperty("messages", out var ready) && ready.GetInt64() == 0
                && root.TryGetProperty("messages_unacknowledged", out var unacked) && unacked.GetInt64() == 0;
        }, $"{queue} drained after {published} messages");
    }

    private static async Task<ImportFeedResponse> ImportAsync(MonitoringClients client, string feedId, string region, params FeedRow[] rows)
    {
        using var call = client.Feeds.ImportFeed();
        await call.RequestStream.WriteAsync(new ImportFeedRequest
        {
            Header = new ImportFeedHeader { FeedId = feedId, Department = "medical-insurance", Period = MonitoringServer.CurrentMonth, Region = region },
        });
        var batch = new FeedRowBatch();
        batch.Rows.AddRange(rows);
        await call.RequestStream.WriteAsync(new ImportFeedRequest { Rows = batch });
        await call.RequestStream.CompleteAsync();
        return await call.ResponseAsync;
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

    /// <summary>
    /// A test consumer on the bus: its own queue bound to MassTransit's exchange of one event type (declared as
    /// MassTransit declares it), reading the messages the relay published.
    /// </summary>
    private sealed class BusProbe : IDisposable
    {
        private readonly IConnection _connection;
        private readonly IChannel _channel;
        private readonly string _queue;
        private readonly List<JsonElement> _pending = [];

        private BusProbe(IConnection connection, IChannel channel, string queue) => (_connection, _channel, _queue) = (connection, channel, queue);

        public static async Task<BusProbe> StartAsync(MonitoringServer server, string exchange)
        {
            var connection = await new ConnectionFactory { Uri = new Uri(server.RabbitMqConnectionString) }.CreateConnectionAsync();
            var channel = await connection.CreateChannelAsync();
            await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false);
            var queue = (await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true)).QueueName;
            await channel.QueueBindAsync(queue, exchange, "");
            return new BusProbe(connection, channel, queue);
        }

        /// <summary>The next matching message (waits for it); earlier non-matching ones are kept.</summary>
        public async Task<T> NextAsync<T>(Func<T, bool> match) where T : IntegrationEvent
        {
            T? found = default;
            await Eventually(async () =>
            {
                await DrainAsync();
                var index = _pending.FindIndex(m => match(m.Deserialize<T>(EventJson.Options)!));
                if (index < 0)
                {
                    return false;
                }
                found = _pending[index].Deserialize<T>(EventJson.Options);
                _pending.RemoveAt(index);
                return true;
            }, "a " + typeof(T).Name + " on the bus");
            return found!;
        }

        /// <summary>Matching messages received so far and not yet taken.</summary>
        public List<T> Received<T>(Func<T, bool> match) where T : IntegrationEvent
        {
            DrainAsync().GetAwaiter().GetResult();
            return _pending.Select(m => m.Deserialize<T>(EventJson.Options)!).Where(match).ToList();
        }

        private async Task DrainAsync()
        {
            while (await _channel.BasicGetAsync(_queue, autoAck: true) is { } delivery)
            {
                using var envelope = JsonDocument.Parse(delivery.Body);
                _pending.Add(envelope.RootElement.GetProperty("message").Clone());
            }
        }

        public void Dispose()
        {
            _channel.Dispose();
            _connection.Dispose();
        }
    }
}
