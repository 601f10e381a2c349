using System.Text.Json;
using FanPin.Contracts.Monitoring.V1;
using FanPin.EndToEnd.Tests.Harness;
using Xunit.Abstractions;
using FanPin.Grpc;
using Grading = FanPin.Contracts.Grading.V1;
using Notification = FanPin.Contracts.Notification.V1;
using Registry = FanPin.Contracts.Registry.V1;

namespace FanPin.EndToEnd.Tests;

/// <summary>
/// DOMAIN.md §4–§7: a department alert (部门筛查预警). The medical-insurance feed reports a self-paid bill over the
/// warning line; monitoring signals it; the registry opens an identification case by itself (source: system
/// signal); grading raises a grade I warning; downstream systems hear it on the CloudEvents exchange (bound to their
/// county only) and over WatchWarnings.
/// </summary>
[Collection(StackCollection.Name)]
public class MedicalBillWarningScenario(Stack stack, ITestOutputHelper log)
{
    private const string Village = "620122100001";       // 石洞镇第1村, 皋兰县
    private const string OtherVillage = "620123100001";  // 城关镇第1村, 榆中县: another county

    [Fact]
    public async Task A_medical_bill_over_the_warning_line_raises_grade_I_heard_on_the_exchange_and_the_watch()
    {
        // Downstream subscribers bind first: the exchange keeps nothing for a queue that does not exist yet.
        await using var countyQueue = await Subscriber.PublicAsync(stack.Messaging, "warning.*.62.01.22.#");
        await using var provinceQueue = await Subscriber.PublicAsync(stack.Messaging, "warning.*.62.#");
        await using var watch = new WarningWatch(stack.As(stack.Token(FanPin.ServiceDefaults.Authentication.CallerRole.Downstream, Stack.County)), Stack.County);

        // A downstream system's webhook for the county's raised warnings (notification service).
        using var webhook = new WebhookReceiver();
        string? webhookProblem = null;
        try
        {
            var subscription = await stack.CountyOffice.Notifications.CreateWebhookSubscriptionAsync(new Notification.CreateWebhookSubscriptionRequest
            {
                Name = "皋兰县大数据平台 (e2e)", Url = webhook.Url, RegionPrefix = Stack.County, EventTypes = { "WarningRaised" },
            });
            webhook.Secret = subscription.Secret;
        }
        catch (Exception ex) when (ex is RpcException or InvalidOperationException)
        {
            webhookProblem = $"notification CreateWebhookSubscription failed: {ex.Message}";
        }

        // A chronically ill farmer living alone, unable to work; and one like him in the neighbouring county.
        var sick = Households.Member("马长青", Registry.Relation.Head, Registry.LabourAbility.Lost, Registry.HealthCondition.SeriousIllness, 1958);
        var household = await Steps.RegisterAsync(stack, Households.In(Village, Registry.HouseholdCategory.PovertyAlleviated, sick));
        var neighbour = Households.Member("王秀兰", Registry.Relation.Head, Registry.LabourAbility.Lost, Registry.HealthCondition.SeriousIllness, 1955);
        var otherHousehold = await Steps.RegisterAsync(stack, Households.In(OtherVillage, Registry.HouseholdCategory.PovertyAlleviated, neighbour));
        await Steps.KnownToMonitoringAsync(stack, household);
        await Steps.KnownToMonitoringAsync(stack, otherHousehold);

        // The medical-insurance feed for this month: 30,000 CNY self-paid for each (the line is 5,000).
        FeedRow[] rows =
        [
            new() { RowNumber = 1, IdNumber = sick.IdNumber, Item = "medical_self_paid", Month = Households.Month(-1), AmountFen = 3_000_000, Reference = "MI-2026-000101" },
            new() { RowNumber = 2, IdNumber = neighbour.IdNumber, Item = "medical_self_paid", Month = Households.Month(-1), AmountFen = 3_000_000, Reference = "MI-2026-000102" },
        ];
        var feed = await Steps.ImportFeedAsync(stack, "medical-insurance", "e2e-medical-insurance-a", rows);
        Assert.True(feed.Applied == 2, $"feed rows applied: {feed.Applied}; rejections: {string.Join("; ", feed.Rejections.Select(r => $"row {r.RowNumber} {r.Outcome}: {r.Reason}"))}");

        var evaluation = await Steps.SignalAsync(stack, household, "MedicalCostAboveWarningLine");
        var signal = evaluation.Signals.Single(s => s.Code == "MedicalCostAboveWarningLine");
        Assert.Equal("monitoring.warning_lines.medical_self_paid", signal.PolicyKey);

        // The registry opens an identification case by itself: the household becomes a candidate.
        await Eventually.That("the registry opens an identification case from the signal (household becomes Candidate)",
            "monitoring → registry: monitoring publishes RiskSignalsDetected through its outbox (branch `monitoring`); the registry consumes it (main)",
            async () =>
            {
                var h = (await stack.CountyOffice.Households.GetHouseholdAsync(new Registry.GetHouseholdRequest { HouseholdId = household })).Household;
                return (h.Status == Registry.MonitoringStatus.Candidate, $"status {h.Status}");
            });
        var caseId = await Eventually.Until("the household names its open identification case (GetHousehold)", "registry", async () =>
        {
            var h = await stack.CountyOffice.Households.GetHouseholdAsync(new Registry.GetHouseholdRequest { HouseholdId = household });
            return (h.OpenIdentificationCaseId.Length > 0 ? h.OpenIdentificationCaseId : null, $"status {h.Household.Status}, open case '{h.OpenIdentificationCaseId}'");
        });
        var identification = (await stack.CountyOffice.Identification.GetIdentificationCaseAsync(new Registry.GetIdentificationCaseRequest { CaseId = caseId })).IdentificationCase;
        Assert.Equal(Registry.CaseSource.SystemSignal, identification.Source);
        Assert.Equal(Registry.IdentificationState.AwaitingHomeVerification, identification.State);
        Assert.Contains("MedicalCostAboveWarningLine", identification.Summary, StringComparison.Ordinal);

        // Grading: grade I (complete loss of labour, with a risk factor), with its reason.
        var history = await Steps.GradeAsync(stack, household, Grading.WarningGrade.One,
            "monitoring → grading: grading consumes RiskSignalsDetected and the registry's household events (branch `grading`)");
        var raised = history.Changes.Last();
        Assert.Equal(Grading.WarningGrade.Unspecified, raised.FromGrade);
        Assert.StartsWith("grade-one.", raised.Reason.RuleId, StringComparison.Ordinal);
        Assert.Contains("MedicalCostAboveWarningLine", raised.Reason.RiskFactors);
        var warningId = history.OpenWarningId;

        // WatchWarnings (a county's downstream token): the raise, in the county's stream.
        var entry = await Eventually.Until("WatchWarnings delivers the WarningRaised", "grading's warning log (in grading itself)", () =>
            Task.FromResult((watch.Entries.FirstOrDefault(e => e.HouseholdId == household && e.EventType == Grading.WarningEventType.Raised),
                watch.Error ?? $"{watch.Entries.Count} entries")));
        Assert.Equal((warningId, Grading.WarningGrade.One, Village), (entry.WarningId, entry.Grade, entry.RegionCode));
        Assert.All(watch.Entries, e => Assert.StartsWith(Stack.County, e.RegionCode, StringComparison.Ordinal));

        // The CloudEvents exchange: the county's binding receives the raise as a valid CloudEvent, and nothing else
        // than its own county's events, while the province binding shows the other county's raise exists.
        var cloudEvent = await Eventually.Until("WarningRaised arrives on the exchange fanpin.events (county binding)",
            "grading publishes WarningRaised through its outbox to the public exchange (branch `grading`)",
            () => Task.FromResult((countyQueue.Messages.FirstOrDefault(m => m.Body.TryGetProperty("subject", out var s) && s.GetString() == household && m.Type == "cn.fanpin.warning.raised.v1"),
                $"{countyQueue.Messages.Count} messages: {string.Join(", ", countyQueue.Messages.Select(m => m.RoutingKey))}")));
        AssertCloudEvent(cloudEvent, "cn.fanpin.warning.raised.v1", household, Village);
        var data = cloudEvent.Body.GetProperty("data");
        Assert.Equal(entry.EventId, cloudEvent.Body.GetProperty("id").GetString());
        Assert.Equal(warningId, data.GetProperty("warningId").GetString());
        Assert.Equal("I", data.GetProperty("grade").GetString());
        Assert.Equal(entry.Sequence, data.GetProperty("sequence").GetInt64());
        Assert.Equal("warning.raised.62.01.22.100.001", cloudEvent.RoutingKey);

        // Delivered once: one event id for the raise, however the relay or the broker retried.
        Assert.Single(countyQueue.Messages.Where(m => m.Type == "cn.fanpin.warning.raised.v1" && m.Body.GetProperty("subject").GetString() == household).Select(m => m.MessageId).Distinct());
        await Eventually.That("the other county's WarningRaised reaches the province binding", "grading outbox (branch `grading`)",
            () => Task.FromResult((provinceQueue.Messages.Any(m => m.Body.GetProperty("subject").GetString() == otherHousehold), $"{provinceQueue.Messages.Count} messages")));
        Assert.All(countyQueue.Messages, m =>
        {
            Assert.StartsWith(Stack.County, m.Body.GetProperty("regioncode").GetString(), StringComparison.Ordinal);
            Assert.StartsWith("warning.", m.RoutingKey, StringComparison.Ordinal);
        });
        Assert.DoesNotContain(countyQueue.Messages, m => m.Body.GetProperty("subject").GetString() == otherHousehold);
        // The webhook fires: the same CloudEvent, signed with the subscription's secret.
        Assert.True(webhookProblem is null, $"STEP FAILED: {webhookProblem}");
        var call = await Eventually.Until("the webhook fires with the WarningRaised",
            "grading → notification: notification consumes WarningRaised and POSTs it to subscribed webhooks (branch `notification`)",
            () => Task.FromResult((webhook.Calls.FirstOrDefault(c => c.Body.TryGetProperty("subject", out var s) && s.GetString() == household),
                $"{webhook.Calls.Count} calls")));
        Assert.True(call.SignatureValid, "the webhook's X-FanPin-Signature does not verify with the subscription's secret");
        Assert.StartsWith("application/cloudevents+json", call.ContentType, StringComparison.Ordinal);
        Assert.Equal(entry.EventId, call.Body.GetProperty("id").GetString());
        Assert.Equal("cn.fanpin.warning.raised.v1", call.Body.GetProperty("type").GetString());
        Assert.DoesNotContain(webhook.Calls, c => c.Body.GetProperty("subject").GetString() == otherHousehold);
        // The department sends the same feed again (a retry): nothing is applied, nothing is announced again.
        var again = await Steps.ImportFeedAsync(stack, "medical-insurance", "e2e-medical-insurance-a", rows);
        Assert.Equal((2, 0), (again.AlreadyImported, again.Applied));
        await Task.Delay(TimeSpan.FromSeconds(5));
        Assert.Single(watch.Entries, e => e.HouseholdId == household);
        Assert.Single(countyQueue.Messages.Where(m => m.Body.GetProperty("subject").GetString() == household).Select(m => m.MessageId).Distinct());
        log.WriteLine($"grade I warning {warningId} (rule {raised.Reason.RuleId}), case {caseId}, sequence {entry.Sequence}");
    }

    /// <summary>CloudEvents 1.0 structured mode as docs/events.md specifies it.</summary>
    internal static void AssertCloudEvent(Received message, string type, string household, string village)
    {
        var body = message.Body;
        Assert.Equal("application/cloudevents+json", message.ContentType);
        Assert.Equal("1.0", body.GetProperty("specversion").GetString());
        Assert.True(Guid.TryParse(body.GetProperty("id").GetString(), out _), "id is a UUID");
        Assert.Equal(body.GetProperty("id").GetString(), message.MessageId);
        Assert.Equal(type, body.GetProperty("type").GetString());
        Assert.Equal(type, message.Type);
        Assert.Equal("/fanpin/grading", body.GetProperty("source").GetString());
        Assert.Equal(household, body.GetProperty("subject").GetString());
        Assert.Equal(village, body.GetProperty("regioncode").GetString());
        Assert.Equal("application/json", body.GetProperty("datacontenttype").GetString());
        Assert.True(DateTimeOffset.TryParse(body.GetProperty("time").GetString(), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var time)
            && time.Offset == TimeSpan.Zero, "time is RFC 3339 UTC");
        Assert.Equal(JsonValueKind.Object, body.GetProperty("data").ValueKind);
        Assert.Equal(household, body.GetProperty("data").GetProperty("householdId").GetString());
    }
}
