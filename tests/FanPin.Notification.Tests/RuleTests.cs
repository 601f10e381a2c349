using FanPin.Notification.Domain;

namespace FanPin.Notification.Tests;

/// <summary>The pure rules, table-driven.</summary>
public class RuleTests
{
    private static NotificationRule R(string id, string type, string? grade, string prefix, bool active = true) => new()
    {
        Id = Guid.Parse($"00000000-0000-0000-0000-{int.Parse(id, System.Globalization.CultureInfo.InvariantCulture):D12}"),
        EventType = type, Grade = grade, RegionPrefix = prefix, Active = active, Recipients = [RecipientRole.County], Template = "t",
    };

    private static readonly NotificationRule[] Rules =
    [
        R("1", "WarningRaised", "I", ""),
        R("2", "WarningRaised", null, ""),
        R("3", "WarningRaised", "II", "62"),
        R("4", "WarningRaised", null, "620102"),
        R("5", "TaskOverdue", null, ""),
        R("6", "TaskOverdue", null, "63", active: false),
        R("7", "WarningCleared", null, "62"),
        R("8", "WarningCleared", "III", "62"),
    ];

    [Theory]
    [InlineData("WarningRaised", "I", "630102001001", "1")]        // national grade-specific beats national any-grade
    [InlineData("WarningRaised", "III", "630102001001", "2")]      // no grade-specific one: the any-grade default
    [InlineData("WarningRaised", "II", "620201001001", "3")]       // the province's rule beats the national ones
    [InlineData("WarningRaised", "I", "620201001001", "1")]        // the province has no rule for I: national (longest matching prefix is "")
    [InlineData("WarningRaised", "I", "620102001001", "4")]        // the county's any-grade rule is the most specific prefix
    [InlineData("TaskOverdue", null, "620102001001", "5")]
    [InlineData("TaskOverdue", null, "630102001001", "")]          // an inactive province rule silences the default
    [InlineData("WarningCleared", "III", "620102001001", "8")]
    [InlineData("WarningCleared", "II", "620102001001", "7")]
    [InlineData("FeedAnomaly", null, "620102000000", "")]          // no rule at all
    public void The_most_specific_rule_wins(string type, string? grade, string region, string expected)
    {
        var chosen = RuleMatching.Select(Rules, type, grade, region);
        Assert.Equal(expected, string.Join(",", chosen.Select(r => int.Parse(r.Id.ToString("N")[20..], System.Globalization.CultureInfo.InvariantCulture).ToString(System.Globalization.CultureInfo.InvariantCulture))));
    }

    [Theory]
    [InlineData(RecipientRole.Helper, "620102001001", true, null, "helper:620102001001:")]
    [InlineData(RecipientRole.Helper, "620102001001", false, null, null)]
    [InlineData(RecipientRole.Village, "620102001001", false, null, "village:620102001001")]
    [InlineData(RecipientRole.Village, "620102000000", false, null, null)]              // a county-level event names no village
    [InlineData(RecipientRole.Township, "620102001001", false, null, "township:620102001")]
    [InlineData(RecipientRole.County, "620102001001", false, null, "county:620102")]
    [InlineData(RecipientRole.County, "620102000000", false, null, "county:620102")]
    [InlineData(RecipientRole.County, "620100000000", false, null, null)]               // a city names no county
    [InlineData(RecipientRole.Province, "620102001001", false, null, "province:62")]
    [InlineData(RecipientRole.Department, "620102001001", false, "CivilAffairs", "department:CivilAffairs:620102")]
    [InlineData(RecipientRole.Department, "620102001001", false, null, null)]
    public void Recipients_resolve_at_their_level(RecipientRole role, string region, bool household, string? department, string? expected)
    {
        var id = Guid.NewGuid();
        var r = Recipient.Resolve(role, RegionCode.Parse(region), household ? id : null, department);
        Assert.Equal(expected is null ? null : expected.EndsWith(':') ? expected + id.ToString("D") : expected, r?.Key);
    }

    [Theory]
    [InlineData("helper:620102001001:x", RecipientRole.Helper, "620102001001", "village:620102001001")]
    [InlineData("village:620102001001", RecipientRole.Village, "620102001001", "township:620102001")]
    [InlineData("township:620102001", RecipientRole.Township, "620102001", "county:620102")]
    [InlineData("county:620102", RecipientRole.County, "620102", "province:62")]
    [InlineData("department:CivilAffairs:620102", RecipientRole.Department, "620102", "province:62")]
    [InlineData("province:62", RecipientRole.Province, "62", null)]
    public void Escalation_goes_one_level_up(string key, RecipientRole role, string region, string? next) =>
        Assert.Equal(next, new Recipient(key, role, region, role == RecipientRole.Department ? "CivilAffairs" : null).NextLevelUp()?.Key);

    [Fact]
    public void Templates_fill_known_placeholders_and_report_unknown_ones()
    {
        var values = new Dictionary<string, string> { ["region"] = "620102001001", ["grade"] = "I" };
        Assert.Equal("620102001001户触发I级预警（）", Template.Render("{region}户触发{grade}级预警（{rule}）", values));
        Assert.Equal(["name", "phone"], Template.UnknownPlaceholders("{name}{region}{phone}{name}"));
        Assert.Empty(Template.UnknownPlaceholders("无占位符"));
        Assert.All(DefaultRules.All, r => Assert.Empty(Template.UnknownPlaceholders(r.Template)));
    }

    [Theory]
    [InlineData(1, 0.0, 1000)]
    [InlineData(1, 0.999999, 2000)]
    [InlineData(2, 0.0, 2000)]
    [InlineData(3, 1.0, 8000)]
    [InlineData(20, 0.0, 30_000)]     // capped at max (60 s) then halved by the lowest jitter
    [InlineData(20, 1.0, 60_000)]
    public void Backoff_doubles_is_capped_and_jittered(int attempt, double jitter, double expectedMs) =>
        Assert.Equal(expectedMs, Backoff.Next(attempt, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(60), jitter).TotalMilliseconds, 0);

    [Fact]
    public void A_signature_verifies_only_with_the_same_secret_timestamp_and_body()
    {
        var secret = Convert.ToBase64String(new byte[32]);
        var body = "{\"id\":\"x\"}"u8.ToArray();
        var signature = WebhookSignature.Compute(secret, 1_700_000_000, body);
        Assert.StartsWith("v1=", signature, StringComparison.Ordinal);
        Assert.True(WebhookSignature.Verify(secret, 1_700_000_000, body, signature));
        Assert.False(WebhookSignature.Verify(secret, 1_700_000_001, body, signature));
        Assert.False(WebhookSignature.Verify(secret, 1_700_000_000, "{\"id\":\"y\"}"u8.ToArray(), signature));
        Assert.False(WebhookSignature.Verify(Convert.ToBase64String(new byte[] { 1 }), 1_700_000_000, body, signature));
    }

    [Theory]
    [InlineData("application/json", "{\"to\":\"{phone}\",\"msg\":\"{text}\"}", "{\"to\":\"13800138000\",\"msg\":\"预警\\\"I\\\"级\\n请核实\"}")]
    [InlineData("application/x-www-form-urlencoded", "to={phone}&msg={text}", "to=13800138000&msg=%E9%A2%84%E8%AD%A6%22I%22%E7%BA%A7%0A%E8%AF%B7%E6%A0%B8%E5%AE%9E")]
    public void SMS_bodies_escape_the_text_for_their_content_type(string contentType, string template, string expected)
    {
        var gateway = new SmsGateway { ContentType = contentType, BodyTemplate = template };
        Assert.Equal(expected, FanPin.Notification.Infrastructure.SmsDispatcher.Body(gateway, "13800138000", "预警\"I\"级\n请核实"));
    }
}
