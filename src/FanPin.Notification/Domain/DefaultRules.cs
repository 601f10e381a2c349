namespace FanPin.Notification.Domain;

/// <summary>
/// The national default rules seeded by the first migration (region prefix "", so any province's own rule of
/// the same event type overrides them). Province admins change rules through <c>UpsertRule</c>, not code.
/// </summary>
public static class DefaultRules
{
    private static NotificationRule Rule(int n, string eventType, string? grade, RecipientRole[] recipients, Channel[] channels, string template) => new()
    {
        Id = Guid.Parse($"00000000-0000-4000-8000-{n:D12}"),
        EventType = eventType,
        Grade = grade,
        RegionPrefix = "",
        Recipients = [.. recipients],
        Channels = [.. channels],
        Template = template,
        Active = true,
        UpdatedAt = new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.Zero),
        UpdatedBy = "migration",
    };

    private static readonly RecipientRole[] Front = [RecipientRole.Helper, RecipientRole.Village, RecipientRole.Township, RecipientRole.County];

    /// <summary>The defaults.</summary>
    public static IReadOnlyList<NotificationRule> All { get; } =
    [
        Rule(1, "WarningRaised", "I", Front, [Channel.Sms], "【防返贫预警】{region}农户（{household}）触发Ⅰ级红色预警（规则 {rule}），濒临返贫致贫，请立即入户核实并落实帮扶。"),
        Rule(2, "WarningRaised", "II", [RecipientRole.Helper, RecipientRole.Village, RecipientRole.Township], [], "【防返贫预警】{region}农户（{household}）触发Ⅱ级黄色预警（规则 {rule}），请及时核实。"),
        Rule(3, "WarningRaised", "III", [RecipientRole.Helper, RecipientRole.Village], [], "【防返贫预警】{region}农户（{household}）触发Ⅲ级蓝色预警（规则 {rule}），请关注。"),
        Rule(4, "WarningGradeChanged", "I", Front, [Channel.Sms], "【防返贫预警】{region}农户（{household}）预警由{previous_grade}级调整为Ⅰ级红色（规则 {rule}），请立即入户核实并落实帮扶。"),
        Rule(5, "WarningGradeChanged", null, [RecipientRole.Helper, RecipientRole.Village], [], "【防返贫预警】{region}农户（{household}）预警由{previous_grade}级调整为{grade}级（规则 {rule}）。"),
        Rule(6, "WarningEscalated", null, [RecipientRole.County], [], "【预警升级】{region}农户（{household}）{grade}级预警逾期未办结，已升级至第{level}级（规则 {rule}），请督办。"),
        Rule(7, "WarningCleared", null, [RecipientRole.Helper, RecipientRole.Village], [], "【解除预警】{region}农户（{household}）原{previous_grade}级预警已解除，继续跟踪监测。"),
        Rule(8, "TaskAssigned", null, [RecipientRole.Department, RecipientRole.Township], [], "【帮扶任务交办】{region}农户（{household}）帮扶措施{measure}已交办{assignee}，请于{due}前办结。"),
        Rule(9, "TaskOverdue", null, [RecipientRole.Department, RecipientRole.Township, RecipientRole.County], [], "【任务逾期】{region}农户（{household}）帮扶任务（{task}）已超过办结期限{due}，承办单位{assignee}，请督办。"),
        Rule(10, "FeedOverdue", null, [RecipientRole.Department, RecipientRole.County], [], "【数据推送逾期】{department}{period}期数据应于{due}前推送，至今未收到，请尽快推送。"),
        Rule(11, "FeedAnomaly", null, [RecipientRole.Department, RecipientRole.County], [], "【数据推送异常】{department}{period}期数据异常（{kind}）：{detail}，请核查后重新推送。"),
    ];

    /// <summary>The event types the service consumes (also the webhook event types).</summary>
    public static IReadOnlyList<string> EventTypes { get; } =
        ["WarningRaised", "WarningGradeChanged", "WarningEscalated", "WarningCleared", "TaskAssigned", "TaskOverdue", "FeedOverdue", "FeedAnomaly"];
}
