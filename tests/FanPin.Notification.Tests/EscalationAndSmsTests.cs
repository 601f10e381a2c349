using System.Text.Json;
using FanPin.Contracts.Notification.V1;
using FanPin.Grpc;
using Google.Rpc;
using FanPin.IntegrationEvents;
using FanPin.Notification.Application.Escalation;
using Microsoft.Extensions.DependencyInjection;
using static FanPin.Notification.Tests.NotificationServer;

namespace FanPin.Notification.Tests;

/// <summary>Escalation of ignored grade I notifications; SMS through a configured gateway; rule editing.</summary>
[Collection(ServerCollection.Name)]
public sealed class EscalationAndSmsTests(NotificationServer server) : IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    private async Task<int> ScanAsync()
    {
        await using var scope = server.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ScanEscalations>().HandleAsync(CancellationToken.None);
    }

    [Fact]
    public async Task An_unacknowledged_grade_I_notification_escalates_one_level_up_exactly_once()
    {
        var village = "620102001201";
        var e = Events.Raised(WarningGrade.I, village);
        await server.PublishAsync(e);
        await Eventually(async () => await server.CountAsync("SELECT count(*) FROM notifications WHERE event_id = @e AND channel = 'InApp'", ("e", e.EventId)) == 4, "notified");
        // The village acknowledges its own notification in time; the helper's, township's and county's stay unread.
        var villageClient = server.As(Callers.VillageCadre(village));
        var own = (await villageClient.ListNotificationsAsync(new ListNotificationsRequest { Limit = 500 })).Notifications.Single(n => n.EventId == e.EventId.ToString() && n.Recipient == "village:" + village);
        await villageClient.AcknowledgeNotificationAsync(new AcknowledgeNotificationRequest { NotificationId = own.Id });

        server.Clock.Advance(TimeSpan.FromHours(23));           // default policy: 24 h
        await ScanAsync();
        Assert.Equal(0, await server.CountAsync("SELECT count(*) FROM notifications WHERE event_id = @e AND escalation_of IS NOT NULL", ("e", e.EventId)));

        server.Clock.Advance(TimeSpan.FromHours(2));
        // Concurrent scans (two replicas) and a later one: each notification escalates once.
        await Task.WhenAll(ScanAsync(), ScanAsync(), ScanAsync());
        await ScanAsync();
        Assert.Equal(3, await server.CountAsync("SELECT count(*) FROM notifications WHERE event_id = @e AND escalated_at IS NOT NULL", ("e", e.EventId)));
        Assert.Equal(0, await server.CountAsync($"SELECT count(*) FROM notifications WHERE event_id = @e AND recipient = 'village:{village}' AND escalated_at IS NOT NULL", ("e", e.EventId)));
        // Helper → village (the village already has one for the event: recorded, not duplicated); township → county
        // (already notified, likewise); county → province: the one new notification.
        var escalations = await server.CountAsync("SELECT count(*) FROM notifications WHERE event_id = @e AND escalation_of IS NOT NULL", ("e", e.EventId));
        Assert.Equal(1, escalations);
        var province = (await server.As(Callers.Province()).ListNotificationsAsync(new ListNotificationsRequest { Limit = 500 })).Notifications.Single(n => n.EventId == e.EventId.ToString());
        Assert.Equal("province:62", province.Recipient);
        Assert.NotEmpty(province.EscalationOf);
        Assert.Contains("预警升级", province.Text, StringComparison.Ordinal);
        Assert.Contains("county:620102", province.Text, StringComparison.Ordinal);
        Assert.Equal(5, await server.CountAsync("SELECT count(*) FROM notifications WHERE event_id = @e AND channel = 'InApp'", ("e", e.EventId)));
    }

    [Fact]
    public async Task A_grade_I_warning_goes_by_SMS_through_the_provinces_gateway_and_the_rate_limit_holds()
    {
        var province = server.As(Callers.Province());
        await province.SetSmsGatewayAsync(new SetSmsGatewayRequest
        {
            Url = _receiver.UrlOf("sms"),
            AuthHeaderName = "Authorization",
            AuthHeaderValue = "Bearer gw-token",
            BodyTemplate = "{\"to\":\"{phone}\",\"content\":\"{text}\"}",
        });
        var village = "620102001301";
        var county = server.As(Callers.County());
        var key = (await county.SetContactAsync(new SetContactRequest { Role = RecipientRole.Village, RegionPrefix = village, Phone = "13800138000" })).Recipient;
        Assert.Equal("village:" + village, key);

        var first = Events.Raised(WarningGrade.I, village);
        await server.PublishAsync(first);
        await Eventually(() => Task.FromResult(!_receiver["sms"].Accepted.IsEmpty), "SMS sent");
        var sms = Assert.Single(_receiver["sms"].Accepted);
        Assert.Equal("Bearer gw-token", sms.Headers["Authorization"]);
        // The gateway credential is encrypted at rest: the database holds no copy of it in clear.
        Assert.Equal(0, await server.CountAsync("SELECT count(*) FROM sms_gateways WHERE position('gw-token' in auth_header_value) > 0"));
        Assert.True(await server.CountAsync("SELECT count(*) FROM sms_gateways WHERE auth_header_value LIKE 'v1:%'") >= 1);
        using var body = JsonDocument.Parse(sms.Body);
        Assert.Equal("13800138000", body.RootElement.GetProperty("to").GetString());
        Assert.Contains(first.HouseholdId!.Value.ToString("D"), body.RootElement.GetProperty("content").GetString(), StringComparison.Ordinal);
        await Eventually(async () => await server.CountAsync("SELECT count(*) FROM notifications WHERE event_id = @e AND channel = 'Sms' AND sms_status = 'Sent'", ("e", first.EventId)) == 1, "marked sent");

        // The test host allows one SMS per recipient per hour: the second grade I warning is kept in-app only.
        var second = Events.Raised(WarningGrade.I, village);
        await server.PublishAsync(second);
        await Eventually(async () => await server.CountAsync("SELECT count(*) FROM notifications WHERE event_id = @e AND channel = 'Sms' AND sms_status = 'RateLimited'", ("e", second.EventId)) == 1, "rate limited");
        Assert.Single(_receiver["sms"].Accepted);
        Assert.Equal(1, await server.CountAsync("SELECT count(*) FROM notifications WHERE event_id = @e AND channel = 'InApp' AND recipient = @r", ("e", second.EventId), ("r", key)));

        var bad = await Assert.ThrowsAsync<RpcException>(async () => await county.SetContactAsync(new SetContactRequest { Role = RecipientRole.Village, RegionPrefix = village, Phone = "12345" }));
        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);
        Assert.Contains("phone", bad.Status.Detail, StringComparison.Ordinal);
        var gateway = await Assert.ThrowsAsync<RpcException>(async () => await province.SetSmsGatewayAsync(new SetSmsGatewayRequest { Url = "x", BodyTemplate = "{text}" }));
        Assert.Equal(["url", "body_template"], gateway.GetDetail<BadRequest>()!.FieldViolations.Select(f => f.Field));
        Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(async () => await county.SetSmsGatewayAsync(new SetSmsGatewayRequest { Url = "http://x/", BodyTemplate = "{phone}{text}" }))).StatusCode);
    }

    [Fact]
    public async Task A_province_rule_overrides_the_default_and_bad_rules_write_nothing()
    {
        var province = server.As(Callers.Province());
        var rule = new Rule { EventType = "FeedAnomaly", RegionPrefix = "620102", Template = "【数据异常】{department}{period}：{kind}", Active = true, Recipients = { RecipientRole.County, RecipientRole.Province } };
        var stored = (await province.UpsertRuleAsync(new UpsertRuleRequest { Rule = rule })).Rule;
        Assert.Equal("province:province-it", stored.UpdatedBy);

        var e = new FeedAnomaly { RegionCode = "620102000000", HouseholdId = null, Department = "MedicalInsurance", Period = "2026-02", Kind = "RowCountDrop", Detail = "rows 12 vs usual 4000" };
        await server.PublishAsync(e);
        await Eventually(async () => await server.CountAsync("SELECT count(*) FROM notifications WHERE event_id = @e", ("e", e.EventId)) == 2, "notified by the province's rule");
        var text = (await server.As(Callers.County()).ListNotificationsAsync(new ListNotificationsRequest { Limit = 500 })).Notifications.Single(n => n.EventId == e.EventId.ToString()).Text;
        Assert.Equal("【数据异常】MedicalInsurance2026-02：RowCountDrop", text);
        // The default would also have told the department; the province's rule does not.
        Assert.Equal(0, await server.CountAsync("SELECT count(*) FROM notifications WHERE event_id = @e AND recipient_role = 'Department'", ("e", e.EventId)));

        var before = await server.CountAsync("SELECT count(*) FROM rules");
        var updatedBefore = await server.CountAsync("SELECT count(*) FROM rules WHERE updated_at = (SELECT max(updated_at) FROM rules)");
        async Task<RpcException> Refused(NotificationService.NotificationServiceClient client, Rule r) =>
            await Assert.ThrowsAsync<RpcException>(async () => await client.UpsertRuleAsync(new UpsertRuleRequest { Rule = r }));
        var bad = await Refused(province, new Rule { EventType = "Nope", Grade = "IV", RegionPrefix = "6x", Template = "{who}", Channels = { Channel.InApp } });
        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);
        Assert.Equal(["rule.event_type", "rule.grade", "rule.region_prefix", "rule.recipients", "rule.channels[0]", "rule.template"],
            bad.GetDetail<BadRequest>()!.FieldViolations.Select(f => f.Field));
        Assert.Equal(StatusCode.PermissionDenied, (await Refused(province, rule.Clone().With(r => r.RegionPrefix = "63"))).StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, (await Refused(server.As(Callers.County()), rule)).StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, (await Refused(province, rule.Clone().With(r => r.Id = "00000000-0000-4000-8000-000000000001"))).StatusCode);
        Assert.Equal(StatusCode.NotFound, (await Refused(province, rule.Clone().With(r => r.Id = Guid.NewGuid().ToString()))).StatusCode);
        Assert.Equal(before, await server.CountAsync("SELECT count(*) FROM rules"));
        Assert.Equal(updatedBefore, await server.CountAsync("SELECT count(*) FROM rules WHERE updated_at = (SELECT max(updated_at) FROM rules)"));
    }
}

/// <summary>Small helper for editing a cloned message inline.</summary>
internal static class MessageExtensions
{
    public static T With<T>(this T message, Action<T> edit)
    {
        edit(message);
        return message;
    }
}
