using FanPin.Assistance.Domain;
using FanPin.Assistance.Infrastructure;
using FanPin.Assistance.Messaging;
using FanPin.Policies;
using FanPin.ServiceDefaults.Authentication;
using D = FanPin.Assistance.Domain;
using I = FanPin.IntegrationEvents;

namespace FanPin.Assistance.Tests;

/// <summary>The pure parts of the wiring: reading warning events, mapping domain events, service tokens.</summary>
public sealed class WiringRuleTests
{
    private const string Village = "620102001001";
    private static readonly Guid Household = Guid.NewGuid();

    public static TheoryData<string[], string[], string?, string?, string> Readings => new()
    {
        // risk types, labour, category → not-applicable reason (null: stored), and what is stored / skipped
        { ["Illness", "Schooling"], ["Full", "None"], "PovertyAlleviated", null, "Illness,Schooling|Full,None|PovertyAlleviated|" },
        { ["Schooling", "Meteorite", "Illness", "Schooling"], ["Partial"], null, null, "Illness,Schooling|Partial|Ordinary|Meteorite" },
        { [], ["Lost"], "Ordinary", null, "|Lost|Ordinary|" },
        { ["1"], ["Full"], null, null, "|Full|Ordinary|1" },
        { ["Illness"], [], null, "the event gives no member's labour ability", "" },
        { ["Illness"], ["Full", "Strong"], null, "unknown labour ability 'Strong'", "" },
        { ["Illness"], ["Full, Partial"], null, "unknown labour ability 'Full, Partial'", "" },
        { ["Illness"], ["Full"], "Rich", "unknown household category 'Rich'", "" },
    };

    [Theory]
    [MemberData(nameof(Readings))]
    public void Warning_events_are_read_by_exact_names(string[] risks, string[] labour, string? category, string? notApplicable, string stored)
    {
        var reading = WarningReader.Read(Guid.NewGuid(), Household, Village, I.WarningGrade.II, risks, labour, category);
        Assert.Equal(notApplicable, reading.NotApplicable);
        if (notApplicable is null)
        {
            var w = reading.Warning!;
            Assert.Equal(stored, $"{string.Join(',', w.RiskTypes)}|{string.Join(',', w.MemberLabour)}|{w.Category}|{string.Join(',', reading.SkippedRiskTypes)}");
            Assert.Equal((D.WarningGrade.Two, Household, Village), (w.Grade, w.HouseholdId, w.Region.ToString()));
        }
        else
        {
            Assert.Null(reading.Warning);
        }
    }

    [Theory]
    [InlineData(null, Village, "the event names no household")]
    [InlineData("h", "620102001000", "region '620102001000' is not a 12-digit village code")]
    [InlineData("h", "62010200100x", "region '62010200100x' is not a 12-digit village code")]
    public void An_event_without_household_or_village_is_not_applied(string? household, string region, string reason)
    {
        var reading = WarningReader.Read(Guid.NewGuid(), household is null ? null : Household, region, I.WarningGrade.I, ["Illness"], ["Full"], null);
        Assert.Equal(reason, reading.NotApplicable);
    }

    [Theory]
    [InlineData(I.WarningGrade.I, D.WarningGrade.One)]
    [InlineData(I.WarningGrade.II, D.WarningGrade.Two)]
    [InlineData(I.WarningGrade.III, D.WarningGrade.Three)]
    public void Grades_map_one_to_one(I.WarningGrade grade, D.WarningGrade expected) => Assert.Equal(expected, WarningReader.GradeOf(grade));

    [Fact]
    public void Domain_events_map_to_the_integration_events_others_read()
    {
        var now = new DateTimeOffset(2025, 3, 3, 10, 0, 0, TimeSpan.FromHours(8));
        var (task, plan) = (Guid.NewGuid(), Guid.NewGuid());
        var assigned = Assert.IsType<I.TaskAssigned>(AssistanceEventMapping.ToIntegrationEvent(
            new D.TaskAssigned(task, plan, "water.repair", AssigneeKind.Township, "620102001", new DateOnly(2025, 3, 17), 2) { OccurredAt = now, RegionCode = Village, HouseholdId = Household }));
        Assert.Equal((task, plan, "water.repair", "Township", "620102001", new DateOnly(2025, 3, 17)), (assigned.TaskId, assigned.PlanId, assigned.MeasureCode, assigned.AssigneeKind, assigned.Assignee, assigned.DueDate));
        Assert.Equal((Village, (Guid?)Household, TimeSpan.Zero), (assigned.RegionCode, assigned.HouseholdId, assigned.OccurredAt.Offset));

        var overdue = Assert.IsType<I.TaskOverdue>(AssistanceEventMapping.ToIntegrationEvent(
            new D.TaskOverdue(task, plan, "water.repair", AssigneeKind.Department, "water", new DateOnly(2025, 3, 5), new DateOnly(2025, 3, 6)) { OccurredAt = now, RegionCode = Village, HouseholdId = Household }));
        Assert.Equal((task, plan, "Department", "water", new DateOnly(2025, 3, 5)), (overdue.TaskId, overdue.PlanId, overdue.AssigneeKind, overdue.Assignee, overdue.DueDate));

        var proposed = Assert.IsType<I.RiskEliminationProposed>(AssistanceEventMapping.ToIntegrationEvent(
            new D.RiskEliminationProposed(plan, 2, new DateOnly(2024, 9, 1), 700_000, 650_000, "all done") { OccurredAt = now, RegionCode = Village, HouseholdId = Household }));
        Assert.Equal((plan, (DateOnly?)new DateOnly(2024, 9, 1), "all done"), (proposed.PlanId, proposed.IncomeStableSince, proposed.Summary));
        Assert.Equal(["AllMeasuresDone", "IncomeStableAboveLine", "GuaranteeGapsClosed"], proposed.Basis);

        Assert.Null(AssistanceEventMapping.ToIntegrationEvent(
            new D.TaskCompleted(task, "water.repair", 0, 0, "log", new DateOnly(2025, 3, 6)) { OccurredAt = now, RegionCode = Village, HouseholdId = Household }));
    }

    [Fact]
    public async Task Service_tokens_are_read_only_scoped_to_the_village_and_renewed_near_expiry()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        var options = new FanPinAuthOptions { SigningKey = "assistance-service-token-test-signing-key-01" };
        var tokens = new ServiceTokens(new TokenIssuer(options, clock), clock);
        var first = tokens.For(RegionCode.Parse(Village));
        var (caller, error) = await new TokenIssuer(options).ValidateAsync(first);
        Assert.Null(error);
        Assert.Equal((CallerRole.Downstream, Village, ServiceTokens.Subject), (caller!.Role, caller.Scope.Value, caller.Subject));

        clock.Advance(ServiceTokens.Lifetime - ServiceTokens.RenewBefore - TimeSpan.FromSeconds(1));
        Assert.Same(first, tokens.For(RegionCode.Parse(Village)));
        Assert.NotEqual(first, tokens.For(RegionCode.Parse("620102001002")));
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.NotEqual(first, tokens.For(RegionCode.Parse(Village)));
    }
}
