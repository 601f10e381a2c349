using FanPin.Registry.Application.Common;
using FanPin.Registry.Infrastructure;
using FanPin.ServiceDefaults.Authentication;

namespace FanPin.Registry.Application.Closing;

/// <summary>The exit's village notice: its first day.</summary>
public sealed record PublishClosingNoticeRequest(Guid CaseId, DateOnly? StartsOn);

/// <summary>Publishes the exit notice (length and counting from the case's policy).</summary>
public sealed class PublishClosingNotice(RegistryDbContext db, RegistryPolicies policies, RegistryClock clock)
{
    /// <summary>Runs the use case.</summary>
    public async Task<ClosingCaseResult> HandleAsync(Caller caller, PublishClosingNoticeRequest request, CancellationToken ct = default)
    {
        var (c, _) = await ClosingCases.LoadForAsync(db, caller, "publish notices", RegistryAccess.TownshipSteps, request.CaseId, ct).ConfigureAwait(false);
        var errors = new FieldErrors();
        errors.Require(request.StartsOn is not null, "starts_on", "is required");
        errors.Require(request.StartsOn is null || request.StartsOn >= c.OpenedOn, "starts_on", "is before the case opened");
        errors.Require(request.StartsOn is null || request.StartsOn <= clock.Today.AddDays(30), "starts_on", "is more than 30 days ahead");
        errors.ThrowIfAny();
        var policy = policies.OfCase(c.RegionCode, c.PolicyProvince, c.PolicyVersion);
        c.PublishNotice(policy, request.StartsOn!.Value, RegistryAccess.ActorOf(caller), clock.Now);
        await ClosingCases.SaveAsync(db, c, ct).ConfigureAwait(false);
        return new ClosingCaseResult(await ClosingCases.ViewAsync(db, c, ct).ConfigureAwait(false));
    }
}
