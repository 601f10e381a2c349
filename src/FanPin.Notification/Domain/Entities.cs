namespace FanPin.Notification.Domain;

/// <summary>A rule as data: event type + grade + region prefix → recipients by role, extra channels, Chinese template.</summary>
public sealed class NotificationRule
{
    /// <summary>Id.</summary>
    public Guid Id { get; set; }

    /// <summary>Event type name, e.g. "WarningRaised".</summary>
    public string EventType { get; set; } = "";

    /// <summary>"I", "II", "III", or null for any.</summary>
    public string? Grade { get; set; }

    /// <summary>Region prefix ("" for the national default seeded by the migration).</summary>
    public string RegionPrefix { get; set; } = "";

    /// <summary>Recipients.</summary>
    public List<RecipientRole> Recipients { get; set; } = [];

    /// <summary>Channels besides the inbox.</summary>
    public List<Channel> Channels { get; set; } = [];

    /// <summary>Template with {placeholders}.</summary>
    public string Template { get; set; } = "";

    /// <summary>An inactive rule still wins by specificity, so it silences the broader ones.</summary>
    public bool Active { get; set; }

    /// <summary>Last written.</summary>
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>By whom ("role:subject", "migration" for seeds).</summary>
    public string UpdatedBy { get; set; } = "";
}

/// <summary>One notification to one recipient over one channel (unique per event, recipient and channel).</summary>
public sealed class Notification
{
    /// <summary>Id.</summary>
    public Guid Id { get; set; }

    /// <summary>Position in the log (identity; the watch cursor).</summary>
    public long Sequence { get; set; }

    /// <summary>The event.</summary>
    public Guid EventId { get; set; }

    /// <summary>Its type.</summary>
    public string EventType { get; set; } = "";

    /// <summary>Its region.</summary>
    public string RegionCode { get; set; } = "";

    /// <summary>Its household.</summary>
    public Guid? HouseholdId { get; set; }

    /// <summary>Warning grade, if any.</summary>
    public string? Grade { get; set; }

    /// <summary>The rule that produced it (null for escalations).</summary>
    public Guid? RuleId { get; set; }

    /// <summary>Recipient key.</summary>
    public string Recipient { get; set; } = "";

    /// <summary>Recipient role.</summary>
    public RecipientRole RecipientRole { get; set; }

    /// <summary>Recipient region at its level.</summary>
    public string RecipientRegion { get; set; } = "";

    /// <summary>Department (department role).</summary>
    public string? RecipientDepartment { get; set; }

    /// <summary>Channel.</summary>
    public Channel Channel { get; set; }

    /// <summary>Rendered text.</summary>
    public string Text { get; set; } = "";

    /// <summary>Created.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Acknowledged (in-app).</summary>
    public DateTimeOffset? AcknowledgedAt { get; set; }

    /// <summary>By whom.</summary>
    public string? AcknowledgedBy { get; set; }

    /// <summary>When it escalates if still unacknowledged (grade I warnings only).</summary>
    public DateTimeOffset? EscalationDueAt { get; set; }

    /// <summary>When it was escalated (at most once).</summary>
    public DateTimeOffset? EscalatedAt { get; set; }

    /// <summary>The notification this one escalates.</summary>
    public Guid? EscalationOf { get; set; }

    /// <summary>SMS: status.</summary>
    public SmsStatus? SmsStatus { get; set; }

    /// <summary>SMS: number.</summary>
    public string? Phone { get; set; }

    /// <summary>SMS: attempts made.</summary>
    public int Attempts { get; set; }

    /// <summary>SMS: next attempt.</summary>
    public DateTimeOffset? NextAttemptAt { get; set; }

    /// <summary>SMS: last error.</summary>
    public string? LastError { get; set; }
}

/// <summary>A downstream endpoint subscribed to events of a region.</summary>
public sealed class WebhookSubscription
{
    /// <summary>Id.</summary>
    public Guid Id { get; set; }

    /// <summary>Name.</summary>
    public string Name { get; set; } = "";

    /// <summary>URL.</summary>
    public string Url { get; set; } = "";

    /// <summary>Region prefix.</summary>
    public string RegionPrefix { get; set; } = "";

    /// <summary>Event types (empty: all).</summary>
    public List<string> EventTypes { get; set; } = [];

    /// <summary>HMAC key (base64).</summary>
    public string Secret { get; set; } = "";

    /// <summary>Active.</summary>
    public bool Active { get; set; }

    /// <summary>Created.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>By.</summary>
    public string CreatedBy { get; set; } = "";
}

/// <summary>One event's delivery to one endpoint (unique per subscription and event).</summary>
public sealed class WebhookDelivery
{
    /// <summary>Id.</summary>
    public Guid Id { get; set; }

    /// <summary>Order of creation (deliveries of an endpoint go in this order).</summary>
    public long Sequence { get; set; }

    /// <summary>Subscription.</summary>
    public Guid SubscriptionId { get; set; }

    /// <summary>Event id.</summary>
    public Guid EventId { get; set; }

    /// <summary>Event type.</summary>
    public string EventType { get; set; } = "";

    /// <summary>The CloudEvent JSON posted.</summary>
    public string Payload { get; set; } = "";

    /// <summary>Status.</summary>
    public DeliveryStatus Status { get; set; }

    /// <summary>Attempts made.</summary>
    public int Attempts { get; set; }

    /// <summary>Next attempt due.</summary>
    public DateTimeOffset NextAttemptAt { get; set; }

    /// <summary>HTTP status of the last attempt.</summary>
    public int LastStatusCode { get; set; }

    /// <summary>Last error.</summary>
    public string? LastError { get; set; }

    /// <summary>Created.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Delivered or dead-lettered.</summary>
    public DateTimeOffset? FinishedAt { get; set; }
}

/// <summary>A province's SMS gateway.</summary>
public sealed class SmsGateway
{
    /// <summary>Province (2 digits).</summary>
    public string Province { get; set; } = "";

    /// <summary>URL.</summary>
    public string Url { get; set; } = "";

    /// <summary>Auth header name (empty: none).</summary>
    public string AuthHeaderName { get; set; } = "";

    /// <summary>Auth header value.</summary>
    public string AuthHeaderValue { get; set; } = "";

    /// <summary>Body template with {phone} and {text}.</summary>
    public string BodyTemplate { get; set; } = "";

    /// <summary>Content type.</summary>
    public string ContentType { get; set; } = "application/json";

    /// <summary>Written.</summary>
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>By.</summary>
    public string UpdatedBy { get; set; } = "";
}

/// <summary>A recipient's mobile number.</summary>
public sealed class Contact
{
    /// <summary>Recipient key.</summary>
    public string Recipient { get; set; } = "";

    /// <summary>Number.</summary>
    public string Phone { get; set; } = "";

    /// <summary>Written.</summary>
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>By.</summary>
    public string UpdatedBy { get; set; } = "";
}
