using FanPin.Grading.Application.Grading;
using FanPin.Grading.Domain;
using FanPin.IntegrationEvents;
using FanPin.Policies;
using RiskType = FanPin.Grading.Domain.RiskType;
using MonitoringStatus = FanPin.Grading.Domain.MonitoringStatus;
using MonitoringType = FanPin.Grading.Domain.MonitoringType;

namespace FanPin.Grading.Messaging;

/// <summary>
/// The registry's and monitoring's events as grading's inputs. The vocabularies have the same names on both
/// sides; a name grading does not know is a contract break, so it throws (the message goes to the error queue
/// instead of being graded on wrong facts).
/// </summary>
public static class InputMapping
{
    /// <summary>A household event's snapshot as the complete registry facts (ordered by the snapshot's version).</summary>
    public static HouseholdFactsChanged FactsOf(IntegrationEvent e, HouseholdSnapshot? household)
    {
        ArgumentNullException.ThrowIfNull(e);
        var snapshot = household ?? throw new InvalidOperationException($"{e.GetType().Name} {e.EventId} carries no household snapshot (the registry always sets it).");
        return new HouseholdFactsChanged(
            e.EventId,
            e.OccurredAt,
            HouseholdOf(e),
            e.RegionCode,
            Parse<HouseholdCategory>(snapshot.Category, "household.category"),
            Parse<MonitoringStatus>(snapshot.Status, "household.status"),
            snapshot.MonitoringType is null ? null : Parse<MonitoringType>(snapshot.MonitoringType, "household.monitoringType"),
            RiskTypesOf(snapshot.RiskTypes),
            snapshot.Members.Select(m => Parse<LabourAbility>(m.LabourAbility, "household.members.labourAbility")).ToList(),
            snapshot.Dissolved,
            snapshot.Version);
    }

    /// <summary>The county entered the household as monitored: status, monitoring type and risk types.</summary>
    public static HouseholdStatusChanged StatusOf(HouseholdIdentified e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new HouseholdStatusChanged(e.EventId, e.OccurredAt, HouseholdOf(e), e.RegionCode, MonitoringStatus.Monitored,
            Parse<MonitoringType>(e.MonitoringType, "monitoringType"), RiskTypesOf(e.RiskTypes));
    }

    /// <summary>The household's risk was marked eliminated: its warning is cleared by the grading rules.</summary>
    public static HouseholdStatusChanged StatusOf(RiskEliminated e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new HouseholdStatusChanged(e.EventId, e.OccurredAt, HouseholdOf(e), e.RegionCode, MonitoringStatus.RiskEliminated);
    }

    /// <summary>Monitoring's evaluation (a complete snapshot: an empty list means no signal fires any more).</summary>
    public static RiskSignalsReceived SignalsOf(RiskSignalsDetected e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new RiskSignalsReceived(e.EventId, e.OccurredAt, HouseholdOf(e), e.RegionCode, e.PolicyVersion,
            e.Signals.Select(s => new ReceivedRiskSignal(s.Code, s.Inputs, s.Thresholds)).ToList());
    }

    private static List<RiskType> RiskTypesOf(IEnumerable<string> names) => names.Select(n => Parse<RiskType>(n, "riskTypes")).ToList();

    private static Guid HouseholdOf(IntegrationEvent e) =>
        e.HouseholdId ?? throw new InvalidOperationException($"{e.GetType().Name} {e.EventId} names no household.");

    private static T Parse<T>(string name, string field) where T : struct, Enum =>
        Enum.TryParse<T>(name, ignoreCase: false, out var value) && Enum.IsDefined(value) && !int.TryParse(name, out _)
            ? value
            : throw new InvalidOperationException($"{field}: '{name}' is not a {typeof(T).Name} grading knows.");
}
