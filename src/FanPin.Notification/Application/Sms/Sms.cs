using System.Text.RegularExpressions;
using FanPin.Grpc;
using FanPin.Notification.Application.Common;
using FanPin.Notification.Domain;
using FanPin.Notification.Infrastructure;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Notification.Application.Sms;

/// <summary>Configures the caller's province's SMS gateway.</summary>
public sealed class SetSmsGateway(NotificationDbContext db, TimeProvider time)
{
    /// <summary>Validates, then writes.</summary>
    public async Task<SmsGateway> HandleAsync(Caller caller, string url, string authName, string authValue, string bodyTemplate, string contentType, CancellationToken ct)
    {
        RegionScope.DemandRole(caller, "configure the SMS gateway", NotificationAccess.EditRules);
        var v = new FieldViolations();
        v.AddIf(!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"), "url", "must be an absolute http or https URL");
        v.AddIf(authName.Length > 0 && !Regex.IsMatch(authName, "^[A-Za-z0-9-]+$"), "auth_header_name", "must be a header name (letters, digits, '-')");
        v.AddIf(authName.Length == 0 && authValue.Length > 0, "auth_header_name", "required when auth_header_value is set");
        v.AddIf(!bodyTemplate.Contains("{phone}", StringComparison.Ordinal) || !bodyTemplate.Contains("{text}", StringComparison.Ordinal), "body_template", "must contain {phone} and {text}");
        v.ThrowIfAny();
        var province = caller.Scope.Value;
        var g = await db.SmsGateways.SingleOrDefaultAsync(x => x.Province == province, ct).ConfigureAwait(false);
        if (g is null)
        {
            g = new SmsGateway { Province = province };
            db.SmsGateways.Add(g);
        }
        g.Url = url;
        g.AuthHeaderName = authName;
        g.AuthHeaderValue = authValue;
        g.BodyTemplate = bodyTemplate;
        g.ContentType = contentType.Length == 0 ? "application/json" : contentType;
        g.UpdatedAt = time.GetUtcNow();
        g.UpdatedBy = NotificationAccess.ActorOf(caller);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return g;
    }
}

/// <summary>Records (or removes) a recipient's mobile number.</summary>
public sealed partial class SetContact(NotificationDbContext db, TimeProvider time)
{
    [GeneratedRegex("^1[3-9][0-9]{9}$")]
    private static partial Regex MobilePattern();

    /// <summary>Validates, then writes; returns the recipient key.</summary>
    public async Task<string> HandleAsync(Caller caller, RecipientRole? role, string regionPrefix, string department, string householdId, string phone, CancellationToken ct)
    {
        RegionScope.DemandRole(caller, "set contacts", NotificationAccess.Administer);
        var v = new FieldViolations();
        v.AddIf(role is null, "role", "required");
        var region = default(RegionCode);
        if (!RegionCode.TryParse(regionPrefix.PadRight(12, '0'), out region, out var error) || regionPrefix.Length is not (2 or 6 or 9 or 12))
        {
            v.Add("region_prefix", regionPrefix.Length is (2 or 6 or 9 or 12) ? error : "must be 2, 6, 9 or 12 digits (the recipient's office)");
        }
        Guid household = Guid.Empty;
        v.AddIf(role == RecipientRole.Helper && !Guid.TryParse(householdId, out household), "household_id", "a helper contact needs the household's UUID");
        v.AddIf(role == RecipientRole.Department && string.IsNullOrWhiteSpace(department), "department", "a department contact needs the department code");
        v.AddIf(phone.Length > 0 && !MobilePattern().IsMatch(phone), "phone", "must be an 11-digit mobile number starting with 1");
        v.ThrowIfAny();
        var recipient = Recipient.Resolve(role!.Value, region, household == Guid.Empty ? null : household, department);
        if (recipient is null || recipient.Region != regionPrefix)
        {
            new FieldViolations().Add("region_prefix", $"'{regionPrefix}' is not the office of a {role.Value.ToString().ToLowerInvariant()} recipient").ThrowIfAny();
        }
        RegionScope.Demand(caller, region);
        var existing = await db.Contacts.SingleOrDefaultAsync(c => c.Recipient == recipient!.Key, ct).ConfigureAwait(false);
        if (phone.Length == 0)
        {
            if (existing is not null)
            {
                db.Contacts.Remove(existing);
            }
        }
        else
        {
            if (existing is null)
            {
                existing = new Contact { Recipient = recipient!.Key };
                db.Contacts.Add(existing);
            }
            existing.Phone = phone;
            existing.UpdatedAt = time.GetUtcNow();
            existing.UpdatedBy = NotificationAccess.ActorOf(caller);
        }
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return recipient!.Key;
    }
}
