using System.Text.Json;
using FanPin.Contracts.Notification.V1;
using FanPin.Grpc;
using Google.Rpc;
using FanPin.IntegrationEvents;
using static FanPin.Notification.Tests.NotificationServer;

namespace FanPin.Notification.Tests;

/// <summary>Webhooks against a real receiver (Kestrel on loopback): retries, signatures, dead letters, isolation of endpoints.</summary>
[Collection(ServerCollection.Name)]
public sealed class WebhookTests(NotificationServer server) : IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    /// <summary>A subscription on its own village (other tests' events never reach it); the receiver learns its secret.</summary>
    private async Task<(string Id, string Village)> SubscribeAsync(string endpoint, string village, params string[] eventTypes)
    {
        var request = new CreateWebhookSubscriptionRequest { Name = endpoint, Url = _receiver.UrlOf(endpoint), RegionPrefix = village };
        request.EventTypes.AddRange(eventTypes);
        var created = await server.As(Callers.County()).CreateWebhookSubscriptionAsync(request);
        _receiver[endpoint].Secret = created.Secret;
        Assert.Equal(44, created.Secret.Length);
        // Signing secrets are encrypted at rest (SecretProtector): the row never holds the secret in clear.
        Assert.Equal(0, await server.CountAsync("SELECT count(*) FROM webhook_subscriptions WHERE secret = @s OR secret NOT LIKE 'v1:%'", ("s", created.Secret)));
        return (created.Subscription.Id, village);
    }

    private async Task<IReadOnlyList<WebhookDelivery>> LogAsync(string subscription) =>
        (await server.As(Callers.County()).ListWebhookDeliveriesAsync(new ListWebhookDeliveriesRequest { SubscriptionId = subscription })).Deliveries;

    [Fact]
    public async Task An_endpoint_failing_its_first_calls_gets_the_event_exactly_once_after_retries_signed()
    {
        var (subscription, village) = await SubscribeAsync("flaky", "620102001101");
        _receiver["flaky"].FailFirst = 3;
        var e = Events.Raised(WarningGrade.II, village);
        await server.PublishAsync(e, times: 2);

        // Retries are due on the service's clock: move it a minute at a time until the receiver accepts.
        await Eventually(() => Task.FromResult(!_receiver["flaky"].Accepted.IsEmpty), "accepted delivery", () => server.Clock.Advance(TimeSpan.FromMinutes(1)));
        await Task.Delay(500);
        var accepted = Assert.Single(_receiver["flaky"].Accepted);
        Assert.Equal(4, _receiver["flaky"].CallCount);
        Assert.Equal(0, _receiver["flaky"].BadSignatures);
        using var cloudEvent = JsonDocument.Parse(accepted.Body);
        Assert.Equal(e.EventId.ToString("D"), cloudEvent.RootElement.GetProperty("id").GetString());
        Assert.Equal("cn.fanpin.warning.raised.v1", cloudEvent.RootElement.GetProperty("type").GetString());
        Assert.Equal(village, cloudEvent.RootElement.GetProperty("regioncode").GetString());
        Assert.Equal("II", cloudEvent.RootElement.GetProperty("data").GetProperty("grade").GetString());
        Assert.StartsWith("application/cloudevents+json", accepted.Headers["Content-Type"], StringComparison.Ordinal);
        // Every retry carried the same delivery id.
        Assert.Single(_receiver["flaky"].Calls.Select(c => c.Headers["X-FanPin-Delivery"]).Distinct());

        var delivery = Assert.Single(await LogAsync(subscription));
        Assert.Equal((DeliveryStatus.Delivered, 4, 200), (delivery.Status, delivery.Attempts, delivery.LastStatusCode));

        // The Python receiver of docs/notification.md accepts it too (and refuses a tampered body).
        Assert.Equal("True", await PythonVerifyAsync(_receiver["flaky"].Secret!, accepted.Headers, accepted.Body));
        Assert.Equal("False", await PythonVerifyAsync(_receiver["flaky"].Secret!, accepted.Headers, [.. accepted.Body, (byte)' ']));
    }

    /// <summary>Runs the docs' Python snippet (standard library only) on a received call; the freshness check uses the service's clock.</summary>
    private async Task<string> PythonVerifyAsync(string secret, IReadOnlyDictionary<string, string> headers, byte[] body)
    {
        const string Snippet = """
            import base64, hashlib, hmac, sys, time

            def verify(secret_b64: str, headers, body: bytes) -> bool:
                timestamp = headers["X-FanPin-Timestamp"]
                signature = headers["X-FanPin-Signature"]
                if not signature.startswith("v1=") or abs(time.time() - int(timestamp)) > 300:
                    return False
                expected = hmac.new(base64.b64decode(secret_b64), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
                return hmac.compare_digest(expected, signature[3:])

            time.time = lambda: float(sys.argv[4])
            print(verify(sys.argv[1], {"X-FanPin-Timestamp": sys.argv[2], "X-FanPin-Signature": sys.argv[3]}, sys.stdin.buffer.read()))
            """;
        var start = new System.Diagnostics.ProcessStartInfo("python3") { RedirectStandardInput = true, RedirectStandardOutput = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Snippet);
        start.ArgumentList.Add(secret);
        start.ArgumentList.Add(headers["X-FanPin-Timestamp"]);
        start.ArgumentList.Add(headers["X-FanPin-Signature"]);
        start.ArgumentList.Add(server.Clock.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var process = System.Diagnostics.Process.Start(start)!;
        await process.StandardInput.BaseStream.WriteAsync(body);
        process.StandardInput.Close();
        var output = (await process.StandardOutput.ReadToEndAsync()).Trim();
        await process.WaitForExitAsync();
        return output;
    }

    [Fact]
    public async Task A_dead_endpoint_is_dead_lettered_after_the_budget_and_shows_in_the_log()
    {
        var (subscription, village) = await SubscribeAsync("dead", "620102001102");
        _receiver["dead"].AlwaysFail = true;
        var e = Events.Raised(WarningGrade.III, village);
        await server.PublishAsync(e);
        await Eventually(async () => (await LogAsync(subscription)).Count == 1, "delivery created");

        await Eventually(async () => (await LogAsync(subscription)).Single().Status == DeliveryStatus.DeadLettered, "dead-lettered",
            () => server.Clock.Advance(TimeSpan.FromMinutes(20)));
        var delivery = Assert.Single(await LogAsync(subscription));
        Assert.True(delivery.Attempts > 5, $"{delivery.Attempts} attempts");
        Assert.True(delivery.LastStatusCode == 503, delivery.LastError);
        Assert.Contains("503", delivery.LastError, StringComparison.Ordinal);
        Assert.NotNull(delivery.FinishedAt);
        Assert.Null(delivery.NextAttemptAt);
        // Given up because the next attempt would have been after 24 h; no attempt after that point.
        Assert.True(delivery.FinishedAt.ToDateTimeOffset() <= delivery.CreatedAt.ToDateTimeOffset().AddHours(24).AddMinutes(20), delivery.ToString());
        Assert.True(delivery.FinishedAt.ToDateTimeOffset() >= delivery.CreatedAt.ToDateTimeOffset().AddHours(12), delivery.ToString());
        var calls = _receiver["dead"].CallCount;
        server.Clock.Advance(TimeSpan.FromHours(2));
        await Task.Delay(500);
        Assert.Equal(calls, _receiver["dead"].CallCount);
        var dead = (await server.As(Callers.County()).ListWebhookDeliveriesAsync(new ListWebhookDeliveriesRequest { SubscriptionId = subscription, Status = DeliveryStatus.DeadLettered })).Deliveries;
        Assert.Equal(e.EventId.ToString("D"), Assert.Single(dead).EventId);
    }

    [Fact]
    public async Task A_slow_endpoint_does_not_delay_another_and_each_keeps_its_order()
    {
        var (slowId, village) = await SubscribeAsync("slow", "620102001103");
        var fastRequest = new CreateWebhookSubscriptionRequest { Name = "fast", Url = _receiver.UrlOf("fast"), RegionPrefix = village };
        var fast = await server.As(Callers.County()).CreateWebhookSubscriptionAsync(fastRequest);
        _receiver["fast"].Secret = fast.Secret;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _receiver["slow"].Gate = gate;

        var events = new List<WarningRaised>();
        for (var i = 0; i < 3; i++)
        {
            var e = Events.Raised(WarningGrade.III, village);
            events.Add(e);
            await server.PublishAsync(e);
            // Published one after the other, each consumed before the next: the deliveries' order is the events'.
            await Eventually(async () => await server.CountAsync("SELECT count(*) FROM webhook_deliveries WHERE event_id = @e", ("e", e.EventId)) == 2, "deliveries created");
        }
        await Eventually(() => Task.FromResult(_receiver["fast"].Accepted.Count == 3), "the fast endpoint got all three while the slow one hangs");
        Assert.Equal(1, _receiver["slow"].CallCount);   // the slow endpoint's first delivery is still in flight; nothing overtook it
        Assert.Empty(_receiver["slow"].Accepted);

        gate.SetResult();
        await Eventually(() => Task.FromResult(_receiver["slow"].Accepted.Count == 3), "the slow endpoint got all three once released");
        string IdOf(ReceivedCall c) => JsonDocument.Parse(c.Body).RootElement.GetProperty("id").GetString()!;
        var order = events.Select(e => e.EventId.ToString("D")).ToList();
        Assert.Equal(order, _receiver["slow"].Accepted.Select(IdOf));
        Assert.Equal(order, _receiver["fast"].Accepted.Select(IdOf));
        Assert.All(await LogAsync(slowId), d => Assert.Equal(DeliveryStatus.Delivered, d.Status));
    }

    [Fact]
    public async Task Subscriptions_filter_by_event_type_and_region_and_bad_input_writes_nothing()
    {
        var (subscription, village) = await SubscribeAsync("typed", "620102001104", "TaskOverdue");
        await server.PublishAsync(Events.Raised(WarningGrade.I, village));
        var overdue = new TaskOverdue { RegionCode = village, HouseholdId = Guid.NewGuid(), TaskId = Guid.NewGuid(), PlanId = Guid.NewGuid(), AssigneeKind = "Department", Assignee = "CivilAffairs", DueDate = new DateOnly(2026, 2, 27) };
        await server.PublishAsync(overdue);
        await server.PublishAsync(overdue with { EventId = Guid.CreateVersion7(), RegionCode = "620102001105" });
        await Eventually(() => Task.FromResult(!_receiver["typed"].Accepted.IsEmpty), "task overdue delivered", () => server.Clock.Advance(TimeSpan.FromSeconds(1)));
        await Task.Delay(500);
        var only = Assert.Single(_receiver["typed"].Accepted);
        using var doc = JsonDocument.Parse(only.Body);
        Assert.Equal("cn.fanpin.task.overdue.v1", doc.RootElement.GetProperty("type").GetString());
        Assert.Equal(overdue.EventId.ToString("D"), doc.RootElement.GetProperty("id").GetString());

        var county = server.As(Callers.County());
        var before = await server.CountAsync("SELECT count(*) FROM webhook_subscriptions");
        async Task<RpcException> Refused(CreateWebhookSubscriptionRequest r) => await Assert.ThrowsAsync<RpcException>(async () => await county.CreateWebhookSubscriptionAsync(r));
        var bad = await Refused(new CreateWebhookSubscriptionRequest { Name = "", Url = "ftp://x", RegionPrefix = "6201021", EventTypes = { "Nope" } });
        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);
        Assert.Equal(["name", "url", "region_prefix", "event_types[0]"], bad.GetDetail<BadRequest>()!.FieldViolations.Select(f => f.Field));
        Assert.Equal(StatusCode.PermissionDenied, (await Refused(new CreateWebhookSubscriptionRequest { Name = "x", Url = "http://127.0.0.1/", RegionPrefix = "620103" })).StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(async () => await server.As(Callers.Township()).CreateWebhookSubscriptionAsync(
            new CreateWebhookSubscriptionRequest { Name = "x", Url = "http://127.0.0.1/", RegionPrefix = "620102001" }))).StatusCode);
        Assert.Equal(before, await server.CountAsync("SELECT count(*) FROM webhook_subscriptions"));
        var missing = await Assert.ThrowsAsync<RpcException>(async () => await county.ListWebhookDeliveriesAsync(new ListWebhookDeliveriesRequest { SubscriptionId = Guid.NewGuid().ToString() }));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        var otherCounty = await Assert.ThrowsAsync<RpcException>(async () => await server.As(Callers.County("620103")).ListWebhookDeliveriesAsync(new ListWebhookDeliveriesRequest { SubscriptionId = subscription }));
        Assert.Equal(StatusCode.NotFound, otherCounty.StatusCode);

        var deactivated = (await county.DeactivateWebhookSubscriptionAsync(new DeactivateWebhookSubscriptionRequest { SubscriptionId = subscription })).Subscription;
        Assert.False(deactivated.Active);
        var again = await Assert.ThrowsAsync<RpcException>(async () => await county.DeactivateWebhookSubscriptionAsync(new DeactivateWebhookSubscriptionRequest { SubscriptionId = subscription }));
        Assert.Equal(StatusCode.FailedPrecondition, again.StatusCode);
    }
}
