using FanPin.Policies;
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
/// One message (<see cref="HandleAsync"/>) is a batch of one (<see cref="HandleBatchAsync"/>): the rules exist once.
/// </summary>
public sealed class HandleRiskSignalsDetected(RegistryDbContext db, RegistryPolicies policies, RegistryClock clock)
{
    /// <summary>The actor recorded in the audit trail.</summary>
    public static readonly Actor Monitoring = Actor.System("monitoring");

    /// <summary>Runs the use case for one message, and saves.</summary>
    public async Task<SignalResult> HandleAsync(RiskSignalsDetectedMessage message, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var result = (await HandleBatchAsync([message], ct).ConfigureAwait(false))[0];
        if (result.Outcome != SignalOutcome.Opened)
        {
            return result;
        }
        try
        {
            await OpenIdentificationCase.SaveAsync(db, CaseSource.SystemSignal, Reference(message), ct).ConfigureAwait(false);
        }
        catch (PreconditionFailedException ex)
        {
            return new SignalResult(SignalOutcome.NotApplicable, null, ex.Message);
        }
        return result;
    }

    /// <summary>
    /// A batch of messages (the batch consumer's, in delivery order), set-based: one query for earlier cases of the
    /// batch's event ids, one locking the batch's households (in id order, the order every batch takes them in, so
    /// two batches never deadlock; a household another batch or a cadre is changing is read once that commits) and
    /// loading their members, one for their closing cases in progress, and one for the open cases of the households
    /// that are not applicable. The cases are only staged: the caller saves once and commits (the consumer's base
    /// class, with the inbox rows), and a failed save rolls the whole batch back for a retry. Returns one result per
    /// message, in the order given; of several messages for one household, the first opens the case and the later
    /// ones find the household a candidate.
    /// </summary>
    public async Task<IReadOnlyList<SignalResult>> HandleBatchAsync(IReadOnlyList<RiskSignalsDetectedMessage> messages, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var results = new SignalResult?[messages.Count];
        var pending = new List<int>(messages.Count);
        for (var i = 0; i < messages.Count; i++)
        {
            if (messages[i].Signals.Count == 0)
            {
                // Monitoring announces clearing with an empty set: nothing fires, so there is nothing to identify.
                results[i] = new SignalResult(SignalOutcome.NotApplicable, null, "no signal fires (the earlier ones cleared)");
            }
            else
            {
                pending.Add(i);
            }
        }
        if (pending.Count > 0)
        {
            await DecideAsync(messages, pending, results, ct).ConfigureAwait(false);
        }
        return results.Select(r => r!).ToList();
    }

    private async Task DecideAsync(IReadOnlyList<RiskSignalsDetectedMessage> messages, List<int> pending, SignalResult?[] results, CancellationToken ct)
    {
        var references = pending.Select(i => Reference(messages[i])).Distinct().ToList();
        var earlier = (await db.IdentificationCases.AsNoTracking()
                .Where(c => c.Source == CaseSource.SystemSignal && c.SourceReference != null && references.Contains(c.SourceReference))
                .Select(c => new { Reference = c.SourceReference!, c.Id }).ToListAsync(ct).ConfigureAwait(false))
            .ToDictionary(c => c.Reference, c => c.Id);
        var ids = pending.Where(i => !earlier.ContainsKey(Reference(messages[i]))).Select(i => messages[i].HouseholdId).Distinct().Order().ToArray();
        var households = await LockAsync(ids, ct).ConfigureAwait(false);
        var openable = households.Values.Where(h => !IsNotApplicable(h)).Select(h => h.Id).ToList();
        var closing = await OpenIdentificationCase.ClosingInProgressAsync(db, openable, ct).ConfigureAwait(false);
        var blocked = households.Values.Where(IsNotApplicable).Select(h => h.Id).ToList();
        var open = blocked.Count == 0 ? new Dictionary<Guid, Guid>() : (await db.IdentificationCases.AsNoTracking()
                .Where(c => blocked.Contains(c.HouseholdId) && c.State != IdentificationState.Entered && c.State != IdentificationState.Rejected)
                .Select(c => new { c.HouseholdId, c.Id }).ToListAsync(ct).ConfigureAwait(false))
            .DistinctBy(c => c.HouseholdId).ToDictionary(c => c.HouseholdId, c => c.Id);
        var policy = new Dictionary<(string Region, DateOnly Day), ProvincePolicy>();
        ProvincePolicy PolicyOf(string region)
        {
            var key = (region, clock.Today);
            if (!policy.TryGetValue(key, out var inForce))
            {
                policy[key] = inForce = policies.InForce(region, key.Today);
            }
            return inForce;
        }

        // Households in id order (the order they are locked in), each one's messages in delivery order.
        foreach (var i in pending.OrderBy(i => messages[i].HouseholdId).ThenBy(i => i))
        {
            var message = messages[i];
            var reference = Reference(message);
            if (earlier.TryGetValue(reference, out var before))
            {
                results[i] = new SignalResult(SignalOutcome.AlreadyHandled, before, "this signal opened the case before");
                continue;
            }
            if (!households.TryGetValue(message.HouseholdId, out var household))
            {
                results[i] = new SignalResult(SignalOutcome.NotApplicable, null, "unknown household");
                continue;
            }
            if (IsNotApplicable(household))
            {
                results[i] = new SignalResult(SignalOutcome.NotApplicable, open.TryGetValue(household.Id, out var current) ? current : null,
                    $"the household is {household.Status}{(household.DissolvedOn is null ? "" : " (dissolved)")}");
                continue;
            }
            var summary = string.IsNullOrWhiteSpace(message.Summary) ? "signals: " + string.Join(", ", message.Signals) : message.Summary.Trim();
            try
            {
                var opened = OpenIdentificationCase.Stage(db, PolicyOf, clock, household, closing.Contains(household.Id), CaseSource.SystemSignal, reference, summary,
                    Monitoring);
                results[i] = new SignalResult(SignalOutcome.Opened, opened.Id, "opened");
                // A later message of the batch sees what this one did, as it would have after its commit.
                earlier[reference] = opened.Id;
                open[household.Id] = opened.Id;
            }
            catch (PreconditionFailedException ex)
            {
                results[i] = new SignalResult(SignalOutcome.NotApplicable, null, ex.Message);
            }
        }
    }

    /// <summary>
    /// The households with their members, locked (FOR UPDATE, in id order) so that nothing changes them before the
    /// commit. The members are read by a second statement, after the lock: one statement would read them as they
    /// were before a change the lock waited for.
    /// </summary>
    private async Task<Dictionary<Guid, Household>> LockAsync(Guid[] ids, CancellationToken ct)
    {
        if (ids.Length == 0)
        {
            return [];
        }
        var households = await db.Households
            .FromSqlInterpolated($"SELECT *, xmin FROM households WHERE id = ANY({ids}) ORDER BY id FOR UPDATE")
            .Include(h => h.AllMembers).AsSplitQuery()
            .ToListAsync(ct).ConfigureAwait(false);
        return households.ToDictionary(h => h.Id);
    }

    /// <summary>Monitored, already a candidate, merged or dissolved: a signal changes nothing.</summary>
    private static bool IsNotApplicable(Household household) =>
        household.Status is MonitoringStatus.Monitored or MonitoringStatus.Candidate || household.MergedIntoId is not null || household.DissolvedOn is not null;

    private static string Reference(RiskSignalsDetectedMessage message) => message.EventId.ToString("D");
}
