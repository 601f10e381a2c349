using FanPin.Registry.Application.Common;
using FanPin.Registry.Infrastructure;
using FanPin.ServiceDefaults.Authentication;

namespace FanPin.Registry.Application.Identification;

/// <summary>入户核实: the visit's date and finding; not meeting the standard needs the written-notice reason.</summary>
public sealed record RecordHomeVerificationRequest(Guid CaseId, DateOnly? VerifiedOn, bool MeetsStandard, long? PerCapitaIncomeFen, string? Notes, string? RejectionReason = null);

/// <summary>Records the township's home verification; a household below the standard is rejected and told in writing.</summary>
public sealed class RecordHomeVerification(RegistryDbContext db, RegistryPolicies policies, RegistryClock clock)
{
    /// <summary>Runs the use case.</summary>
    public async Task<IdentificationCaseResult> HandleAsync(Caller caller, RecordHomeVerificationRequest request, CancellationToken ct = default)
    {
        var (c, household) = await IdentificationCases.LoadForAsync(db, caller, "record home verifications", RegistryAccess.TownshipSteps, request.CaseId, ct).ConfigureAwait(false);
        var today = clock.Today;
        var errors = new FieldErrors();
        IdentificationCases.ValidateStepDate(request.VerifiedOn, "verified_on", c, today, errors);
        errors.Require(request.PerCapitaIncomeFen is null or >= 0, "per_capita_income_fen", "is negative");
        IdentificationCases.RequireWrittenReason(!request.MeetsStandard, request.RejectionReason, errors);
        errors.ThrowIfAny();
        var policy = policies.OfCase(c.RegionCode, c.PolicyProvince, c.PolicyVersion);
        var actor = RegistryAccess.ActorOf(caller);
        var now = clock.Now;
        c.RecordHomeVerification(policy, request.VerifiedOn!.Value, request.MeetsStandard, request.PerCapitaIncomeFen, request.Notes?.Trim() ?? "", request.RejectionReason?.Trim(), actor, now);
        if (c.State == Domain.IdentificationState.Rejected)
        {
            household.ReturnFromCandidate(c.StatusBefore, now);
        }
        await IdentificationCases.SaveAsync(db, c, ct).ConfigureAwait(false);
        return new IdentificationCaseResult(await IdentificationCases.ViewAsync(db, c, today, ct).ConfigureAwait(false));
    }
}
