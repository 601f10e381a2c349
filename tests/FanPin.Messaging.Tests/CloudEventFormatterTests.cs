using System.Text.Json;
using FanPin.IntegrationEvents;
using FanPin.Messaging.PublicEvents;
using FanPin.Messaging.Serialization;

namespace FanPin.Messaging.Tests;

public class CloudEventFormatterTests
{
    private static readonly Guid Household = Guid.Parse("0193a3c4-0000-7000-8000-000000000001");
    private static readonly Guid Warning = Guid.Parse("0193a3c4-0000-7000-8000-000000000002");
    private static readonly Guid Event = Guid.Parse("0193a3c4-0000-7000-8000-000000000003");

    [Fact]
    public void A_warning_is_a_structured_mode_CloudEvent_with_the_event_as_data()
    {
        var raised = new WarningRaised
        {
            EventId = Event,
            OccurredAt = new DateTimeOffset(2026, 11, 23, 8, 30, 5, 120, TimeSpan.Zero),
            RegionCode = "620102001001",
            HouseholdId = Household,
            WarningId = Warning,
            Grade = WarningGrade.II,
            ReasonRuleId = "gs-2024.grade-ii",
            Sequence = 7,
        };
        var info = IntegrationEventTypes.PublicEventOf(typeof(WarningRaised))!;
        using var json = JsonDocument.Parse(CloudEventFormatter.Serialize(raised, info, "/fanpin/grading"));
        var root = json.RootElement;

        Assert.Equal("1.0", root.GetProperty("specversion").GetString());
        Assert.Equal(Event.ToString("D"), root.GetProperty("id").GetString());
        Assert.Equal("/fanpin/grading", root.GetProperty("source").GetString());
        Assert.Equal("cn.fanpin.warning.raised.v1", root.GetProperty("type").GetString());
        Assert.Equal(Household.ToString("D"), root.GetProperty("subject").GetString());
        Assert.Equal("2026-11-23T08:30:05.1200000Z", root.GetProperty("time").GetString());
        Assert.Equal("application/json", root.GetProperty("datacontenttype").GetString());
        Assert.Equal("620102001001", root.GetProperty("regioncode").GetString());
        var data = root.GetProperty("data");
        Assert.Equal("II", data.GetProperty("grade").GetString());
        Assert.Equal(7, data.GetProperty("sequence").GetInt64());
        Assert.Equal(Warning, data.GetProperty("warningId").GetGuid());
        Assert.Equal(JsonValueKind.String, data.GetProperty("occurredAt").ValueKind);
        Assert.Equal(1, data.GetProperty("schemaVersion").GetInt32());
    }

    [Fact]
    public void An_event_without_a_household_names_its_region_as_the_subject()
    {
        var feed = new FeedOverdue { RegionCode = "620102000000", HouseholdId = null, Department = "CivilAffairs", Period = "2026-10", DueDate = new DateOnly(2026, 11, 5) };
        Assert.Equal("620102000000", CloudEventFormatter.SubjectOf(feed));
    }

    [Fact]
    public void The_event_JSON_round_trips_and_writes_enums_and_dictionaries_as_names()
    {
        var signals = new RiskSignalsDetected
        {
            RegionCode = "620102001001",
            HouseholdId = Household,
            PolicyVersion = "gs-2024.3",
            Signals =
            [
                new RiskSignal
                {
                    Code = "IncomeBelowLine",
                    Inputs = new Dictionary<string, decimal> { ["perCapitaIncome"] = 5800.50m },
                    Thresholds = new Dictionary<string, decimal> { ["monitoringLine"] = 6500m },
                },
            ],
        };
        var text = JsonSerializer.Serialize(signals, EventJson.Options);
        Assert.Contains("\"perCapitaIncome\":5800.50", text, StringComparison.Ordinal);
        var back = JsonSerializer.Deserialize<RiskSignalsDetected>(text, EventJson.Options)!;
        Assert.Equal(signals.EventId, back.EventId);
        Assert.Equal(6500m, back.Signals[0].Thresholds["monitoringLine"]);
        var cleared = JsonSerializer.Serialize(new WarningCleared
        {
            RegionCode = "620102001001", HouseholdId = Household, WarningId = Warning, PreviousGrade = WarningGrade.III, ReasonRuleId = "r", Sequence = 1,
        }, EventJson.Options);
        Assert.Contains("\"previousGrade\":\"III\"", cleared, StringComparison.Ordinal);
    }

    [Fact]
    public void Event_ids_are_version_7_uuids_and_times_are_UTC()
    {
        var changed = new HouseholdChanged { RegionCode = "620102001001", HouseholdId = Household, ChangedFields = [], Version = 1 };
        Assert.Equal(7, changed.EventId.Version);
        Assert.Equal(TimeSpan.Zero, changed.OccurredAt.Offset);
    }
}
