using FanPin.Grpc;
using FanPin.Notification.Application.Common;
using FanPin.Notification.Domain;
using FanPin.Notification.Infrastructure;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Notification.Application.Rules;

/// <summary>Rules that apply inside the caller's scope: the national defaults, and those whose prefix and the scope overlap.</summary>
public sealed class ListRules(NotificationDbContext db)
{
    /// <summary>Lists.</summary>
    public async Task<IReadOnlyList<NotificationRule>> HandleAsync(Caller caller, string? eventType, CancellationToken ct)
    {
        RegionScope.DemandRole(caller, "list notification rules", NotificationAccess.Read);
        var scope = caller.Scope.Value;
        var q = db.Rules.AsNoTracking().Where(r => r.RegionPrefix == "" || r.RegionPrefix.StartsWith(scope) || scope.StartsWith(r.RegionPrefix));
        if (!string.IsNullOrEmpty(eventType))
        {
            q = q.Where(r => r.EventType == eventType);
        }
        return await q.OrderBy(r => r.EventType).ThenBy(r => r.Grade).ThenBy(r => r.RegionPrefix).ToListAsync(ct).ConfigureAwait(false);
    }
}

/// <summary>Input of <see cref="UpsertRule"/>.</summary>
public sealed record RuleInput(string Id, string EventType, string Grade, string RegionPrefix, IReadOnlyList<RecipientRole?> Recipients, IReadOnlyList<Channel?> Channels, string Template, bool Active);

/// <summary>Adds or replaces a rule. Province admins, inside their province (the national defaults are the migration's).</summary>
public sealed class UpsertRule(NotificationDbContext db, TimeProvider time)
{
    /// <summary>Validates everything, then writes.</summary>
    public async Task<NotificationRule> HandleAsync(Caller caller, RuleInput input, CancellationToken ct)
    {
        RegionScope.DemandRole(caller, "edit notification rules", NotificationAccess.EditRules);
        var v = new FieldViolations();
        Guid id = Guid.Empty;
        v.AddIf(input.Id.Length > 0 && !Guid.TryParse(input.Id, out id), "rule.id", "must be a UUID or empty");
        v.AddIf(!DefaultRules.EventTypes.Contains(input.EventType), "rule.event_type", $"must be one of {string.Join(", ", DefaultRules.EventTypes)}");
        v.AddIf(input.Grade is not ("" or "I" or "II" or "III"), "rule.grade", "must be I, II, III or empty");
        RegionPrefix prefix = default;
        if (!RegionPrefix.TryParse(input.RegionPrefix, out prefix, out var error))
        {
            v.Add("rule.region_prefix", error);
        }
        v.AddIf(input.Recipients.Count == 0, "rule.recipients", "at least one recipient role is required");
        for (var i = 0; i < input.Recipients.Count; i++)
        {
            v.AddIf(input.Recipients[i] is null, $"rule.recipients[{i}]", "unknown or unspecified role");
        }
        for (var i = 0; i < input.Channels.Count; i++)
        {
            v.AddIf(input.Channels[i] is not Channel.Sms, $"rule.channels[{i}]", "only CHANNEL_SMS may be added (the in-app inbox is always used)");
        }
        if (string.IsNullOrWhiteSpace(input.Template))
        {
            v.Add("rule.template", "required");
        }
        else if (Template.UnknownPlaceholders(input.Template) is { Count: > 0 } unknown)
        {
            v.Add("rule.template", $"unknown placeholder(s) {string.Join(", ", unknown.Select(u => "{" + u + "}"))}; known: {string.Join(", ", Template.Placeholders.Order(StringComparer.Ordinal))}");
        }
        else if (input.Template.Length > 500)
        {
            v.Add("rule.template", "at most 500 characters");
        }
        v.ThrowIfAny();
        RegionScope.Demand(caller, prefix);

        NotificationRule rule;
        if (id != Guid.Empty)
        {
            rule = await db.Rules.SingleOrDefaultAsync(r => r.Id == id, ct).ConfigureAwait(false)
                ?? throw RpcException.NotFound($"rule {id} not found", "RULE_NOT_FOUND");
            if (rule.RegionPrefix.Length == 0 || !caller.Scope.Contains(RegionPrefix.Parse(rule.RegionPrefix)))
            {
                throw new AccessDeniedException($"rule {id} (prefix '{rule.RegionPrefix}') is outside the caller's scope {caller.Scope}; write a rule for your province instead");
            }
        }
        else
        {
            rule = new NotificationRule { Id = Guid.CreateVersion7() };
            db.Rules.Add(rule);
        }
        rule.EventType = input.EventType;
        rule.Grade = input.Grade.Length == 0 ? null : input.Grade;
        rule.RegionPrefix = prefix.Value;
        rule.Recipients = input.Recipients.Select(r => r!.Value).Distinct().ToList();
        rule.Channels = input.Channels.Select(c => c!.Value).Distinct().ToList();
        rule.Template = input.Template;
        rule.Active = input.Active;
        rule.UpdatedAt = time.GetUtcNow();
        rule.UpdatedBy = NotificationAccess.ActorOf(caller);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return rule;
    }
}
