using FanPin.IntegrationEvents;

namespace FanPin.Messaging.Tests.Support;

/// <summary>One fully populated instance of every public event, for the schema and serialization tests.</summary>
internal static class PublicEventSamples
{
    public static IntegrationEvent For(Type type, string region = "620102001001", Guid? household = null)
    {
        var h = household ?? Guid.CreateVersion7();
        var correlation = Guid.CreateVersion7();
        IntegrationEvent sample = type.Name switch
        {
            nameof(WarningRaised) => new WarningRaised { RegionCode = region, HouseholdId = h, WarningId = Guid.CreateVersion7(), Grade = WarningGrade.II, ReasonRuleId = "gs-2024.grade-ii.transfer-income-only", Sequence = 41,
                RiskTypes = ["Illness"], SignalCodes = ["MedicalCostAboveWarningLine"], HouseholdCategory = "Ordinary", MemberLabourAbilities = ["None", "Lost"] },
            nameof(WarningGradeChanged) => new WarningGradeChanged { RegionCode = region, HouseholdId = h, WarningId = Guid.CreateVersion7(), PreviousGrade = WarningGrade.III, Grade = WarningGrade.I, ReasonRuleId = "gs-2024.grade-i.medical-cost", Sequence = 42,
                RiskTypes = ["Illness"], SignalCodes = ["MedicalCostAboveWarningLine"], HouseholdCategory = "PovertyAlleviated", MemberLabourAbilities = ["Full", "Partial"] },
            nameof(WarningEscalated) => new WarningEscalated { RegionCode = region, HouseholdId = h, WarningId = Guid.CreateVersion7(), Grade = WarningGrade.I, ReasonRuleId = "gs-2024.escalate.overdue-15d", EscalationLevel = 2, Sequence = 43 },
            nameof(WarningCleared) => new WarningCleared { RegionCode = region, HouseholdId = h, WarningId = Guid.CreateVersion7(), PreviousGrade = WarningGrade.III, ReasonRuleId = "gs-2024.clear.income-stable-6m", Sequence = 44 },
            nameof(HouseholdIdentified) => new HouseholdIdentified { RegionCode = region, HouseholdId = h, CaseId = Guid.CreateVersion7(), MonitoringType = "MarginalAtRisk", RiskTypes = ["Illness", "HousingSafety"] },
            nameof(RiskEliminated) => new RiskEliminated { RegionCode = region, HouseholdId = h, CaseId = Guid.CreateVersion7() },
            _ => throw new ArgumentException($"no sample for public event {type.Name}: add one", nameof(type)),
        };
        return sample with { CorrelationId = correlation };
    }
}
