using FanPin.Registry.Application.Common;
using FanPin.Registry.Domain;
using FanPin.Registry.Infrastructure;
using FanPin.ServiceDefaults.Authentication;

namespace FanPin.Registry.Application.Closing;

/// <summary>乡镇审核 of the exit.</summary>
public sealed record RecordTownshipReviewRequest(Guid CaseId, DateOnly? ReviewedOn, AppraisalResult? Result, string? RejectionReason = null);

/// <summary>Records the township's review; not approved ends the case.</summary>
public sealed class RecordTownshipReview(RegistryDbContext db, RegistryPolicies policies, RegistryClock clock)
{
    /// <summary>Runs the use case.</summary>
    public async Task<ClosingCaseResult> HandleAsync(Caller caller, RecordTownshipReviewRequest request, CancellationToken ct = default)
    {
        var (c, _) = await ClosingCases.LoadForAsync(db, caller, "record township reviews", RegistryAccess.TownshipSteps, request.CaseId, ct).ConfigureAwait(false);
        var errors = new FieldErrors();
        ClosingCases.ValidateStepDate(request.ReviewedOn, "reviewed_on", c, clock.Today, errors);
        errors.Require(request.Result is not null, "result", "is required");
        errors.Require(request.Result != AppraisalResult.NotApproved || !string.IsNullOrWhiteSpace(request.RejectionReason), "rejection_reason", "is required when not approved");
        errors.ThrowIfAny();
        var policy = policies.OfCase(c.RegionCode, c.PolicyProvince, c.PolicyVersion);
        c.RecordTownshipReview(policy, request.ReviewedOn!.Value, request.Result!.Value, request.RejectionReason?.Trim(), RegistryAccess.ActorOf(caller), clock.Now);
        await ClosingCases.SaveAsync(db, c, ct).ConfigureAwait(false);
        return new ClosingCaseResult(await ClosingCases.ViewAsync(db, c, ct).ConfigureAwait(false));
    }
}
