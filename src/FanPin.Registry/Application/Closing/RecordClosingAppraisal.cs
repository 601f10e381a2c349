using FanPin.Registry.Application.Common;
using FanPin.Registry.Domain;
using FanPin.Registry.Infrastructure;
using FanPin.ServiceDefaults.Authentication;

namespace FanPin.Registry.Application.Closing;

/// <summary>民主评议 of the exit.</summary>
public sealed record RecordClosingAppraisalRequest(Guid CaseId, DateOnly? MeetingOn, AppraisalResult? Result, string? MinutesReference, string? RejectionReason = null);

/// <summary>Records the exit appraisal; not approved ends the case and the household stays monitored.</summary>
public sealed class RecordClosingAppraisal(RegistryDbContext db, RegistryPolicies policies, RegistryClock clock)
{
    /// <summary>Runs the use case.</summary>
    public async Task<ClosingCaseResult> HandleAsync(Caller caller, RecordClosingAppraisalRequest request, CancellationToken ct = default)
    {
        var (c, _) = await ClosingCases.LoadForAsync(db, caller, "record exit appraisals", RegistryAccess.TownshipSteps, request.CaseId, ct).ConfigureAwait(false);
        var errors = new FieldErrors();
        ClosingCases.ValidateStepDate(request.MeetingOn, "meeting_on", c, clock.Today, errors);
        errors.Require(request.Result is not null, "result", "is required");
        errors.Require(!string.IsNullOrWhiteSpace(request.MinutesReference), "minutes_reference", "is empty");
        errors.Require(request.Result != AppraisalResult.NotApproved || !string.IsNullOrWhiteSpace(request.RejectionReason), "rejection_reason", "is required when not approved");
        errors.ThrowIfAny();
        var policy = policies.OfCase(c.RegionCode, c.PolicyProvince, c.PolicyVersion);
        c.RecordAppraisal(policy, request.MeetingOn!.Value, request.Result!.Value, request.MinutesReference!.Trim(), request.RejectionReason?.Trim(), RegistryAccess.ActorOf(caller), clock.Now);
        await ClosingCases.SaveAsync(db, c, ct).ConfigureAwait(false);
        return new ClosingCaseResult(await ClosingCases.ViewAsync(db, c, ct).ConfigureAwait(false));
    }
}
