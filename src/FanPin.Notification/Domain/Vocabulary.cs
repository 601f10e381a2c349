namespace FanPin.Notification.Domain;

/// <summary>Who a rule addresses (DOMAIN.md §1): the household's helper, a region office at its level, or a department.</summary>
public enum RecipientRole
{
    /// <summary>帮扶责任人 of the household; the village reads their inbox.</summary>
    Helper = 1,

    /// <summary>村两委.</summary>
    Village = 2,

    /// <summary>乡镇扶贫办.</summary>
    Township = 3,

    /// <summary>县扶贫办 (dispatch centre).</summary>
    County = 4,

    /// <summary>The department the event names, in the event's county.</summary>
    Department = 5,

    /// <summary>Province office.</summary>
    Province = 6,
}

/// <summary>How a notification reaches its recipient.</summary>
public enum Channel
{
    /// <summary>The in-app inbox (always written).</summary>
    InApp = 1,

    /// <summary>SMS through the province's gateway.</summary>
    Sms = 2,
}

/// <summary>Where a webhook delivery stands.</summary>
public enum DeliveryStatus
{
    /// <summary>Waiting for its (next) attempt.</summary>
    Pending = 1,

    /// <summary>Answered 2xx.</summary>
    Delivered = 2,

    /// <summary>Given up after the retry budget.</summary>
    DeadLettered = 3,
}

/// <summary>Where an SMS stands.</summary>
public enum SmsStatus
{
    /// <summary>Waiting to be sent.</summary>
    Pending = 1,

    /// <summary>The gateway accepted it.</summary>
    Sent = 2,

    /// <summary>The recipient had reached its rate limit; the in-app copy stands.</summary>
    RateLimited = 3,

    /// <summary>Given up after the configured attempts (or no gateway configured).</summary>
    Failed = 4,
}
