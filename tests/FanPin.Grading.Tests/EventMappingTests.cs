using FanPin.Grading.Application.Grading;
using FanPin.Grading.Domain;
using FanPin.Grading.Infrastructure;
using FanPin.Grading.Messaging;
using FanPin.Policies;
using D = FanPin.Grading.Domain.Events;
using I = FanPin.IntegrationEvents;

namespace FanPin.Grading.Tests;

/// <summary>The pure mappings between grading and the event contracts: inputs from the registry and monitoring, warning events out.</summary>
public sealed class EventMappingTests
{
    private const string Village = "620102001001";
    private static readonly Guid Household = Guid.CreateVersion7();
    private static readonly DateTimeOffset At = new(2025, 3, 3, 2, 0, 0, TimeSpan.Zero);

    /// <summary>One registry snapshot and what grading keeps of it.</summary>
    public sealed record SnapshotCase(string Status, string Category, string? MonitoringType, string[] RiskTypes, string[] Labour, bool Dissolved,
        HouseholdCategory ExpectedCategory, MonitoringStatus ExpectedStatus, MonitoringType? ExpectedType, RiskType[] ExpectedRiskTypes, LabourAbility[] ExpectedLabour)
    {
        public override string ToString() => $"{Status}/{Category}/{MonitoringType}/{string.Join('+', RiskTypes)}/{string.Join('+', Labour)}";
    }

    public static TheoryData<SnapshotCase> Snapshots => new()
    {
        new("NotMonitored", "Ordinary", null, [], ["Full", "None"], false, HouseholdCategory.Ordinary, MonitoringStatus.NotMonitored, null, [], [LabourAbility.Full, LabourAbility.None]),
        new("Monitored", "PovertyAlleviated", "UnstablePostPoverty", ["Illness", "HousingSafety"], ["Lost"], false, HouseholdCategory.PovertyAlleviated, MonitoringStatus.Monitored, MonitoringType.UnstablePostPoverty, [RiskType.Illness, RiskType.HousingSafety], [LabourAbility.Lost]),
        new("RiskEliminated", "PovertyAlleviated", "SuddenSevereHardship", ["Other"], [], true, HouseholdCategory.PovertyAlleviated, MonitoringStatus.RiskEliminated, MonitoringType.SuddenSevereHardship, [RiskType.Other], []),
        new("Candidate", "Ordinary", "MarginalAtRisk", ["Disability"], ["Partial", "Partial"], false, HouseholdCategory.Ordinary, MonitoringStatus.Candidate, MonitoringType.MarginalAtRisk, [RiskType.Disability], [LabourAbility.Partial, LabourAbility.Partial]),
    };

    [Theory]
    [MemberData(nameof(Snapshots))]
    public void A_household_snapshot_becomes_the_complete_registry_facts(SnapshotCase c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var e = new I.HouseholdChanged { OccurredAt = At, RegionCode = Village, HouseholdId = Household, ChangedFields = ["status"], Version = 7, Household = Snapshot(c.Status, c.Category, c.MonitoringType, c.RiskTypes, c.Labour, c.Dissolved) };
        var facts = InputMapping.FactsOf(e, e.Household);
        Assert.Equal((e.EventId, At, Household, Village, 7L, c.Dissolved), (facts.EventId, facts.OccurredAt, facts.HouseholdId, facts.RegionCode, facts.RegistryVersion!.Value, facts.Dissolved));
        Assert.Equal((c.ExpectedCategory, c.ExpectedStatus, c.ExpectedType), (facts.Category, facts.Status, facts.MonitoringType));
        Assert.Equal(c.ExpectedRiskTypes, facts.RiskTypes);
        Assert.Equal(c.ExpectedLabour, facts.MemberLabourAbilities);
    }

    [Theory]
    [InlineData("Monitored", "Poor", null, "Full", "household.category")]
    [InlineData("Watched", "Ordinary", null, "Full", "household.status")]
    [InlineData("Monitored", "Ordinary", "Unstable", "Full", "household.monitoringType")]
    [InlineData("Monitored", "Ordinary", null, "Some", "household.members.labourAbility")]
    [InlineData("Monitored", "Ordinary", null, "3", "household.members.labourAbility")]
    public void An_unknown_name_is_a_contract_break_not_a_guess(string status, string category, string? monitoringType, string labour, string field)
    {
        var e = new I.HouseholdRegistered { RegionCode = Village, HouseholdId = Household, Category = category, MemberCount = 1, Household = Snapshot(status, category, monitoringType, [], [labour], false) };
        var ex = Assert.Throws<InvalidOperationException>(() => InputMapping.FactsOf(e, e.Household));
        Assert.StartsWith(field + ":", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_household_event_without_its_snapshot_is_refused()
    {
        var e = new I.MemberChanged { RegionCode = Village, HouseholdId = Household, MemberId = Guid.NewGuid(), ChangeKind = "Born", ChangedFields = [] };
        Assert.Throws<InvalidOperationException>(() => InputMapping.FactsOf(e, e.Household));
    }

    [Fact]
    public void Identification_and_risk_elimination_set_the_status_part_only()
    {
        var identified = InputMapping.StatusOf(new I.HouseholdIdentified { OccurredAt = At, RegionCode = Village, HouseholdId = Household, CaseId = Guid.NewGuid(), MonitoringType = "MarginalAtRisk", RiskTypes = ["Schooling"] });
        Assert.Equal((MonitoringStatus.Monitored, (MonitoringType?)MonitoringType.MarginalAtRisk), (identified.Status, identified.MonitoringType));
        Assert.Equal([RiskType.Schooling], identified.RiskTypes!);
        var eliminated = InputMapping.StatusOf(new I.RiskEliminated { OccurredAt = At, RegionCode = Village, HouseholdId = Household, CaseId = Guid.NewGuid() });
        Assert.Equal((MonitoringStatus.RiskEliminated, (MonitoringType?)null, (IReadOnlyList<RiskType>?)null), (eliminated.Status, eliminated.MonitoringType, eliminated.RiskTypes));
    }

    [Fact]
    public void Signals_map_one_to_one_and_an_empty_list_stays_empty()
    {
        var e = new I.RiskSignalsDetected
        {
            OccurredAt = At, RegionCode = Village, HouseholdId = Household, PolicyVersion = "62 v1",
            Signals = [new I.RiskSignal { Code = "IncomeBelowLine", Inputs = new Dictionary<string, decimal> { ["perCapitaIncome"] = 5800 }, Thresholds = new Dictionary<string, decimal> { ["monitoringLine"] = 6500 } }],
        };
        var received = InputMapping.SignalsOf(e);
        var signal = Assert.Single(received.Signals);
        Assert.Equal(("IncomeBelowLine", 5800m, 6500m, "62 v1"), (signal.Code, signal.Inputs["perCapitaIncome"], signal.Thresholds["monitoringLine"], received.PolicyVersion));
        Assert.Empty(InputMapping.SignalsOf(e with { Signals = [] }).Signals);
    }

    [Fact]
    public void Raised_and_regraded_warnings_carry_the_household_facts_as_graded()
    {
        var facts = new HouseholdFacts
        {
            HouseholdId = Household, RegionCode = Village, Province = "62", Category = HouseholdCategory.PovertyAlleviated, RegistryAsOf = At,
            RiskTypeMask = RiskTypeSet.ToMask([RiskType.HousingSafety, RiskType.Illness]), SignalCodes = ["UnstableIncome", "IncomeBelowLine"],
            MembersFull = 1, MembersLost = 1, MembersNone = 2,
        };
        var households = new Dictionary<Guid, HouseholdFacts> { [Household] = facts };
        var raised = Assert.IsType<I.WarningRaised>(GradingEventMapping.ToIntegrationEvent(Logged(new D.WarningRaised { OccurredAt = At, RegionCode = Village, HouseholdId = Household, WarningId = Guid.NewGuid(), Grade = WarningGrade.Two, RuleId = "r", Status = WarningStatus.Raised, EscalationLevel = 0, DueOn = null }), households));
        Assert.Equal((I.WarningGrade.II, "r", 41L, "PovertyAlleviated"), (raised.Grade, raised.ReasonRuleId, raised.Sequence, raised.HouseholdCategory));
        Assert.Equal(["Illness", "HousingSafety"], raised.RiskTypes);
        Assert.Equal(["IncomeBelowLine", "UnstableIncome"], raised.SignalCodes);
        Assert.Equal(["Full", "Lost", "None", "None"], raised.MemberLabourAbilities);

        var changed = Assert.IsType<I.WarningGradeChanged>(GradingEventMapping.ToIntegrationEvent(Logged(new D.WarningGradeChanged { OccurredAt = At, RegionCode = Village, HouseholdId = Household, WarningId = Guid.NewGuid(), Grade = WarningGrade.One, PreviousGrade = WarningGrade.Three, RuleId = "r1", Status = WarningStatus.Raised, EscalationLevel = 0, DueOn = null }), households));
        Assert.Equal((I.WarningGrade.III, I.WarningGrade.I), (changed.PreviousGrade, changed.Grade));

        // Before the registry told anything, the category is unknown (null), not a default.
        facts.RegistryAsOf = null;
        Assert.Null(((I.WarningRaised)GradingEventMapping.ToIntegrationEvent(Logged(new D.WarningRaised { OccurredAt = At, RegionCode = Village, HouseholdId = Household, WarningId = Guid.NewGuid(), Grade = WarningGrade.Three, RuleId = "r", Status = WarningStatus.Raised, EscalationLevel = 0, DueOn = null }), households)!).HouseholdCategory);
    }

    [Fact]
    public void Clearing_names_the_grade_it_had_and_internal_steps_are_not_published()
    {
        var warning = Guid.NewGuid();
        var cleared = Assert.IsType<I.WarningCleared>(GradingEventMapping.ToIntegrationEvent(Logged(new D.WarningCleared { OccurredAt = At, RegionCode = Village, HouseholdId = Household, WarningId = warning, Grade = WarningGrade.One, RuleId = "none.x", Status = WarningStatus.Cleared, EscalationLevel = 0, DueOn = null }), new Dictionary<Guid, HouseholdFacts>()));
        Assert.Equal((warning, I.WarningGrade.I, "none.x", 41L), (cleared.WarningId, cleared.PreviousGrade, cleared.ReasonRuleId, cleared.Sequence));
        var escalated = Assert.IsType<I.WarningEscalated>(GradingEventMapping.ToIntegrationEvent(Logged(new D.WarningEscalated { OccurredAt = At, RegionCode = Village, HouseholdId = Household, WarningId = warning, Grade = WarningGrade.Two, RuleId = RuleIds.EscalationOverdue, Status = WarningStatus.Escalated, EscalationLevel = 2, DueOn = null }), new Dictionary<Guid, HouseholdFacts>()));
        Assert.Equal((I.WarningGrade.II, 2), (escalated.Grade, escalated.EscalationLevel));
        Assert.Null(GradingEventMapping.ToIntegrationEvent(new D.WarningAcknowledged { OccurredAt = At, RegionCode = Village, HouseholdId = Household, WarningId = warning, By = "c" }, new Dictionary<Guid, HouseholdFacts>()));
        Assert.Null(GradingEventMapping.ToIntegrationEvent(new D.PolicyVersionPublished { OccurredAt = At, RegionCode = "620000000000", Province = "62", Version = 2, EffectiveFrom = new DateOnly(2025, 3, 3), Document = "" }, new Dictionary<Guid, HouseholdFacts>()));
    }

    [Fact]
    public void A_raise_without_the_household_facts_in_the_unit_of_work_is_a_bug_and_throws()
    {
        Assert.Throws<InvalidOperationException>(() => GradingEventMapping.ToIntegrationEvent(
            new D.WarningRaised { OccurredAt = At, RegionCode = Village, HouseholdId = Household, WarningId = Guid.NewGuid(), Grade = WarningGrade.One, RuleId = "r", Status = WarningStatus.Raised, EscalationLevel = 0, DueOn = null },
            new Dictionary<Guid, HouseholdFacts>()));
    }

    private static T Logged<T>(T e) where T : D.WarningLogEvent
    {
        e.Sequence = 41;
        return e;
    }

    private static I.HouseholdSnapshot Snapshot(string status, string category, string? monitoringType, string[] riskTypes, string[] labour, bool dissolved) => new()
    {
        Version = 7, Category = category, MinimumLivingGuarantee = false, ExtremePovertySupport = false, Status = status, MonitoringType = monitoringType,
        RiskTypes = riskTypes, MemberCount = labour.Length, Dissolved = dissolved,
        Members = labour.Select(l => new I.RegistryMember
        {
            MemberId = Guid.NewGuid(), IdNumberHash = new string('0', 64), Relation = "Head", LabourAbility = l, Health = "Healthy", Schooling = "NotInSchool",
            BirthDate = new DateOnly(1970, 1, 1), MedicalInsured = true, PensionInsured = true,
        }).ToList(),
    };
}
