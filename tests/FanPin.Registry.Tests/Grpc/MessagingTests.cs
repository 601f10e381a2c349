using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FanPin.Contracts.Registry.V1;
using FanPin.IntegrationEvents;
using FanPin.Messaging.Diagnostics;
using FanPin.Messaging.Serialization;
using FanPin.Testing;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;
using static FanPin.Registry.Tests.Grpc.GrpcTestKit;

namespace FanPin.Registry.Tests.Grpc;

/// <summary>
/// The registry on real RabbitMQ: its events leave through the outbox exactly once, and the signals of monitoring
/// and assistance are consumed once however often they arrive.
/// </summary>
[Collection(RegistryServerCollection.Name)]
public class MessagingTests(RegistryServer server)
{
    [Fact]
    public async Task Registering_a_household_publishes_HouseholdRegistered_once_with_the_members_id_hashes()
    {
        var exchange = "FanPin.IntegrationEvents:HouseholdRegistered";
        var factory = new ConnectionFactory { Uri = new Uri(server.RabbitMqConnectionString) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        // The exchange as MassTransit declares it (fanout, durable), with a queue of our own bound to it.
        await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false);
        var queue = (await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true)).QueueName;
        await channel.QueueBindAsync(queue, exchange, "");

        using var county = server.As(Callers.County());
        var headId = RegistryFixture.NewIdNumber();
        var created = (await county.Households.CreateHouseholdAsync(Household(RegistryFixture.Village, Member("冯一", Relation.Head, headId), Member("冯二", Relation.Child, labour: LabourAbility.None)))).Household;
        var household = Guid.Parse(created.Id);

        // The relay marks a row published once the broker confirmed it (routed to every bound queue).
        await Eventually.WaitAsync(async () => await server.CountAsync(
            TestDatabase.EventCount("HouseholdRegistered") + " AND o.published_at IS NOT NULL", ("h", household)) == 1, "HouseholdRegistered published");

        var received = new List<HouseholdRegistered>();
        while (await channel.BasicGetAsync(queue, autoAck: true) is { } delivery)
        {
            using var envelope = JsonDocument.Parse(delivery.Body);
            var message = envelope.RootElement.GetProperty("message").Deserialize<HouseholdRegistered>(EventJson.Options)!;
            if (message.HouseholdId == household)
            {
                received.Add(message);
            }
        }
        var registered = Assert.Single(received);
        Assert.Equal((RegistryFixture.Village, "Ordinary", 2), (registered.RegionCode, registered.Category, registered.MemberCount));
        Assert.Equal("create", registered.Origin);
        var snapshot = registered.Household!;
        Assert.Equal((1L, "NotMonitored", false), (snapshot.Version, snapshot.Status, snapshot.Dissolved));
        var head = snapshot.Members.Single(m => m.Relation == "Head");
        Assert.Equal(Convert.ToHexStringLower(HMACSHA256.HashData(server.HashKey, Encoding.ASCII.GetBytes(headId))), head.IdNumberHash);
        Assert.Equal(created.Members.Single(m => m.Relation == Relation.Head).Id, head.MemberId.ToString());
        Assert.Equal(["Full", "None"], snapshot.Members.Select(m => m.LabourAbility).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(headId, JsonSerializer.Serialize(registered, EventJson.Options), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_RiskSignalsDetected_delivered_twice_opens_one_case()
    {
        using var county = server.As(Callers.County());
        server.Clock.SetToday(new DateOnly(2025, 3, 3));
        var household = Guid.Parse((await county.Households.CreateHouseholdAsync(Household(RegistryFixture.Village, Member("褚一", Relation.Head)))).Household.Id);
        var signal = new RiskSignalsDetected
        {
            RegionCode = RegistryFixture.Village,
            HouseholdId = household,
            PolicyVersion = "00 v1",
            Signals = [new RiskSignal { Code = "MedicalCostAboveWarningLine", Inputs = new Dictionary<string, decimal> { ["medicalSelfPaid"] = 620_000 }, Thresholds = new Dictionary<string, decimal> { ["warningLine"] = 500_000 } }],
        };
        // By queue, not by consumer name: SignalBatchTests run the same consumer in this process at the same time.
        using var metrics = InboxCounter.ForEndpoint("registry-risk-signals-detected");
        // One delivery after the other: the consumer takes batches, and MassTransit merges two deliveries with the same
        // message id (the event id, as the relay sends it) that fall into one batch before the inbox sees them.
        await PublishAsync(signal, times: 1);
        await Eventually.WaitAsync(() => Task.FromResult(metrics.Processed == 1), "the first delivery processed");
        await PublishAsync(signal, times: 1);

        await Eventually.WaitAsync(() => Task.FromResult(metrics.Processed == 1 && metrics.Duplicates == 1), "one delivery processed and one acknowledged as a duplicate");
        Assert.Equal(1, await server.CountAsync("SELECT count(*) FROM identification_cases WHERE household_id = @h", ("h", household)));
        Assert.Equal(1, await server.CountAsync(
            "SELECT count(*) FROM identification_cases WHERE household_id = @h AND source = 'SystemSignal' AND source_reference = @r", ("h", household), ("r", signal.EventId.ToString("D"))));
        Assert.Equal(1, await server.CountAsync("SELECT count(*) FROM inbox_message WHERE consumer = 'registry.RiskSignalsDetected' AND event_id = @e", ("e", signal.EventId)));
        Assert.Equal(1, await server.CountAsync(TestDatabase.EventCount("IdentificationCaseOpened", "p->>'source' = 'SystemSignal'"), ("h", household)));
        var status = (await county.Households.GetHouseholdAsync(new GetHouseholdRequest { HouseholdId = household.ToString() })).Household.Status;
        Assert.Equal(MonitoringStatus.Candidate, status);
    }

    [Fact]
    public async Task A_RiskEliminationProposed_delivered_twice_opens_one_closing_case()
    {
        using var county = server.As(Callers.County());
        using var village = server.As(Callers.Village());
        using var township = server.As(Callers.Township());
        server.Clock.SetToday(new DateOnly(2025, 3, 3));
        var household = (await county.Households.CreateHouseholdAsync(Household(RegistryFixture.Village, Member("卫一", Relation.Head)))).Household.Id;
        var day = Date(2025, 3, 3);
        var c = (await village.Identification.OpenIdentificationCaseAsync(new OpenIdentificationCaseRequest { HouseholdId = household, Source = CaseSource.CadreScreening, Summary = "排查" })).IdentificationCase.Id;
        await township.Identification.RecordHomeVerificationAsync(new RecordHomeVerificationRequest { CaseId = c, VerifiedOn = day, MeetsStandard = true });
        await township.Identification.RecordDemocraticAppraisalAsync(new RecordDemocraticAppraisalRequest { CaseId = c, MeetingOn = day, Result = AppraisalResult.Approved, MinutesReference = "m", AssetCheckAuthorised = true });
        await county.Identification.RecordDataComparisonAsync(new RecordDataComparisonRequest { CaseId = c, ComparedOn = day });
        await township.Identification.PublishIdentificationNoticeAsync(new PublishIdentificationNoticeRequest { CaseId = c, StartsOn = day });
        server.Clock.SetToday(new DateOnly(2025, 3, 10));
        var enter = new EnterMonitoredHouseholdRequest { CaseId = c, MonitoringType = MonitoringType.MarginalAtRisk, Helper = Helper };
        enter.RiskTypes.Add(RiskType.Illness);
        await county.Identification.EnterMonitoredHouseholdAsync(enter);
        server.Clock.SetToday(new DateOnly(2025, 11, 3));

        var proposal = new FanPin.IntegrationEvents.RiskEliminationProposed
        {
            RegionCode = RegistryFixture.Village,
            HouseholdId = Guid.Parse(household),
            PlanId = Guid.NewGuid(),
            Basis = ["IncomeStableAboveLine6Months", "GuaranteeGapsClosed"],
            IncomeStableSince = new DateOnly(2025, 4, 1),
        };
        using var metrics = new InboxCounter("registry.RiskEliminationProposed");
        await PublishTwiceAsync(proposal);

        await Eventually.WaitAsync(() => Task.FromResult(metrics.Processed == 1 && metrics.Duplicates == 1), "one delivery processed and one acknowledged as a duplicate");
        Assert.Equal(1, await server.CountAsync(
            "SELECT count(*) FROM closing_cases WHERE household_id = @h AND source = 'SystemProposal' AND source_reference = @r",
            ("h", Guid.Parse(household)), ("r", proposal.EventId.ToString("D"))));
        Assert.Equal(1, await server.CountAsync("SELECT count(*) FROM closing_cases WHERE household_id = @h", ("h", Guid.Parse(household))));
    }

    private Task PublishTwiceAsync<T>(T message) where T : IntegrationEvent => PublishAsync(message, times: 2);

    private async Task PublishAsync<T>(T message, int times) where T : IntegrationEvent
    {
        var bus = server.Services.GetRequiredService<IBusControl>();
        // The consumers' queues and bindings exist once the bus is up (the host does not wait for it at start).
        Assert.Equal(BusHealthStatus.Healthy, await bus.WaitForHealthStatus(BusHealthStatus.Healthy, TimeSpan.FromSeconds(60)));
        for (var i = 0; i < times; i++)
        {
            await bus.Publish(message, context => context.MessageId = message.EventId);
        }
    }
}
