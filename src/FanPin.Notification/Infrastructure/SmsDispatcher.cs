using System.Text;
using System.Text.Json;
using FanPin.Notification.Application.Common;
using FanPin.Notification.Domain;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Notification.Infrastructure;

/// <summary>
/// Sends pending SMS through the province's HTTP gateway (URL, auth header and body template from
/// <c>SetSmsGateway</c>). Rows are claimed with <c>FOR UPDATE SKIP LOCKED</c> (replicas never send one twice). The
/// first attempt counts against the recipient's Redis rate limit; over it, the SMS is marked rate-limited and the
/// in-app copy stands. Failures retry with backoff up to the configured attempts.
/// </summary>
public sealed partial class SmsDispatcher(IServiceScopeFactory scopes, NotificationSignals signals, NotificationOptions options, TimeProvider time,
    IRecipientRateLimiter limiter, ILogger<SmsDispatcher> logger) : BackgroundService
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(15) };

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await SendBatchAsync(stoppingToken).ConfigureAwait(false) > 0)
                {
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(ex);
            }
            await signals.Sms.WaitAsync(options.SmsPoll, stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>One batch; returns how many were handled.</summary>
    internal async Task<int> SendBatchAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NotificationDbContext>();
        var now = time.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        var batch = await db.Notifications
            .FromSqlInterpolated($"SELECT * FROM notifications WHERE sms_status = 'Pending' AND next_attempt_at <= {now} ORDER BY sequence LIMIT 20 FOR UPDATE SKIP LOCKED")
            .ToListAsync(ct).ConfigureAwait(false);
        foreach (var sms in batch)
        {
            if (sms.Attempts == 0 && !await limiter.TryAcquireAsync(sms.Recipient, options.SmsPerRecipientPerHour, TimeSpan.FromHours(1), now).ConfigureAwait(false))
            {
                sms.SmsStatus = SmsStatus.RateLimited;
                sms.LastError = $"more than {options.SmsPerRecipientPerHour} SMS this hour for {sms.Recipient}";
                continue;
            }
            var province = sms.RegionCode[..2];
            var gateway = await db.SmsGateways.AsNoTracking().SingleOrDefaultAsync(g => g.Province == province, ct).ConfigureAwait(false);
            var error = gateway is null ? $"no SMS gateway configured for province {province}" : await SendAsync(gateway, sms, ct).ConfigureAwait(false);
            sms.Attempts++;
            if (error is null)
            {
                sms.SmsStatus = SmsStatus.Sent;
                sms.LastError = null;
            }
            else if (sms.Attempts >= options.SmsMaxAttempts)
            {
                sms.SmsStatus = SmsStatus.Failed;
                sms.LastError = error;
            }
            else
            {
                sms.LastError = error;
                sms.NextAttemptAt = time.GetUtcNow() + Backoff.Next(sms.Attempts, options.WebhookFirstRetry, options.WebhookMaxRetry, Random.Shared.NextDouble());
            }
        }
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return batch.Count;
    }

    /// <summary>The body: the template with {phone} and {text} (JSON-escaped for a JSON content type).</summary>
    public static string Body(SmsGateway gateway, string phone, string text)
    {
        var json = gateway.ContentType.Contains("json", StringComparison.OrdinalIgnoreCase);
        string Escape(string s) => json ? JsonEncodedText.Encode(s, System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping).ToString() : Uri.EscapeDataString(s);
        return gateway.BodyTemplate.Replace("{phone}", Escape(phone), StringComparison.Ordinal).Replace("{text}", Escape(text), StringComparison.Ordinal);
    }

    private static async Task<string?> SendAsync(SmsGateway gateway, Domain.Notification sms, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, gateway.Url)
        {
            Content = new StringContent(Body(gateway, sms.Phone ?? "", sms.Text), Encoding.UTF8, gateway.ContentType),
        };
        if (gateway.AuthHeaderName.Length > 0)
        {
            request.Headers.TryAddWithoutValidation(gateway.AuthHeaderName, gateway.AuthHeaderValue);
        }
        try
        {
            using var response = await Http.SendAsync(request, ct).ConfigureAwait(false);
            return response.IsSuccessStatusCode ? null : $"gateway answered HTTP {(int)response.StatusCode}";
        }
        catch (HttpRequestException ex)
        {
            return ex.Message;
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return "gateway did not answer in time";
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "SMS dispatch failed; it runs again at the next poll")]
    private partial void LogFailed(Exception ex);
}

/// <summary>The periodic escalation scan.</summary>
public sealed partial class EscalationSchedule(IServiceScopeFactory scopes, NotificationOptions options, ILogger<EscalationSchedule> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.EscalationScan);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var count = await scope.ServiceProvider.GetRequiredService<Application.Escalation.ScanEscalations>().HandleAsync(stoppingToken).ConfigureAwait(false);
                if (count > 0)
                {
                    LogEscalated(count);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Escalated {Count} unacknowledged grade I notification(s)")]
    private partial void LogEscalated(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Escalation scan failed; it runs again at the next tick")]
    private partial void LogFailed(Exception ex);
}
