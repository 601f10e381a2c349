using System.Globalization;
using FanPin.Monitoring.Domain;
using D = FanPin.Monitoring.Domain.Events;
using I = FanPin.IntegrationEvents;

namespace FanPin.Monitoring.Infrastructure;

/// <summary>
/// Each monitoring domain event as the integration event other services read (FanPin.IntegrationEvents). Enums go
/// out by name. A signal keeps monitoring's own inputs (amounts in fen) and also carries, under grading's names,
/// the measurements grading's rules read (docs/grading.md "Inputs": amounts in CNY, shares 0–1), so grading can
/// grade without calling back.
/// </summary>
public static class MonitoringEventMapping
{
    /// <summary>Grading's input names (its SignalVocabulary): per-capita income, CNY.</summary>
    public const string PerCapitaIncome = "perCapitaIncome";

    /// <summary>The household's disposable income of the income window, CNY.</summary>
    public const string LastYearIncome = "lastYearIncome";

    /// <summary>Rigid expenditure of the cost window, CNY.</summary>
    public const string RigidExpenditure = "rigidExpenditure";

    /// <summary>Share of per-capita income lost, 0–1.</summary>
    public const string IncomeDropShare = "incomeDropShare";

    /// <summary>Share of gross income from transfers, 0–1.</summary>
    public const string TransferIncomeShare = "transferIncomeShare";

    /// <summary>The integration event of <paramref name="domainEvent"/>.</summary>
    public static I.IntegrationEvent ToIntegrationEvent(D.DomainEvent domainEvent)
    {
        ArgumentNullException.ThrowIfNull(domainEvent);
        var occurredAt = domainEvent.OccurredAt.ToUniversalTime();
        return domainEvent switch
        {
            D.RiskSignalsDetected e => new I.RiskSignalsDetected
            {
                EventId = e.EventId, OccurredAt = occurredAt, RegionCode = e.RegionCode, HouseholdId = e.HouseholdId,
                PolicyVersion = string.Create(CultureInfo.InvariantCulture, $"{e.PolicyProvince} v{e.PolicyVersion}"),
                Signals = e.Signals.Select(s => SignalOf(s, e.Summary)).ToList(),
                Category = e.Category.ToString(),
                PolicyProvince = e.PolicyProvince,
                LabourAbilities = e.LabourAbilities.Select(a => a.ToString()).ToList(),
                PreviousSignalCodes = e.PreviousSignalCodes.ToList(),
                GuaranteeGaps = e.GuaranteeGaps.Select(g => g.ToString()).ToList(),
                Exclusions = e.Exclusions.Select(x => new I.MonitoringExclusionFact
                {
                    Kind = x.Kind.ToString(), Department = x.Department, Month = x.Month.ToString(), AmountFen = x.AmountFen, Reference = x.Reference,
                }).ToList(),
                Sequence = e.Sequence,
            },
            D.FeedOverdue e => new I.FeedOverdue
            {
                EventId = e.EventId, OccurredAt = occurredAt, RegionCode = e.RegionCode, HouseholdId = null,
                Department = e.Department, Period = e.Period, DueDate = e.DueOn, ArrivedAt = e.ArrivedAt?.ToUniversalTime(),
            },
            D.FeedAnomaly e => new I.FeedAnomaly
            {
                EventId = e.EventId, OccurredAt = occurredAt, RegionCode = e.RegionCode, HouseholdId = null,
                Department = e.Department, Period = e.Period, Kind = e.Kind, Detail = e.Detail,
                FeedId = e.FeedId, RowCount = e.RowCount, MatchRate = e.MatchRate, ErrorRate = e.ErrorRate,
            },
            _ => throw new InvalidOperationException($"No integration event for the domain event {domainEvent.EventType}."),
        };
    }

    /// <summary>A signal with monitoring's inputs plus grading's measurements of the summary it was found in.</summary>
    public static I.RiskSignal SignalOf(RiskSignal signal, IncomeSummary summary)
    {
        ArgumentNullException.ThrowIfNull(signal);
        ArgumentNullException.ThrowIfNull(summary);
        var inputs = new Dictionary<string, decimal>(signal.Inputs);
        foreach (var (name, value) in GradingInputs(summary))
        {
            inputs.TryAdd(name, value);
        }
        return new I.RiskSignal
        {
            Code = signal.Code,
            Inputs = inputs,
            Thresholds = new Dictionary<string, decimal>(signal.Thresholds),
            Comparison = signal.Comparison,
            PolicyKey = signal.PolicyKey,
            Explanation = signal.Explanation,
        };
    }

    /// <summary>
    /// The measurements grading reads, on every signal: its grade rules combine any risk factor with the
    /// household's income figures (e.g. a medical warning line and income under 1.5× the poverty line), and all
    /// signals of one evaluation carry the same values, so which one grading reads them from does not matter.
    /// Income figures only when income is known; a ratio only when it is defined.
    /// </summary>
    public static IEnumerable<(string Name, decimal Value)> GradingInputs(IncomeSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        if (summary.IncomeMonthsRecorded > 0)
        {
            if (summary.PerCapitaIncomeFen is { } perCapita)
            {
                yield return (PerCapitaIncome, Cny(perCapita));
            }
            yield return (LastYearIncome, Cny(summary.DisposableIncomeFen));
            if (summary.TransferIncomeShare is { } transfer)
            {
                yield return (TransferIncomeShare, Math.Clamp(transfer, 0m, 1m));
            }
        }
        yield return (RigidExpenditure, Cny(summary.RigidCostsFen));
        if (summary.IncomeDropRatio is { } drop)
        {
            yield return (IncomeDropShare, Math.Clamp(drop, 0m, 1m));
        }
    }

    private static decimal Cny(long fen) => fen / 100m;
}
