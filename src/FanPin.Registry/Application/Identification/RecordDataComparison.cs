using FanPin.Policies;
using FanPin.Registry.Application.Common;
using FanPin.Registry.Domain;
using FanPin.Registry.Infrastructure;
using FanPin.ServiceDefaults.Authentication;

namespace FanPin.Registry.Application.Identification;

/// <summary>An exclusion found in department facts, with the stated reason.</summary>
public sealed record ExclusionInput(ExclusionKind? Kind, string? Reason);

/// <summary>信息比对: the date and the exclusions found (none: the household passes).</summary>
public sealed record RecordDataComparisonRequest(Guid CaseId, DateOnly? ComparedOn, IReadOnlyList<ExclusionInput>? Exclusions);

/// <summary>
/// Records the county's comparison with public security, housing and market supervision facts. Any
/// exclusion (car, commercial housing, company, negligent supporter: the ones the policy applies) rejects
/// the case, each stated reason going into the written notice.
/// </summary>
public sealed class RecordDataComparison(RegistryDbContext db, RegistryPolicies policies, RegistryClock clock)
{
    /// <summary>Runs the use case.</summary>
    public async Task<IdentificationCaseResult> HandleAsync(Caller caller, RecordDataComparisonRequest request, CancellationToken ct = default)
    {
        var (c, household) = await IdentificationCases.LoadForAsync(db, caller, "record data comparisons", RegistryAccess.CountySteps, request.CaseId, ct).ConfigureAwait(false);
        var today = clock.Today;
        var policy = policies.OfCase(c.RegionCode, c.PolicyProvince, c.PolicyVersion);
        var errors = new FieldErrors();
        IdentificationCases.ValidateStepDate(request.ComparedOn, "compared_on", c, today, errors);
        var findings = new List<ExclusionFinding>();
        var list = request.Exclusions ?? [];
        for (var i = 0; i < list.Count; i++)
        {
            var kind = list[i].Kind;
            if (kind is null)
            {
                errors.Add($"exclusions[{i}].kind", "is required");
            }
            else if (!policy.Identification.DataComparison.Exclusions.Contains(kind.Value))
            {
                errors.Add($"exclusions[{i}].kind", $"{kind} is not an exclusion under policy {policy.Province} v{policy.Version}");
            }
            if (string.IsNullOrWhiteSpace(list[i].Reason))
            {
                errors.Add($"exclusions[{i}].reason", "is empty: every exclusion is told to the household with its reason");
            }
            else if (kind is not null)
            {
                findings.Add(new ExclusionFinding(kind.Value, list[i].Reason!.Trim()));
            }
        }
        errors.ThrowIfAny();
        var now = clock.Now;
        c.RecordDataComparison(policy, request.ComparedOn!.Value, findings, RegistryAccess.ActorOf(caller), now);
        if (c.State == IdentificationState.Rejected)
        {
            household.ReturnFromCandidate(c.StatusBefore, now);
        }
        await IdentificationCases.SaveAsync(db, c, ct).ConfigureAwait(false);
        return new IdentificationCaseResult(await IdentificationCases.ViewAsync(db, c, today, ct).ConfigureAwait(false));
    }
}
