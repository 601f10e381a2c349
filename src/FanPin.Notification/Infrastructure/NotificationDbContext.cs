using FanPin.Notification.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace FanPin.Notification.Infrastructure;

/// <summary>
/// The notification database (connection string <c>notificationdb</c>). Schema: hand-written migrations in
/// <c>Infrastructure/Migrations</c>, applied at start-up; the messaging library's inbox makes each consumer run
/// once per event.
/// </summary>
public sealed class NotificationDbContext(DbContextOptions<NotificationDbContext> options, SecretProtector secrets) : DbContext(options)
{
    /// <summary>Rules.</summary>
    public DbSet<NotificationRule> Rules => Set<NotificationRule>();

    /// <summary>Notifications (in-app and SMS).</summary>
    public DbSet<Domain.Notification> Notifications => Set<Domain.Notification>();

    /// <summary>Webhook subscriptions.</summary>
    public DbSet<WebhookSubscription> WebhookSubscriptions => Set<WebhookSubscription>();

    /// <summary>Webhook deliveries (the delivery log).</summary>
    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();

    /// <summary>SMS gateways by province.</summary>
    public DbSet<SmsGateway> SmsGateways => Set<SmsGateway>();

    /// <summary>Recipients' numbers.</summary>
    public DbSet<Contact> Contacts => Set<Contact>();

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder b)
    {
        b.Entity<NotificationRule>(e =>
        {
            e.ToTable("rules");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasColumnName("id");
            e.Property(x => x.EventType).HasColumnName("event_type");
            e.Property(x => x.Grade).HasColumnName("grade");
            e.Property(x => x.RegionPrefix).HasColumnName("region_prefix");
            e.Property(x => x.Recipients).HasColumnName("recipients").HasConversion(EnumList<RecipientRole>(), EnumListComparer<RecipientRole>());
            e.Property(x => x.Channels).HasColumnName("channels").HasConversion(EnumList<Channel>(), EnumListComparer<Channel>());
            e.Property(x => x.Template).HasColumnName("template");
            e.Property(x => x.Active).HasColumnName("active");
            e.Property(x => x.UpdatedAt).HasColumnName("updated_at");
            e.Property(x => x.UpdatedBy).HasColumnName("updated_by");
        });
        b.Entity<Domain.Notification>(e =>
        {
            e.ToTable("notifications");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasColumnName("id");
            e.Property(x => x.Sequence).HasColumnName("sequence").ValueGeneratedOnAdd();
            e.Property(x => x.EventId).HasColumnName("event_id");
            e.Property(x => x.EventType).HasColumnName("event_type");
            e.Property(x => x.RegionCode).HasColumnName("region_code");
            e.Property(x => x.HouseholdId).HasColumnName("household_id");
            e.Property(x => x.Grade).HasColumnName("grade");
            e.Property(x => x.RuleId).HasColumnName("rule_id");
            e.Property(x => x.Recipient).HasColumnName("recipient");
            e.Property(x => x.RecipientRole).HasColumnName("recipient_role").HasConversion<string>();
            e.Property(x => x.RecipientRegion).HasColumnName("recipient_region");
            e.Property(x => x.RecipientDepartment).HasColumnName("recipient_department");
            e.Property(x => x.Channel).HasColumnName("channel").HasConversion<string>();
            e.Property(x => x.Text).HasColumnName("text");
            e.Property(x => x.CreatedAt).HasColumnName("created_at");
            e.Property(x => x.AcknowledgedAt).HasColumnName("acknowledged_at");
            e.Property(x => x.AcknowledgedBy).HasColumnName("acknowledged_by");
            e.Property(x => x.EscalationDueAt).HasColumnName("escalation_due_at");
            e.Property(x => x.EscalatedAt).HasColumnName("escalated_at");
            e.Property(x => x.EscalationOf).HasColumnName("escalation_of");
            e.Property(x => x.SmsStatus).HasColumnName("sms_status").HasConversion<string>();
            e.Property(x => x.Phone).HasColumnName("phone");
            e.Property(x => x.Attempts).HasColumnName("attempts");
            e.Property(x => x.NextAttemptAt).HasColumnName("next_attempt_at");
            e.Property(x => x.LastError).HasColumnName("last_error");
        });
        b.Entity<WebhookSubscription>(e =>
        {
            e.ToTable("webhook_subscriptions");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasColumnName("id");
            e.Property(x => x.Name).HasColumnName("name");
            e.Property(x => x.Url).HasColumnName("url");
            e.Property(x => x.RegionPrefix).HasColumnName("region_prefix");
            e.Property(x => x.EventTypes).HasColumnName("event_types").HasConversion(
                new ValueConverter<List<string>, string>(v => string.Join(',', v), v => v.Length == 0 ? new List<string>() : v.Split(',', StringSplitOptions.None).ToList()),
                new ValueComparer<List<string>>((a, c) => a!.SequenceEqual(c!), v => v.Aggregate(0, (h, s) => HashCode.Combine(h, s)), v => v.ToList()));
            e.Property(x => x.Secret).HasColumnName("secret").HasConversion(Encrypted());
            e.Property(x => x.Active).HasColumnName("active");
            e.Property(x => x.CreatedAt).HasColumnName("created_at");
            e.Property(x => x.CreatedBy).HasColumnName("created_by");
        });
        b.Entity<WebhookDelivery>(e =>
        {
            e.ToTable("webhook_deliveries");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasColumnName("id");
            e.Property(x => x.Sequence).HasColumnName("sequence").ValueGeneratedOnAdd();
            e.Property(x => x.SubscriptionId).HasColumnName("subscription_id");
            e.Property(x => x.EventId).HasColumnName("event_id");
            e.Property(x => x.EventType).HasColumnName("event_type");
            e.Property(x => x.Payload).HasColumnName("payload");
            e.Property(x => x.Status).HasColumnName("status").HasConversion<string>();
            e.Property(x => x.Attempts).HasColumnName("attempts");
            e.Property(x => x.NextAttemptAt).HasColumnName("next_attempt_at");
            e.Property(x => x.LastStatusCode).HasColumnName("last_status_code");
            e.Property(x => x.LastError).HasColumnName("last_error");
            e.Property(x => x.CreatedAt).HasColumnName("created_at");
            e.Property(x => x.FinishedAt).HasColumnName("finished_at");
        });
        b.Entity<SmsGateway>(e =>
        {
            e.ToTable("sms_gateways");
            e.HasKey(x => x.Province);
            e.Property(x => x.Province).HasColumnName("province");
            e.Property(x => x.Url).HasColumnName("url");
            e.Property(x => x.AuthHeaderName).HasColumnName("auth_header_name");
            e.Property(x => x.AuthHeaderValue).HasColumnName("auth_header_value").HasConversion(Encrypted());
            e.Property(x => x.BodyTemplate).HasColumnName("body_template");
            e.Property(x => x.ContentType).HasColumnName("content_type");
            e.Property(x => x.UpdatedAt).HasColumnName("updated_at");
            e.Property(x => x.UpdatedBy).HasColumnName("updated_by");
        });
        b.Entity<Contact>(e =>
        {
            e.ToTable("contacts");
            e.HasKey(x => x.Recipient);
            e.Property(x => x.Recipient).HasColumnName("recipient");
            e.Property(x => x.Phone).HasColumnName("phone");
            e.Property(x => x.UpdatedAt).HasColumnName("updated_at");
            e.Property(x => x.UpdatedBy).HasColumnName("updated_by");
        });
        // The messaging library's outbox (unused so far: notification publishes nothing) and inbox (consumers run once per event).
        b.AddOutboxAndInbox();
    }

    private static ValueConverter<List<T>, string> EnumList<T>() where T : struct, Enum =>
        new(v => string.Join(',', v.Select(x => x.ToString())), v => v.Length == 0 ? new List<T>() : v.Split(',', StringSplitOptions.None).Select(Enum.Parse<T>).ToList());

    private static ValueComparer<List<T>> EnumListComparer<T>() where T : struct, Enum =>
        new((a, c) => a!.SequenceEqual(c!), v => v.Aggregate(0, (h, x) => HashCode.Combine(h, x)), v => v.ToList());

    /// <summary>Secrets are stored encrypted (<see cref="SecretProtector"/>); the model is built once per process, with the one protector.</summary>
    private ValueConverter<string, string> Encrypted() => new(plain => secrets.Protect(plain), stored => secrets.Unprotect(stored));
}
