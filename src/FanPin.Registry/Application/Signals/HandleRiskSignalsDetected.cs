using FanPin.Registry.Application.Common;
using FanPin.Registry.Application.Identification;
using FanPin.Registry.Domain;
using FanPin.Registry.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Registry.Application.Signals;

/// <summary>The monitoring service's RiskSignalsDetected, as the consumer hands it over. <see cref="Signals"/> is the set that fires now; empty: none any more.</summary>
public sealed record RiskSignalsDetectedMessage(Guid EventId, Guid HouseholdId, DateTimeOffset DetectedAt, IReadOnlyList<string> Signals, string? Summary);

/// <summary>What a consumer did with a message.</summary>
public enum SignalOutcome
{
    /// <summary>A case was opened.</summary>
    Opened = 1,
    /// <summary>The same message was handled before: nothing new.</summary>
    AlreadyHandled = 2,
    /// <summary>Nothing to do (monitored, a case in progress, unknown household...); see the reason.</summary>
    NotApplicable = 3,
}

/// <summary>The consumer's answer: the outcome, the case (opened or earlier) and why.</summary>
public sealed record SignalResult(SignalOutcome Outcome, Guid? CaseId, string Reason);

/// <summary>
/// Opens an identification case with source "system signal" when the household is not monitored and has no
/// case in progress. An empty signal list (monitoring's earlier signals all cleared) opens nothing. Idempotent:
/// the event id is the case's source reference, so a re-delivered message finds its case. Never throws for business reasons (a consumer must not loop on a message it cannot use).
/// </summary>
public sealed class HandleRiskSignalsDetected(RegistryDbContext db, RegistryPolicies policies, RegistryClock clock)
{
    /// <summary>The actor recorded in the audit trail.</summary>
    public static readonly Actor Monitoring = Actor.System("monitoring");

    /// <summary>Runs the use case.</summary>
    public async Task<SignalResult> HandleAsync(RiskSignalsDetectedMessage message, CancellationToken ct = default)
    {
        if (message.Signals.Count == 0)
        {
            // Monitoring announces clearing with an empty set: nothing fires, so there is nothing to identify.
            return new SignalResult(SignalOutcome.NotApplicable, null, "no signal fires (the earlier ones cleared)");
        }
        var reference = message.EventId.ToString("D");
        var earlier = await db.IdentificationCases.AsNoTracking()
            .Where(c => c.Source == CaseSource.SystemSignal && c.SourceReference == reference).Select(c => (Guid?)c.Id).FirstOrDefaultAsync(ct).ConfigureAwait(false);
        if (earlier is not null)
        {
            return new SignalResult(SignalOutcome.AlreadyHandled, earlier, "this signal opened the case before");
        }
        var household = await db.Households.Include(h => h.AllMembers).FirstOrDefaultAsync(h => h.Id == message.HouseholdId, ct).ConfigureAwait(false);
        if (household is null)
        {
            return new SignalResult(SignalOutcome.NotApplicable, null, "unknown household");
        }
        if (household.Status is MonitoringStatus.Monitored or MonitoringStatus.Candidate || household.MergedIntoId is not null || household.DissolvedOn is not null)
        {
            var open = await db.IdentificationCases.AsNoTracking()
                .Where(c => c.HouseholdId == household.Id && c.State != IdentificationState.Entered && c.State != IdentificationState.Rejected)
                .Select(c => (Guid?)c.Id).FirstOrDefaultAsync(ct).ConfigureAwait(false);
            return new SignalResult(SignalOutcome.NotApplicable, open, $"the household is {household.Status}{(household.DissolvedOn is null ? "" : " (dissolved)")}");
        }
        var summary = string.IsNullOrWhiteSpace(message.Summary) ? "signals: " + string.Join(", ", message.Signals) : message.Summary.Trim();
        try
        {
            var opened = await OpenIdentificationCase.OpenAsync(db, policies, clock, household, CaseSource.SystemSignal, reference, summary, Monitoring, ct).ConfigureAwait(false);
            return new SignalResult(SignalOutcome.Opened, opened.Id, "opened");
        }
        catch (PreconditionFailedException ex)
        {
            return new SignalResult(SignalOutcome.NotApplicable, null, ex.Message);
        }
    }
}
