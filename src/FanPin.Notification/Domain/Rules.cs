using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace FanPin.Notification.Domain;

/// <summary>What the notification service needs of any consumed event: identity, place, grade, department, and the template's values.</summary>
public sealed record EventFacts(
    Guid EventId,
    string EventType,
    DateTimeOffset OccurredAt,
    string RegionCode,
    Guid? HouseholdId,
    string? Grade,
    string? Department,
    IReadOnlyDictionary<string, string> Values);

/// <summary>A resolved recipient: key (unique name of the inbox), role, region at the role's level, department.</summary>
public sealed record Recipient(string Key, RecipientRole Role, string Region, string? Department)
{
    private static RegionLevel LevelOf(RecipientRole role) => role switch
    {
        RecipientRole.Province => RegionLevel.Province,
        RecipientRole.County or RecipientRole.Department => RegionLevel.County,
        RecipientRole.Township => RegionLevel.Township,
        _ => RegionLevel.Village,
    };

    /// <summary>
    /// The recipient of <paramref name="role"/> for an event at <paramref name="region"/>; null when the event
    /// cannot name one (a village recipient for a county-level feed event, a department for a warning, a helper
    /// without a household).
    /// </summary>
    public static Recipient? Resolve(RecipientRole role, RegionCode region, Guid? householdId, string? department)
    {
        var level = LevelOf(role);
        if (region.Level < level)
        {
            return null;
        }
        var code = region.Value[..RegionCode.PrefixLengths[(int)level - 1]];
        return role switch
        {
            RecipientRole.Helper => householdId is { } h ? new Recipient($"helper:{code}:{h:D}", role, code, null) : null,
            RecipientRole.Department => string.IsNullOrWhiteSpace(department) ? null : new Recipient($"department:{department}:{code}", role, code, department),
            _ => new Recipient($"{role.ToString().ToLowerInvariant()}:{code}", role, code, null),
        };
    }

    /// <summary>The next level up for an escalation: helper → village → township → county → province; department → county; province: none.</summary>
    public Recipient? NextLevelUp() => Role switch
    {
        RecipientRole.Helper => new Recipient($"village:{Region}", RecipientRole.Village, Region, null),
        RecipientRole.Village => new Recipient($"township:{Region[..9]}", RecipientRole.Township, Region[..9], null),
        RecipientRole.Township => new Recipient($"county:{Region[..6]}", RecipientRole.County, Region[..6], null),
        RecipientRole.County or RecipientRole.Department => new Recipient($"province:{Region[..2]}", RecipientRole.Province, Region[..2], null),
        _ => null,
    };
}

/// <summary>Which rules apply to an event (pure; table-tested).</summary>
public static class RuleMatching
{
    /// <summary>
    /// The rules of the event's type whose prefix contains the region and whose grade is the event's or any.
    /// The longest prefix wins (a province's rule overrides the national default, a county's the province's);
    /// at that prefix, grade-specific rules win over any-grade ones. Inactive winners silence the event (none
    /// returned), so a province can switch a default off by writing an inactive rule.
    /// </summary>
    public static IReadOnlyList<NotificationRule> Select(IEnumerable<NotificationRule> rules, string eventType, string? grade, string regionCode)
    {
        var candidates = rules.Where(r => r.EventType == eventType && regionCode.StartsWith(r.RegionPrefix, StringComparison.Ordinal)
            && (r.Grade is null || r.Grade == grade)).ToList();
        if (candidates.Count == 0)
        {
            return [];
        }
        var longest = candidates.Max(r => r.RegionPrefix.Length);
        var atPrefix = candidates.Where(r => r.RegionPrefix.Length == longest).ToList();
        var winners = atPrefix.Any(r => r.Grade is not null) ? atPrefix.Where(r => r.Grade is not null).ToList() : atPrefix;
        return winners.Where(r => r.Active).ToList();
    }
}

/// <summary>Chinese templates with {placeholders}.</summary>
public static partial class Template
{
    /// <summary>The placeholders a template may use; the consumers fill those the event has, the others render empty.</summary>
    public static readonly IReadOnlySet<string> Placeholders = new HashSet<string>(StringComparer.Ordinal)
    {
        "event", "region", "household", "grade", "previous_grade", "rule", "warning", "level", "task", "measure",
        "assignee", "due", "department", "period", "kind", "detail", "time",
    };

    [GeneratedRegex(@"\{([a-z_]+)\}")]
    private static partial Regex PlaceholderPattern();

    /// <summary>Names in braces that are not <see cref="Placeholders"/>.</summary>
    public static IReadOnlyList<string> UnknownPlaceholders(string template) =>
        PlaceholderPattern().Matches(template).Select(m => m.Groups[1].Value).Where(n => !Placeholders.Contains(n)).Distinct().ToList();

    /// <summary>Fills the placeholders.</summary>
    public static string Render(string template, IReadOnlyDictionary<string, string> values) =>
        PlaceholderPattern().Replace(template, m => values.TryGetValue(m.Groups[1].Value, out var v) ? v : "");
}

/// <summary>Exponential backoff with jitter (pure; the random draw is passed in).</summary>
public static class Backoff
{
    /// <summary>
    /// Delay before attempt <paramref name="attempt"/>+1 after <paramref name="attempt"/> failed ones (1-based):
    /// first × 2^(attempt−1), capped at <paramref name="max"/>, then scaled into [50 %, 100 %] by
    /// <paramref name="jitter"/> ∈ [0, 1) so that endpoints recovering at once are not hit in lockstep.
    /// </summary>
    public static TimeSpan Next(int attempt, TimeSpan first, TimeSpan max, double jitter)
    {
        var exponent = Math.Min(Math.Max(attempt - 1, 0), 30);
        var raw = Math.Min(first.TotalMilliseconds * Math.Pow(2, exponent), max.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(raw * (0.5 + (0.5 * Math.Clamp(jitter, 0, 1))));
    }
}

/// <summary>The webhook signature: HMAC-SHA256 over "timestamp.body" (docs/notification.md shows receivers).</summary>
public static class WebhookSignature
{
    /// <summary>Header with the Unix time in seconds of the attempt.</summary>
    public const string TimestampHeader = "X-FanPin-Timestamp";

    /// <summary>Header "v1=" + lower-case hex HMAC.</summary>
    public const string SignatureHeader = "X-FanPin-Signature";

    /// <summary>Header with the delivery id (the same on every retry).</summary>
    public const string DeliveryHeader = "X-FanPin-Delivery";

    /// <summary>"v1=" + hex(HMAC-SHA256(secret bytes, ASCII(timestamp) + "." + body)).</summary>
    public static string Compute(string base64Secret, long unixSeconds, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.ASCII.GetBytes(unixSeconds.ToString(CultureInfo.InvariantCulture) + ".");
        var data = new byte[prefix.Length + body.Length];
        prefix.CopyTo(data, 0);
        body.CopyTo(data.AsSpan(prefix.Length));
        return "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Convert.FromBase64String(base64Secret), data));
    }

    /// <summary>Constant-time check of a received signature.</summary>
    public static bool Verify(string base64Secret, long unixSeconds, ReadOnlySpan<byte> body, string signature) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Compute(base64Secret, unixSeconds, body)), Encoding.ASCII.GetBytes(signature));
}
