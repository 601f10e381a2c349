using System.Text.Json;
using FanPin.IntegrationEvents;
using FanPin.Messaging.Hosting;
using FanPin.Messaging.Outbox;
using FanPin.Messaging.Persistence;
using FanPin.Messaging.Tests.Support;
using FanPin.Messaging.TestHost;
using FanPin.Messaging.TestHost.Consumers;
using FanPin.Messaging.Transport;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace FanPin.Messaging.Tests;

public class OutboxBackoffTests
{
    [Theory]
    [InlineData(1, 1000)]
    [InlineData(2, 2000)]
    [InlineData(3, 4000)]
    [InlineData(6, 32000)]
    [InlineData(7, 60000)]
    [InlineData(40, 60000)]
    public void The_delay_doubles_per_failure_up_to_the_cap(int failures, int expectedMs) =>
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), OutboxBackoff.Delay(failures, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), random: 0));

    [Fact]
    public void Jitter_only_shortens_the_delay_by_at_most_a_fifth()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(3200), OutboxBackoff.Delay(3, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), random: 1));
        Assert.Equal(TimeSpan.FromMilliseconds(3600), OutboxBackoff.Delay(3, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), random: 0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => OutboxBackoff.Delay(0, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), 0));
    }
}

public class AddIntegrationEventTests
{
    private static ScenarioDbContext Context() => Db.Context("Host=unused;Database=unused");

    [Fact]
    public void An_internal_event_becomes_one_bus_row_ordered_by_its_household()
    {
        using var db = Context();
        var changed = Events.Changed(Events.Household(1), 3);
        db.AddIntegrationEvent(changed);
        var row = Assert.Single(db.ChangeTracker.Entries<OutboxMessage>()).Entity;
        Assert.Equal(OutboxDestination.Bus, row.Destination);
        Assert.Equal(changed.EventId, row.EventId);
        Assert.Equal("FanPin.IntegrationEvents.HouseholdChanged", row.EventType);
        Assert.Equal(Events.Household(1).ToString("N"), row.PartitionKey);
        Assert.Null(row.RoutingKey);
        Assert.Equal(changed, JsonSerializer.Deserialize<HouseholdChanged>(row.Payload, Serialization.EventJson.Options)! with { ChangedFields = changed.ChangedFields });
    }

    [Fact]
    public void A_public_event_also_gets_a_row_for_the_public_exchange_with_its_routing_key()
    {
        using var db = Context();
        db.AddIntegrationEvent(PublicEventSamples.For(typeof(WarningEscalated), "620102003004"));
        var rows = db.ChangeTracker.Entries<OutboxMessage>().Select(e => e.Entity).OrderBy(r => r.Destination).ToList();
        Assert.Equal([OutboxDestination.Bus, OutboxDestination.PublicExchange], rows.Select(r => r.Destination));
        Assert.Equal("warning.escalated.62.01.02.003.004", rows[1].RoutingKey);
        Assert.Equal(rows[0].Payload, rows[1].Payload);
    }

    [Fact]
    public void An_event_without_a_household_is_ordered_per_region()
    {
        using var db = Context();
        db.AddIntegrationEvent(new FeedOverdue { RegionCode = "620102000000", HouseholdId = null, Department = "CivilAffairs", Period = "2026-10", DueDate = new DateOnly(2026, 11, 5) });
        Assert.Equal("region:620102000000", Assert.Single(db.ChangeTracker.Entries<OutboxMessage>()).Entity.PartitionKey);
    }

    [Theory]
    [InlineData("6201020010", "not 12 digits")]
    [InlineData("0001020010xx", "not 12 digits")]
    [InlineData("000102001001", "no province part")]
    public void A_bad_region_code_is_refused_before_anything_is_written(string region, string why)
    {
        using var db = Context();
        var error = Assert.Throws<ArgumentException>(() => db.AddIntegrationEvent(Events.Changed(Events.Household(1), 1, region)));
        Assert.Contains(why, error.Message, StringComparison.Ordinal);
        Assert.Empty(db.ChangeTracker.Entries<OutboxMessage>());
    }

    [Fact]
    public void A_local_time_is_refused()
    {
        using var db = Context();
        var local = Events.Changed(Events.Household(1), 1) with { OccurredAt = new DateTimeOffset(2026, 11, 23, 16, 0, 0, TimeSpan.FromHours(8)) };
        Assert.Contains("must be UTC", Assert.Throws<ArgumentException>(() => db.AddIntegrationEvent(local)).Message, StringComparison.Ordinal);
    }
}

public class TransientExceptionTests
{
    public static TheoryData<Exception, bool> Cases() => new()
    {
        { new TimeoutException(), true },
        { new DbUpdateConcurrencyException("row changed"), true },
        { new PostgresException("could not serialize access", "ERROR", "ERROR", PostgresErrorCodes.SerializationFailure), true },
        { new DbUpdateException("save failed", new PostgresException("deadlock detected", "ERROR", "ERROR", PostgresErrorCodes.DeadlockDetected)), true },
        { new DbUpdateException("save failed", new PostgresException("duplicate key", "ERROR", "ERROR", PostgresErrorCodes.UniqueViolation)), false },
        { new InvalidOperationException("poison: household unknown"), false },
        { new ArgumentException("bad region"), false },
        { new AggregateException(new ArgumentException("a"), new TimeoutException()), true },
        { new InvalidOperationException("wrapper", new NpgsqlException("connection reset", new IOException())), true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Only_failures_another_attempt_can_cure_are_retried(Exception exception, bool transient) =>
        Assert.Equal(transient, TransientExceptions.IsTransient(exception));
}

public class ConventionTests
{
    [Theory]
    [InlineData("amqp://guest:guest@127.0.0.1:5673/t01abc", "127.0.0.1", 5673, "t01abc", "guest", false)]
    [InlineData("amqp://svc:p%40ss@mq.example/", "mq.example", 5672, "/", "svc", false)]
    [InlineData("amqps://svc:pw@mq.example/fan%2Fpin", "mq.example", 5671, "fan/pin", "svc", true)]
    [InlineData("amqp://mq.example", "mq.example", 5672, "/", "guest", false)]
    public void The_messaging_connection_string_is_an_amqp_URI_with_the_vhost(string uri, string host, int port, string vhost, string user, bool ssl)
    {
        var broker = BrokerAddress.Parse(new Uri(uri));
        Assert.Equal((host, (ushort)port, vhost, user, ssl), (broker.Host, broker.Port, broker.VirtualHost, broker.UserName, broker.UseSsl));
    }

    [Fact]
    public void Passwords_are_unescaped_and_other_schemes_refused()
    {
        Assert.Equal("p@ss", BrokerAddress.Parse(new Uri("amqp://svc:p%40ss@mq.example/")).Password);
        Assert.Throws<FormatException>(() => BrokerAddress.Parse(new Uri("http://mq.example/")));
    }

    [Fact]
    public void Queues_are_named_after_the_service_and_the_consumer_in_kebab_case()
    {
        var formatter = new KebabCaseEndpointNameFormatter("registry-", includeNamespace: false);
        Assert.Equal("registry-household-changed", formatter.Consumer<HouseholdChangedConsumer>());
        Assert.Equal("registry-member-changed", formatter.Consumer<MemberChangedConsumer>());
    }

    [Fact]
    public void The_relay_writes_the_envelope_MassTransit_consumers_read()
    {
        var raised = (WarningRaised)PublicEventSamples.For(typeof(WarningRaised));
        var payload = JsonSerializer.Serialize(raised, Serialization.EventJson.Options);
        var body = MassTransitEnvelope.Serialize(payload, typeof(WarningRaised), raised.EventId, raised.CorrelationId,
            new Uri("rabbitmq://h/v/grading-outbox"), new Uri("rabbitmq://h/v/FanPin.IntegrationEvents:WarningRaised"), DateTimeOffset.UtcNow);
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        Assert.Equal("FanPin.IntegrationEvents:WarningRaised", MassTransitEnvelope.ExchangeOf(typeof(WarningRaised)));
        Assert.Equal("urn:message:FanPin.IntegrationEvents:WarningRaised", Assert.Single(root.GetProperty("messageType").EnumerateArray()).GetString());
        Assert.Equal(raised.EventId, root.GetProperty("messageId").GetGuid());
        Assert.Equal(raised.CorrelationId, root.GetProperty("correlationId").GetGuid());
        Assert.Equal(raised.CorrelationId, root.GetProperty("conversationId").GetGuid());
        Assert.Equal("II", root.GetProperty("message").GetProperty("grade").GetString());
        var message = root.GetProperty("message").Deserialize<WarningRaised>(Serialization.EventJson.Options);
        // Records compare lists by reference: compare the lists by content, the rest as records.
        Assert.NotNull(message);
        Assert.Equal(raised.RiskTypes, message.RiskTypes);
        Assert.Equal(raised.SignalCodes, message.SignalCodes);
        Assert.Equal(raised.MemberLabourAbilities, message.MemberLabourAbilities);
        Assert.Equal(raised, message with { RiskTypes = raised.RiskTypes, SignalCodes = raised.SignalCodes, MemberLabourAbilities = raised.MemberLabourAbilities });
    }
}
