using FanPin.Registry.Application.Common;
using FanPin.Registry.Domain;
using FanPin.Registry.Infrastructure;
using FanPin.ServiceDefaults.Authentication;

namespace FanPin.Registry.Application.Identification;

/// <summary>民主评议: meeting date, result, minutes reference, and whether the household signed the asset-check authorisation.</summary>
public sealed record RecordDemocraticAppraisalRequest(
    Guid CaseId,
    DateOnly? MeetingOn,
    AppraisalResult? Result,
    string? MinutesReference,
    bool AssetCheckAuthorised,
    string? RejectionReason = null);

/// <summary>Records the villagers' representative meeting; not approved rejects the case with the written reason.</summary>
public sealed class RecordDemocraticAppraisal(RegistryDbContext db, RegistryPolicies policies, RegistryClock clock)
{
    /// <summary>Runs the use case.</summary>
    public async Task<IdentificationCaseResult> HandleAsync(Caller caller, RecordDemocraticAppraisalRequest request, CancellationToken ct = default)
    {
        var (c, household) = await IdentificationCases.LoadForAsync(db, caller, "record democratic appraisals", RegistryAccess.TownshipSteps, request.CaseId, ct).ConfigureAwait(false);
        var today = clock.Today;
        var policy = policies.OfCase(c.RegionCode, c.PolicyProvince, c.PolicyVersion);
        var errors = new FieldErrors();
        IdentificationCases.ValidateStepDate(request.MeetingOn, "meeting_on", c, today, errors);
        errors.Require(request.Result is not null, "result", "is required");
        errors.Require(!string.IsNullOrWhiteSpace(request.MinutesReference), "minutes_reference", "is empty: give the reference of the meeting minutes");
        errors.Require(request.Result != AppraisalResult.Approved || request.AssetCheckAuthorised || !policy.Identification.DemocraticAppraisal.AssetCheckAuthorisationRequired,
            "asset_check_authorised", "the household must sign the asset-check authorisation (授权核查家庭资产承诺书) before approval");
        IdentificationCases.RequireWrittenReason(request.Result == AppraisalResult.NotApproved, request.RejectionReason, errors);
        errors.ThrowIfAny();
        var now = clock.Now;
        c.RecordDemocraticAppraisal(policy, request.MeetingOn!.Value, request.Result!.Value, request.MinutesReference!.Trim(), request.AssetCheckAuthorised,
            request.RejectionReason?.Trim(), RegistryAccess.ActorOf(caller), now);
        if (c.State == IdentificationState.Rejected)
        {
            household.ReturnFromCandidate(c.StatusBefore, now);
        }
        await IdentificationCases.SaveAsync(db, c, ct).ConfigureAwait(false);
        return new IdentificationCaseResult(await IdentificationCases.ViewAsync(db, c, today, ct).ConfigureAwait(false));
    }
}
