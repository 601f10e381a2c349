using FanPin.Policies;
using FanPin.Registry.Application.Common;
using FanPin.Registry.Application.Households;
using FanPin.Registry.Domain;
using FanPin.Registry.Infrastructure;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Registry.Application.Identification;

/// <summary>Open a case for a household, from any source; <see cref="SourceReference"/> is the petition/12345 number or similar.</summary>
public sealed record OpenIdentificationCaseRequest(Guid HouseholdId, CaseSource? Source, string? Summary, string? SourceReference = null);

/// <summary>
/// Opens an identification case (village cadres propose; townships and counties too). The household must be
/// not monitored (or risk-eliminated, to be identified again) and have no case in progress; it becomes a
/// candidate. Deadlines come from the province policy in force today. Raises IdentificationCaseOpened.
/// </summary>
public sealed class OpenIdentificationCase(RegistryDbContext db, RegistryPolicies policies, RegistryClock clock)
{
    /// <summary>Runs the use case.</summary>
    public async Task<IdentificationCaseResult> HandleAsync(Caller caller, OpenIdentificationCaseRequest request, CancellationToken ct = default)
    {
        var household = await HouseholdStore.LoadForAsync(db, caller, "propose identification cases", RegistryAccess.ProposeCase, request.HouseholdId, ct).ConfigureAwait(false);
        var errors = new FieldErrors();
        errors.Require(request.Source is not null, "source", "is required");
        errors.Require(request.Source != CaseSource.SystemSignal, "source", "system signals come from the monitoring service, not from callers");
        errors.Require(!string.IsNullOrWhiteSpace(request.Summary), "summary", "is empty: say what the application or alert is about");
        errors.ThrowIfAny();
        var c = await OpenAsync(db, policies, clock, household, request.Source!.Value, request.SourceReference, request.Summary!.Trim(), RegistryAccess.ActorOf(caller), ct).ConfigureAwait(false);
        return new IdentificationCaseResult(await IdentificationCases.ViewAsync(db, c, clock.Today, ct).ConfigureAwait(false));
    }

    /// <summary>The opening itself (checks, staging, save), for a cadre's request and a single system signal.</summary>
    internal static async Task<IdentificationCase> OpenAsync(
        RegistryDbContext db, RegistryPolicies policies, RegistryClock clock, Household household, CaseSource source, string? sourceReference,
        string summary, Actor actor, CancellationToken ct)
    {
        var closing = await ClosingInProgressAsync(db, [household.Id], ct).ConfigureAwait(false);
        var c = Stage(db, region => policies.InForce(region, clock.Today), clock, household, closing.Contains(household.Id), source, sourceReference, summary, actor);
        await SaveAsync(db, source, sourceReference, ct).ConfigureAwait(false);
        return c;
    }

    /// <summary>The households among <paramref name="households"/> with a closing case in progress (one query, for a batch as for one).</summary>
    internal static async Task<IReadOnlySet<Guid>> ClosingInProgressAsync(RegistryDbContext db, IReadOnlyCollection<Guid> households, CancellationToken ct)
    {
        if (households.Count == 0)
        {
            return new HashSet<Guid>();
        }
        var ids = households.ToList();
        var closing = await db.ClosingCases.AsNoTracking()
            .Where(x => ids.Contains(x.HouseholdId) && x.State != ClosingState.RiskEliminated && x.State != ClosingState.Rejected)
            .Select(x => x.HouseholdId).Distinct().ToListAsync(ct).ConfigureAwait(false);
        return closing.ToHashSet();
    }

    /// <summary>
    /// Checks the household may be identified, opens its case under the policy in force for its village
    /// (<paramref name="policyOf"/>, asked only once the checks pass) and makes it a candidate, without a query or a
    /// save: the system-signal batch stages many households this way and saves once. Throws
    /// <see cref="PreconditionFailedException"/> when it may not.
    /// </summary>
    internal static IdentificationCase Stage(
        RegistryDbContext db, Func<string, ProvincePolicy> policyOf, RegistryClock clock, Household household, bool closingInProgress, CaseSource source,
        string? sourceReference, string summary, Actor actor)
    {
        HouseholdStore.DemandNotMerged(household);
        if (household.DissolvedOn is not null)
        {
            throw new PreconditionFailedException("the household has no members left", "Dissolved");
        }
        if (household.Status is not (MonitoringStatus.NotMonitored or MonitoringStatus.RiskEliminated))
        {
            throw new PreconditionFailedException($"the household is {household.Status}; only a household not monitored (or whose risk was eliminated) can be identified", household.Status.ToString());
        }
        if (closingInProgress)
        {
            throw new PreconditionFailedException("the household has a closing case in progress", household.Status.ToString());
        }
        var today = clock.Today;
        var now = clock.Now;
        var policy = policyOf(household.RegionCode);
        var c = IdentificationCase.Open(household, source, string.IsNullOrWhiteSpace(sourceReference) ? null : sourceReference.Trim(), summary, policy, actor, today, now);
        household.BecomeCandidate(now);
        db.IdentificationCases.Add(c);
        return c;
    }

    /// <summary>
    /// Saves one staged opening (<see cref="Stage"/>): a lost race — the same reference, another case opened or the
    /// household changed meanwhile — becomes ALREADY_EXISTS or FAILED_PRECONDITION (the household is a candidate by then).
    /// </summary>
    internal static async Task SaveAsync(RegistryDbContext db, CaseSource source, string? sourceReference, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex, IdentificationCases.SourceIndex))
        {
            throw new AlreadyExistsException($"source_reference: a case from {source} with reference '{sourceReference}' exists already");
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex, IdentificationCases.OpenCaseIndex))
        {
            throw new PreconditionFailedException("another identification case for the household was opened meanwhile", MonitoringStatus.Candidate.ToString());
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new PreconditionFailedException("the household was changed meanwhile; read it again and retry", MonitoringStatus.Candidate.ToString());
        }
    }
}
