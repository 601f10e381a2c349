using FanPin.Grpc;
using FanPin.Notification.Application.Common;
using FanPin.Notification.Application.Inbox;
using FanPin.Notification.Application.Rules;
using FanPin.Notification.Application.Sms;
using FanPin.Notification.Application.Webhooks;
using FanPin.Notification.Domain;
using FanPin.Notification.Infrastructure;
using Google.Protobuf.WellKnownTypes;
using Microsoft.EntityFrameworkCore;
using Pb = FanPin.Contracts.Notification.V1;

namespace FanPin.Notification.Grpc;

/// <summary>Thin adapter: parses requests, runs the use case, maps the answer. Authentication, scope and role checks are the use cases'.</summary>
public sealed class NotificationGrpcService(IServiceProvider services) : Pb.NotificationService.NotificationServiceBase
{
    /// <summary>How far back (in sequences) a watch looks for notifications committed after later ones.</summary>
    internal const long WatchLookback = 1000;

    private T Use<T>() where T : notnull => services.GetRequiredService<T>();

    /// <inheritdoc />
    public override async Task<Pb.ListRulesResponse> ListRules(Pb.ListRulesRequest request, ServerCallContext context)
    {
        var rules = await Use<ListRules>().HandleAsync(context.RequireCaller(), request.EventType, context.CancellationToken).ConfigureAwait(false);
        var response = new Pb.ListRulesResponse();
        response.Rules.AddRange(rules.Select(ToProto));
        return response;
    }

    /// <inheritdoc />
    public override async Task<Pb.UpsertRuleResponse> UpsertRule(Pb.UpsertRuleRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var r = request.Rule ?? new Pb.Rule();
        var input = new RuleInput(r.Id, r.EventType, r.Grade, r.RegionPrefix,
            r.Recipients.Select(x => System.Enum.IsDefined((RecipientRole)(int)x) ? (RecipientRole?)(RecipientRole)(int)x : null).ToList(),
            r.Channels.Select(x => System.Enum.IsDefined((Channel)(int)x) ? (Channel?)(Channel)(int)x : null).ToList(), r.Template, r.Active);
        var stored = await Use<UpsertRule>().HandleAsync(caller, input, context.CancellationToken).ConfigureAwait(false);
        return new Pb.UpsertRuleResponse { Rule = ToProto(stored) };
    }

    /// <inheritdoc />
    public override async Task<Pb.ListNotificationsResponse> ListNotifications(Pb.ListNotificationsRequest request, ServerCallContext context)
    {
        var list = await Use<ListNotifications>().HandleAsync(context.RequireCaller(), request.RegionPrefix, request.UnacknowledgedOnly, request.Limit, context.CancellationToken).ConfigureAwait(false);
        var response = new Pb.ListNotificationsResponse();
        response.Notifications.AddRange(list.Select(ToProto));
        return response;
    }

    /// <inheritdoc />
    public override async Task<Pb.AcknowledgeNotificationResponse> AcknowledgeNotification(Pb.AcknowledgeNotificationRequest request, ServerCallContext context)
    {
        var n = await Use<AcknowledgeNotification>().HandleAsync(context.RequireCaller(), request.NotificationId, context.CancellationToken).ConfigureAwait(false);
        return new Pb.AcknowledgeNotificationResponse { Notification = ToProto(n) };
    }

    /// <inheritdoc />
    public override async Task WatchNotifications(Pb.WatchNotificationsRequest request, IServerStreamWriter<Pb.WatchNotificationsResponse> responseStream, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var ct = context.CancellationToken;
        var v = new FieldViolations().AddIf(request.FromSequence < 0, "from_sequence", "must be 0 or more");
        var signals = Use<NotificationSignals>();
        var poll = Use<NotificationOptions>().WebhookPoll;
        long cursor;
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<NotificationDbContext>();
            // Validates the filter (role, prefix, scope) before anything is streamed.
            _ = Application.Inbox.ListNotifications.Filter(db.Notifications, caller, request.RegionPrefix, v);
            cursor = request.FromSequence > 0 ? request.FromSequence
                : await db.Notifications.MaxAsync(n => (long?)n.Sequence, ct).ConfigureAwait(false) ?? 0;
        }
        // Headers go out at once, so a client knows the watch is established before the first notification.
        await context.WriteResponseHeadersAsync([]).ConfigureAwait(false);
        // Sequences are taken at insert and become visible at commit, so a lower one can appear after a higher one
        // was streamed. Each read looks back WatchLookback sequences and skips what was already sent.
        var sent = new HashSet<long>();
        while (!ct.IsCancellationRequested)
        {
            var full = false;
            await using (var scope = services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<NotificationDbContext>();
                var from = Math.Max(request.FromSequence, cursor - WatchLookback);
                var take = 200 + sent.Count;
                var batch = await Application.Inbox.ListNotifications.Filter(db.Notifications.AsNoTracking(), caller, request.RegionPrefix, new FieldViolations())
                    .Where(n => n.Sequence > from).OrderBy(n => n.Sequence).Take(take).ToListAsync(ct).ConfigureAwait(false);
                foreach (var n in batch.Where(n => !sent.Contains(n.Sequence)))
                {
                    await responseStream.WriteAsync(new Pb.WatchNotificationsResponse { Notification = ToProto(n) }, ct).ConfigureAwait(false);
                    sent.Add(n.Sequence);
                    cursor = Math.Max(cursor, n.Sequence);
                }
                sent.RemoveWhere(s => s <= cursor - WatchLookback);
                full = batch.Count == take;
            }
            if (!full)
            {
                await signals.Inbox.WaitAsync(poll, ct).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc />
    public override async Task<Pb.CreateWebhookSubscriptionResponse> CreateWebhookSubscription(Pb.CreateWebhookSubscriptionRequest request, ServerCallContext context)
    {
        var (s, secret) = await Use<CreateWebhookSubscription>().HandleAsync(context.RequireCaller(), request.Name, request.Url, request.RegionPrefix,
            request.EventTypes.ToList(), context.CancellationToken).ConfigureAwait(false);
        return new Pb.CreateWebhookSubscriptionResponse { Subscription = ToProto(s), Secret = secret };
    }

    /// <inheritdoc />
    public override async Task<Pb.ListWebhookSubscriptionsResponse> ListWebhookSubscriptions(Pb.ListWebhookSubscriptionsRequest request, ServerCallContext context)
    {
        var list = await Use<ListWebhookSubscriptions>().HandleAsync(context.RequireCaller(), context.CancellationToken).ConfigureAwait(false);
        var response = new Pb.ListWebhookSubscriptionsResponse();
        response.Subscriptions.AddRange(list.Select(ToProto));
        return response;
    }

    /// <inheritdoc />
    public override async Task<Pb.DeactivateWebhookSubscriptionResponse> DeactivateWebhookSubscription(Pb.DeactivateWebhookSubscriptionRequest request, ServerCallContext context)
    {
        var s = await Use<DeactivateWebhookSubscription>().HandleAsync(context.RequireCaller(), request.SubscriptionId, context.CancellationToken).ConfigureAwait(false);
        return new Pb.DeactivateWebhookSubscriptionResponse { Subscription = ToProto(s) };
    }

    /// <inheritdoc />
    public override async Task<Pb.ListWebhookDeliveriesResponse> ListWebhookDeliveries(Pb.ListWebhookDeliveriesRequest request, ServerCallContext context)
    {
        DeliveryStatus? status = request.Status switch
        {
            Pb.DeliveryStatus.Unspecified => null,
            Pb.DeliveryStatus.Pending => DeliveryStatus.Pending,
            Pb.DeliveryStatus.Delivered => DeliveryStatus.Delivered,
            Pb.DeliveryStatus.DeadLettered => DeliveryStatus.DeadLettered,
            _ => throw new RequestValidationException([new FieldViolation("status", "unknown delivery status")]),
        };
        var list = await Use<ListWebhookDeliveries>().HandleAsync(context.RequireCaller(), request.SubscriptionId, status, request.Limit, context.CancellationToken).ConfigureAwait(false);
        var response = new Pb.ListWebhookDeliveriesResponse();
        response.Deliveries.AddRange(list.Select(ToProto));
        return response;
    }

    /// <inheritdoc />
    public override async Task<Pb.SetSmsGatewayResponse> SetSmsGateway(Pb.SetSmsGatewayRequest request, ServerCallContext context)
    {
        var g = await Use<SetSmsGateway>().HandleAsync(context.RequireCaller(), request.Url, request.AuthHeaderName, request.AuthHeaderValue, request.BodyTemplate,
            request.ContentType, context.CancellationToken).ConfigureAwait(false);
        return new Pb.SetSmsGatewayResponse { Province = g.Province };
    }

    /// <inheritdoc />
    public override async Task<Pb.SetContactResponse> SetContact(Pb.SetContactRequest request, ServerCallContext context)
    {
        RecipientRole? role = request.Role != Pb.RecipientRole.Unspecified && System.Enum.IsDefined((RecipientRole)(int)request.Role) ? (RecipientRole)(int)request.Role : null;
        var key = await Use<SetContact>().HandleAsync(context.RequireCaller(), role, request.RegionPrefix, request.Department, request.HouseholdId, request.Phone,
            context.CancellationToken).ConfigureAwait(false);
        return new Pb.SetContactResponse { Recipient = key };
    }

    private static Pb.Rule ToProto(NotificationRule r)
    {
        var p = new Pb.Rule
        {
            Id = r.Id.ToString("D"),
            EventType = r.EventType,
            Grade = r.Grade ?? "",
            RegionPrefix = r.RegionPrefix,
            Template = r.Template,
            Active = r.Active,
            UpdatedAt = Timestamp.FromDateTimeOffset(r.UpdatedAt),
            UpdatedBy = r.UpdatedBy,
        };
        p.Recipients.AddRange(r.Recipients.Select(x => (Pb.RecipientRole)(int)x));
        p.Channels.AddRange(r.Channels.Select(x => (Pb.Channel)(int)x));
        return p;
    }

    internal static Pb.Notification ToProto(Domain.Notification n) => new()
    {
        Id = n.Id.ToString("D"),
        Sequence = n.Sequence,
        EventId = n.EventId.ToString("D"),
        EventType = n.EventType,
        RegionCode = n.RegionCode,
        HouseholdId = n.HouseholdId?.ToString("D") ?? "",
        Grade = n.Grade ?? "",
        Recipient = n.Recipient,
        Text = n.Text,
        CreatedAt = Timestamp.FromDateTimeOffset(n.CreatedAt),
        AcknowledgedAt = n.AcknowledgedAt is { } a ? Timestamp.FromDateTimeOffset(a) : null,
        AcknowledgedBy = n.AcknowledgedBy ?? "",
        EscalationOf = n.EscalationOf?.ToString("D") ?? "",
    };

    private static Pb.WebhookSubscription ToProto(WebhookSubscription s)
    {
        var p = new Pb.WebhookSubscription
        {
            Id = s.Id.ToString("D"),
            Name = s.Name,
            Url = s.Url,
            RegionPrefix = s.RegionPrefix,
            Active = s.Active,
            CreatedAt = Timestamp.FromDateTimeOffset(s.CreatedAt),
        };
        p.EventTypes.AddRange(s.EventTypes);
        return p;
    }

    private static Pb.WebhookDelivery ToProto(WebhookDelivery d) => new()
    {
        Id = d.Id.ToString("D"),
        EventId = d.EventId.ToString("D"),
        EventType = d.EventType,
        Status = (Pb.DeliveryStatus)(int)d.Status,
        Attempts = d.Attempts,
        LastStatusCode = d.LastStatusCode,
        LastError = d.LastError ?? "",
        CreatedAt = Timestamp.FromDateTimeOffset(d.CreatedAt),
        NextAttemptAt = d.Status == DeliveryStatus.Pending ? Timestamp.FromDateTimeOffset(d.NextAttemptAt) : null,
        FinishedAt = d.FinishedAt is { } f ? Timestamp.FromDateTimeOffset(f) : null,
    };
}
