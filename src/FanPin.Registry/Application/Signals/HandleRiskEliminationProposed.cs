using FanPin.Registry.Application.Closing;
using FanPin.Registry.Application.Common;
using FanPin.Registry.Domain;
using FanPin.Registry.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Registry.Application.Signals;

/// <summary>The monitoring service's RiskEliminationProposed: income stable above the line since a date, gaps closed.</summary>
public sealed record RiskEliminationProposedMessage(Guid EventId, Guid HouseholdId, DateOnly IncomeStableSince, string? Summary);

/// <summary>
/// Opens a closing case (source: system proposal) for a monitored household without one in progress, when
/// income has been stable as long as the policy asks. Idempotent by event id; never throws for business reasons.
/// </summary>
public sealed class HandleRiskEliminationProposed(RegistryDbContext db, RegistryPolicies policies, RegistryClock clock)
{
    /// <summary>Runs the use case.</summary>
    public async Task<SignalResult> HandleAsync(RiskEliminationProposedMessage message, CancellationToken ct = default)
    {
        var reference = message.EventId.ToString("D");
        var earlier = await db.ClosingCases.AsNoTracking()
            .Where(c => c.Source == ClosingSource.SystemProposal && c.SourceReference == reference).Select(c => (Guid?)c.Id).FirstOrDefaultAsync(ct).ConfigureAwait(false);
        if (earlier is not null)
        {
            return new SignalResult(SignalOutcome.AlreadyHandled, earlier, "this proposal opened the case before");
        }
        var household = await db.Households.FirstOrDefaultAsync(h => h.Id == message.HouseholdId, ct).ConfigureAwait(false);
        if (household is null)
        {
            return new SignalResult(SignalOutcome.NotApplicable, null, "unknown household");
        }
        var today = clock.Today;
        var policy = policies.InForce(household.RegionCode, today);
        var errors = new FieldErrors();
        OpenClosingCase.ValidateStableIncome(message.IncomeStableSince, policy, today, errors);
        if (errors.Count > 0)
        {
            return new SignalResult(SignalOutcome.NotApplicable, null, string.Join("; ", errors.Violations.Select(v => v.Description)));
        }
        var summary = string.IsNullOrWhiteSpace(message.Summary) ? "proposed by the monitoring service" : message.Summary.Trim();
        try
        {
            var opened = await OpenClosingCase.OpenAsync(db, clock, household, policy, ClosingSource.SystemProposal, reference, summary, message.IncomeStableSince,
                HandleRiskSignalsDetected.Monitoring, ct).ConfigureAwait(false);
            return new SignalResult(SignalOutcome.Opened, opened.Id, "opened");
        }
        catch (PreconditionFailedException ex)
        {
            return new SignalResult(SignalOutcome.NotApplicable, null, ex.Message);
        }
    }
}
