using System.Net;
using FanPin.Contracts.Notification.V1;
using FanPin.Grpc;
using FanPin.IntegrationEvents;
using static FanPin.Notification.Tests.NotificationServer;

namespace FanPin.Notification.Tests;

/// <summary>One running service for the integration tests (they run one after the other and filter by their own events).</summary>
[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<NotificationServer>
{
    /// <summary>Name.</summary>
    public const string Name = "notification server";
}

/// <summary>Consumers, the inbox, acknowledging and watching, on real PostgreSQL and RabbitMQ.</summary>
[Collection(ServerCollection.Name)]
public class InboxTests(NotificationServer server)
{
    [Fact]
    public async Task The_service_migrates_seeds_the_default_rules_and_reports_healthy()
    {
        using var http = new HttpClient { BaseAddress = server.HealthAddress };
        await Eventually(async () => (await http.GetAsync(new Uri("/health", UriKind.Relative))).StatusCode == HttpStatusCode.OK, "healthy");
        var report = await http.GetStringAsync(new Uri("/health", UriKind.Relative));
        Assert.Contains("\"redis\":{\"status\":\"Healthy\"", report, StringComparison.Ordinal);
        var rules = (await server.As(Callers.Province()).ListRulesAsync(new ListRulesRequest())).Rules;
        Assert.True(rules.Count(r => r.RegionPrefix == "") == 11, string.Join("\n", rules));
        var gradeOne = Assert.Single(rules, r => r is { EventType: "WarningRaised", Grade: "I", RegionPrefix: "" });
        Assert.Equal([RecipientRole.Helper, RecipientRole.Village, RecipientRole.Township, RecipientRole.County], gradeOne.Recipients);
        Assert.Contains("{rule}", gradeOne.Template, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_WarningRaised_delivered_twice_notifies_each_recipient_once()
    {
        var e = Events.Raised(WarningGrade.I);
        await server.PublishAsync(e, times: 2);
        await Eventually(async () => await server.CountAsync("SELECT count(*) FROM inbox_message WHERE event_id = @e", ("e", e.EventId)) == 1
            && await server.CountAsync("SELECT count(*) FROM notifications WHERE event_id = @e", ("e", e.EventId)) == 4, "four notifications");
        // Let the duplicate be processed (or not) before counting again: the total must stay four.
        await Task.Delay(1000);
        Assert.Equal(4, await server.CountAsync("SELECT count(*) FROM notifications WHERE event_id = @e AND channel = 'InApp'", ("e", e.EventId)));
        Assert.Equal(
            ["county:620102", $"helper:620102001001:{e.HouseholdId:D}", "township:620102001", "village:620102001001"],
            (await server.As(Callers.Province()).ListNotificationsAsync(new ListNotificationsRequest { RegionPrefix = "620102001001", Limit = 500 })).Notifications
                .Where(n => n.EventId == e.EventId.ToString()).Select(n => n.Recipient).Order(StringComparer.Ordinal));

        var county = (await server.As(Callers.County()).ListNotificationsAsync(new ListNotificationsRequest { Limit = 500 })).Notifications.Where(n => n.EventId == e.EventId.ToString()).ToList();
        var mine = Assert.Single(county);
        Assert.Equal("county:620102", mine.Recipient);
        Assert.Contains("Ⅰ级红色预警", mine.Text, StringComparison.Ordinal);
        Assert.Contains(e.ReasonRuleId, mine.Text, StringComparison.Ordinal);
        Assert.Contains(e.HouseholdId!.Value.ToString("D"), mine.Text, StringComparison.Ordinal);
        // The village reads its own and its helpers' notifications.
        var village = (await server.As(Callers.VillageCadre()).ListNotificationsAsync(new ListNotificationsRequest { Limit = 500 })).Notifications.Where(n => n.EventId == e.EventId.ToString());
        Assert.Equal(2, village.Count());
    }

    [Fact]
    public async Task Acknowledge_works_once_and_only_for_the_recipient()
    {
        var e = Events.Raised(WarningGrade.II);
        await server.PublishAsync(e);
        await Eventually(async () => await server.CountAsync("SELECT count(*) FROM notifications WHERE event_id = @e AND recipient = 'township:620102001'", ("e", e.EventId)) == 1, "township notified");
        var township = server.As(Callers.Township());
        var n = (await township.ListNotificationsAsync(new ListNotificationsRequest { UnacknowledgedOnly = true, Limit = 500 })).Notifications.Single(x => x.EventId == e.EventId.ToString());

        var other = await Assert.ThrowsAsync<RpcException>(async () => await server.As(Callers.Township("620102002")).AcknowledgeNotificationAsync(new AcknowledgeNotificationRequest { NotificationId = n.Id }));
        Assert.Equal(StatusCode.NotFound, other.StatusCode);
        var county = await Assert.ThrowsAsync<RpcException>(async () => await server.As(Callers.County()).AcknowledgeNotificationAsync(new AcknowledgeNotificationRequest { NotificationId = n.Id }));
        Assert.Equal(StatusCode.NotFound, county.StatusCode);

        var acked = (await township.AcknowledgeNotificationAsync(new AcknowledgeNotificationRequest { NotificationId = n.Id })).Notification;
        Assert.Equal("township:township-office", acked.AcknowledgedBy);
        Assert.NotNull(acked.AcknowledgedAt);
        var again = await Assert.ThrowsAsync<RpcException>(async () => await township.AcknowledgeNotificationAsync(new AcknowledgeNotificationRequest { NotificationId = n.Id }));
        Assert.Equal(StatusCode.FailedPrecondition, again.StatusCode);
        Assert.Contains("already acknowledged", again.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain((await township.ListNotificationsAsync(new ListNotificationsRequest { UnacknowledgedOnly = true, Limit = 500 })).Notifications, x => x.Id == n.Id);
    }

    [Fact]
    public async Task Bad_inbox_requests_are_refused_with_the_field_or_the_reason()
    {
        var county = server.As(Callers.County());
        var bad = await Assert.ThrowsAsync<RpcException>(async () => await county.AcknowledgeNotificationAsync(new AcknowledgeNotificationRequest { NotificationId = "nope" }));
        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);
        Assert.Contains("notification_id", bad.Status.Detail, StringComparison.Ordinal);
        var prefix = await Assert.ThrowsAsync<RpcException>(async () => await county.ListNotificationsAsync(new ListNotificationsRequest { RegionPrefix = "62x" }));
        Assert.Equal(StatusCode.InvalidArgument, prefix.StatusCode);
        Assert.Contains("region_prefix", prefix.Status.Detail, StringComparison.Ordinal);
        var limit = await Assert.ThrowsAsync<RpcException>(async () => await county.ListNotificationsAsync(new ListNotificationsRequest { Limit = 501 }));
        Assert.Contains("limit", limit.Status.Detail, StringComparison.Ordinal);
        var outside = await Assert.ThrowsAsync<RpcException>(async () => await county.ListNotificationsAsync(new ListNotificationsRequest { RegionPrefix = "620103" }));
        Assert.Equal(StatusCode.PermissionDenied, outside.StatusCode);
        var downstream = await Assert.ThrowsAsync<RpcException>(async () => await server.As(Callers.Downstream()).ListNotificationsAsync(new ListNotificationsRequest()));
        Assert.Equal(StatusCode.PermissionDenied, downstream.StatusCode);
        var anonymous = await Assert.ThrowsAsync<RpcException>(async () => await server.As(null).ListNotificationsAsync(new ListNotificationsRequest()));
        Assert.Equal(StatusCode.Unauthenticated, anonymous.StatusCode);
        var stream = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var call = county.WatchNotifications(new WatchNotificationsRequest { RegionPrefix = "63" });
            await call.ResponseStream.MoveNext(CancellationToken.None);
        });
        Assert.Equal(StatusCode.PermissionDenied, stream.StatusCode);
    }

    [Fact]
    public async Task A_task_assigned_to_a_department_reaches_that_department_and_the_township()
    {
        var e = new TaskAssigned
        {
            RegionCode = Callers.Village, HouseholdId = Guid.NewGuid(), TaskId = Guid.NewGuid(), PlanId = Guid.NewGuid(),
            MeasureCode = "medical-assistance", AssigneeKind = "Department", Assignee = "MedicalInsurance", DueDate = new DateOnly(2026, 3, 20),
        };
        await server.PublishAsync(e);
        await Eventually(async () => await server.CountAsync("SELECT count(*) FROM notifications WHERE event_id = @e", ("e", e.EventId)) == 2, "department and township notified");
        var medical = (await server.As(Callers.Department(department: "MedicalInsurance")).ListNotificationsAsync(new ListNotificationsRequest { Limit = 500 })).Notifications
            .Single(n => n.EventId == e.EventId.ToString());
        Assert.Equal("department:MedicalInsurance:620102", medical.Recipient);
        Assert.Contains("medical-assistance", medical.Text, StringComparison.Ordinal);
        Assert.Contains("2026-03-20", medical.Text, StringComparison.Ordinal);
        // Another department of the same county does not see it.
        Assert.DoesNotContain((await server.As(Callers.Department()).ListNotificationsAsync(new ListNotificationsRequest { Limit = 500 })).Notifications,
            n => n.EventId == e.EventId.ToString());
        Assert.Single((await server.As(Callers.Township()).ListNotificationsAsync(new ListNotificationsRequest { Limit = 500 })).Notifications,
            n => n.EventId == e.EventId.ToString());
    }

    [Fact]
    public async Task Every_consumed_event_type_reaches_the_default_rules_recipients()
    {
        var household = Guid.NewGuid();
        var warning = Guid.NewGuid();
        IntegrationEvent[] events =
        [
            new WarningGradeChanged { RegionCode = "620102001401", HouseholdId = household, WarningId = warning, PreviousGrade = WarningGrade.III, Grade = WarningGrade.II, ReasonRuleId = "r2", Sequence = 2 },
            new WarningEscalated { RegionCode = "620102001401", HouseholdId = household, WarningId = warning, Grade = WarningGrade.II, ReasonRuleId = "r2", EscalationLevel = 1, Sequence = 3 },
            new WarningCleared { RegionCode = "620102001401", HouseholdId = household, WarningId = warning, PreviousGrade = WarningGrade.II, ReasonRuleId = "r3", Sequence = 4 },
            new FeedOverdue { RegionCode = "620102000000", HouseholdId = null, Department = "Education", Period = "2026-03", DueDate = new DateOnly(2026, 3, 5) },
        ];
        string[][] expected =
        [
            [$"helper:620102001401:{household:D}", "village:620102001401"],
            ["county:620102"],
            [$"helper:620102001401:{household:D}", "village:620102001401"],
            ["county:620102", "department:Education:620102"],
        ];
        string[] fragments = ["由III级调整为II级", "已升级至第1级", "原II级预警已解除", "Education2026-03期数据应于2026-03-05前推送"];
        foreach (var e in events)
        {
            await server.PublishAsync((dynamic)e);
        }
        for (var i = 0; i < events.Length; i++)
        {
            var id = events[i].EventId;
            await Eventually(async () => await server.CountAsync("SELECT count(*) FROM notifications WHERE event_id = @e", ("e", id)) == expected[i].Length, $"{events[i].GetType().Name} notified");
            var rows = (await server.As(Callers.Province()).ListNotificationsAsync(new ListNotificationsRequest { RegionPrefix = "620102", Limit = 500 })).Notifications
                .Where(n => n.EventId == id.ToString()).ToList();
            Assert.Equal(expected[i], rows.Select(n => n.Recipient).Order(StringComparer.Ordinal));
            Assert.All(rows, n => Assert.Contains(fragments[i], n.Text, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Every_rpc_of_the_contract_is_implemented()
    {
        var overridable = typeof(NotificationService.NotificationServiceBase).GetMethods().Where(m => m.IsVirtual && m.DeclaringType == typeof(NotificationService.NotificationServiceBase)).ToList();
        Assert.Equal(11, overridable.Count);
        Assert.All(overridable, m => Assert.Equal(typeof(FanPin.Notification.Grpc.NotificationGrpcService),
            typeof(FanPin.Notification.Grpc.NotificationGrpcService).GetMethod(m.Name, m.GetParameters().Select(p => p.ParameterType).ToArray())!.DeclaringType));
    }

    [Fact]
    public async Task Watch_streams_the_callers_new_notifications_and_those_of_a_region()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var mine = server.As(Callers.County()).WatchNotifications(new WatchNotificationsRequest(), cancellationToken: cts.Token);
        using var region = server.As(Callers.Province()).WatchNotifications(new WatchNotificationsRequest { RegionPrefix = "620102001" }, cancellationToken: cts.Token);
        await mine.ResponseHeadersAsync;
        await region.ResponseHeadersAsync;
        var e = Events.Raised(WarningGrade.I);
        await server.PublishAsync(e);

        var received = new List<FanPin.Contracts.Notification.V1.Notification>();
        while (received.Count == 0 && await mine.ResponseStream.MoveNext(cts.Token))
        {
            if (mine.ResponseStream.Current.Notification.EventId == e.EventId.ToString())
            {
                received.Add(mine.ResponseStream.Current.Notification);
            }
        }
        Assert.Equal("county:620102", Assert.Single(received).Recipient);
        var regional = new HashSet<string>();
        while (regional.Count < 4 && await region.ResponseStream.MoveNext(cts.Token))
        {
            if (region.ResponseStream.Current.Notification.EventId == e.EventId.ToString())
            {
                regional.Add(region.ResponseStream.Current.Notification.Recipient);
            }
        }
        Assert.Equal(4, regional.Count);
    }
}
