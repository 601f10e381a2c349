using System.Globalization;
using FanPin.Grading.Application.Common;
using FanPin.Grading.Infrastructure;
using FanPin.Policies;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Grading.Application.Policies;

/// <summary>One policy version of a province: by number, or the one in force on a date (default: today).</summary>
/// <param name="Province">2-digit province; empty: the caller's.</param>
/// <param name="Version">A version number; 0: by date.</param>
/// <param name="InForceOn">The date (yyyy-MM-dd) whose version is wanted, when no version is given; empty: today.</param>
public sealed record GetPolicyRequest(string? Province = null, int Version = 0, string? InForceOn = null);

/// <summary>The version and its complete document.</summary>
/// <param name="Province">The province asked for.</param>
/// <param name="PolicyProvince">The policy's own province: "00" when the province published none and the built-in default applies.</param>
/// <param name="Version">Version number.</param>
/// <param name="EffectiveFrom">First day in force.</param>
/// <param name="Title">Title.</param>
/// <param name="Document">The complete document (YAML).</param>
/// <param name="PublishedAt">When it was published (null for the built-in default).</param>
/// <param name="PublishedBy">Who published it.</param>
public sealed record GetPolicyResult(string Province, string PolicyProvince, int Version, DateOnly EffectiveFrom, string Title, string Document,
    DateTimeOffset? PublishedAt, string? PublishedBy);

/// <summary>Reads a published version (old versions stay readable forever), or the version in force on a date.</summary>
public sealed class GetPolicy(GradingDbContext db, PolicyCatalog policies, GradingClock clock)
{
    /// <summary>Runs the use case.</summary>
    public async Task<GetPolicyResult> HandleAsync(Caller caller, GetPolicyRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(request);
        var v = new Validator();
        var province = string.IsNullOrEmpty(request.Province) ? GradingAccess.ProvinceOf(caller) : InputChecks.Province(request.Province, v);
        v.Require(request.Version >= 0, "version", "must not be negative");
        DateOnly? date = null;
        if (!string.IsNullOrEmpty(request.InForceOn))
        {
            if (DateOnly.TryParseExact(request.InForceOn, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
            {
                date = parsed;
            }
            else
            {
                v.Add("in_force_on", $"'{request.InForceOn}' is not a date (yyyy-MM-dd)");
            }
        }
        v.ThrowIfInvalid();
        GradingAccess.DemandProvince(caller, province!);
        if (request.Version > 0)
        {
            var record = await db.PolicyVersions.AsNoTracking().SingleOrDefaultAsync(p => p.Province == province && p.Version == request.Version, ct).ConfigureAwait(false)
                ?? throw new NotFoundException("policy version", $"{province} v{request.Version}");
            return new GetPolicyResult(province!, record.Province, record.Version, record.EffectiveFrom, record.Title, record.Document, record.PublishedAt, record.PublishedBy);
        }
        var on = date ?? clock.Today;
        var policy = PolicyCatalog.InForce(await policies.GetAsync(ct).ConfigureAwait(false), province!, on);
        var stored = policy.Province == ProvincePolicy.NationalDefault
            ? null
            : await db.PolicyVersions.AsNoTracking().SingleAsync(p => p.Province == policy.Province && p.Version == policy.Version, ct).ConfigureAwait(false);
        return new GetPolicyResult(province!, policy.Province, policy.Version, policy.EffectiveFrom, policy.Title,
            stored?.Document ?? PolicyDocument.ToYaml(policy), stored?.PublishedAt, stored?.PublishedBy);
    }
}
