using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using FanPin.Notification.Application.Common;
using FanPin.Notification.Domain;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Notification.Infrastructure;

/// <summary>
/// Delivers webhooks with one worker per endpoint (subscription), so a slow or dead endpoint only delays its own
/// deliveries. A worker sends its endpoint's oldest pending delivery and nothing after it until that one is
/// delivered or dead-lettered (order kept per endpoint). It holds the subscription's row lock (<c>FOR NO KEY UPDATE
/// SKIP LOCKED</c>) during an attempt, so two replicas never deliver to one endpoint at once; "no key" because the
/// consumers' inserts of new deliveries take a key-share lock on the row (foreign key) and must not wait for a slow POST. Failures retry with
/// exponential backoff and jitter; when the next attempt would start after the retry budget (counted from the
/// delivery's creation), the delivery is dead-lettered. Due times are read from <see cref="TimeProvider"/> (tests
/// move the clock); the workers poll in real time.
/// </summary>
public sealed partial class WebhookDispatcher(IServiceScopeFactory scopes, NotificationSignals signals, NotificationOptions options, TimeProvider time,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), MaxConnectionsPerServer = 16 })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    private readonly ConcurrentDictionary<Guid, Task> _workers = new();

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<NotificationDbContext>();
                var endpoints = await db.WebhookDeliveries.AsNoTracking().Where(d => d.Status == DeliveryStatus.Pending)
                    .Select(d => d.SubscriptionId).Distinct().ToListAsync(stoppingToken).ConfigureAwait(false);
                foreach (var id in endpoints)
                {
                    if (!_workers.TryGetValue(id, out var running) || running.IsCompleted)
                    {
                        _workers[id] = Task.Run(() => RunEndpointAsync(id, stoppingToken), stoppingToken);
                    }
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogSupervisorFailed(ex);
            }
            await signals.Webhooks.WaitAsync(options.WebhookPoll, stoppingToken).ConfigureAwait(false);
        }
        await Task.WhenAll(_workers.Values.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default))).ConfigureAwait(false);
    }

    /// <summary>One endpoint's worker: runs until the endpoint has nothing pending.</summary>
    private async Task RunEndpointAsync(Guid subscriptionId, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                switch (await TryDeliverHeadAsync(subscriptionId, ct).ConfigureAwait(false))
                {
                    case Outcome.Idle:
                        return;
                    case Outcome.Waiting:
                        await Task.Delay(options.WebhookPoll, ct).ConfigureAwait(false);
                        break;
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogWorkerFailed(ex, subscriptionId);
                await Task.Delay(options.WebhookPoll, ct).ConfigureAwait(false);
            }
        }
    }

    private enum Outcome
    {
        Idle,
        Waiting,
        Attempted,
    }

    private async Task<Outcome> TryDeliverHeadAsync(Guid subscriptionId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NotificationDbContext>();
        await using var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        var locked = await db.WebhookSubscriptions
            .FromSqlInterpolated($"SELECT * FROM webhook_subscriptions WHERE id = {subscriptionId} FOR NO KEY UPDATE SKIP LOCKED")
            .AsNoTracking().ToListAsync(ct).ConfigureAwait(false);
        var subscription = locked.FirstOrDefault();
        if (subscription is null)
        {
            // Another replica is delivering to this endpoint.
            return Outcome.Waiting;
        }
        var head = await db.WebhookDeliveries.Where(d => d.SubscriptionId == subscriptionId && d.Status == DeliveryStatus.Pending)
            .OrderBy(d => d.Sequence).FirstOrDefaultAsync(ct).ConfigureAwait(false);
        if (head is null)
        {
            return Outcome.Idle;
        }
        var now = time.GetUtcNow();
        if (head.NextAttemptAt > now)
        {
            return Outcome.Waiting;
        }

        var (statusCode, error) = await PostAsync(subscription, head, now, ct).ConfigureAwait(false);
        var finishedAt = time.GetUtcNow();
        head.Attempts++;
        head.LastStatusCode = statusCode;
        if (error is null)
        {
            head.Status = DeliveryStatus.Delivered;
            head.FinishedAt = finishedAt;
            head.LastError = null;
        }
        else
        {
            head.LastError = error;
            var next = finishedAt + Backoff.Next(head.Attempts, options.WebhookFirstRetry, options.WebhookMaxRetry, Random.Shared.NextDouble());
            if (next > head.CreatedAt + options.WebhookRetryBudget)
            {
                head.Status = DeliveryStatus.DeadLettered;
                head.FinishedAt = finishedAt;
                LogDeadLettered(head.Id, subscriptionId, head.Attempts, error);
            }
            else
            {
                head.NextAttemptAt = next;
            }
        }
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return Outcome.Attempted;
    }

    /// <summary>POSTs the CloudEvent, signed; returns the HTTP status and an error (null on 2xx).</summary>
    private async Task<(int Status, string? Error)> PostAsync(WebhookSubscription subscription, WebhookDelivery delivery, DateTimeOffset now, CancellationToken ct)
    {
        var body = Encoding.UTF8.GetBytes(delivery.Payload);
        var timestamp = now.ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, subscription.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/cloudevents+json") { CharSet = "utf-8" };
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Compute(subscription.Secret, timestamp, body));
        request.Headers.Add(WebhookSignature.DeliveryHeader, delivery.Id.ToString("D"));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.WebhookTimeout);
        try
        {
            using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            var code = (int)response.StatusCode;
            return response.IsSuccessStatusCode ? (code, null) : (code, $"HTTP {code} {response.ReasonPhrase}");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (0, $"no answer within {options.WebhookTimeout.TotalSeconds:0.###} s");
        }
        catch (HttpRequestException ex)
        {
            return (0, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook dispatcher supervisor failed; it runs again at the next poll")]
    private partial void LogSupervisorFailed(Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook worker of subscription {SubscriptionId} failed; it retries after the poll interval")]
    private partial void LogWorkerFailed(Exception ex, Guid subscriptionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook delivery {DeliveryId} to subscription {SubscriptionId} dead-lettered after {Attempts} attempt(s): {Error}")]
    private partial void LogDeadLettered(Guid deliveryId, Guid subscriptionId, int attempts, string error);
}
