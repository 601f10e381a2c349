using System.Security.Cryptography;
using System.Text;
using FanPin.Grading.Application.Common;
using FanPin.Grading.Domain;
using FanPin.Grading.Domain.Events;
using FanPin.Grading.Infrastructure;
using FanPin.Policies;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Grading.Application.Policies;

/// <summary>Publish a version of the caller's province's policy.</summary>
/// <param name="Document">The policy document (YAML or JSON; <c>base: default</c> allowed).</param>
public sealed record PublishPolicyRequest(string Document);

/// <summary>What was published.</summary>
/// <param name="Province">2-digit province.</param>
/// <param name="Version">Version number.</param>
/// <param name="EffectiveFrom">First day in force.</param>
/// <param name="AlreadyPublished">True when this exact version was published before (a retry): nothing changed.</param>
/// <param name="Document">The stored, complete document.</param>
/// <param name="RegradeOn">The day the re-grade of the province's households runs (the effective date).</param>
public sealed record PublishPolicyResult(string Province, int Version, DateOnly EffectiveFrom, bool AlreadyPublished, string Document, DateOnly RegradeOn);

/// <summary>
/// A province publishes a new policy version: validated (every problem reported with its path), checked against
/// the versions already published (a higher number, a later effective date, never in the past, published versions
/// never change; re-sending an identical version is a no-op), stored complete and immutable, announced
/// (PolicyVersionPublished). Every affected household is re-graded in bulk when the version comes into force
/// (<see cref="RunDueRegrades"/>, run by the re-grade service).
/// </summary>
public sealed class PublishPolicy(GradingDbContext db, GradingClock clock, RegradeTrigger trigger)
{
    /// <summary>Runs the use case.</summary>
    public async Task<PublishPolicyResult> HandleAsync(Caller caller, PublishPolicyRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(request);
        RegionScope.DemandRole(caller, "publish a province policy", GradingAccess.PolicyAdmins);
        var policy = PolicyInput.Parse(request.Document);
        GradingAccess.DemandProvince(caller, policy.Province);
        var today = clock.Today;
        var document = PolicyDocument.ToYaml(policy);
        var sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(document)));

        await using var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        // Publications of one province queue up here, so two versions can never both pass the history checks.
        await db.Database.ExecuteSqlInterpolatedAsync($"SELECT pg_advisory_xact_lock(hashtext({"grading-policy-" + policy.Province}))", ct).ConfigureAwait(false);
        var stored = await db.PolicyVersions.AsNoTracking().Where(p => p.Province == policy.Province).OrderBy(p => p.Version)
            .ToListAsync(ct).ConfigureAwait(false);
        if (stored.FirstOrDefault(p => p.Version == policy.Version) is { } same)
        {
            if (same.Sha256 == sha)
            {
                return new PublishPolicyResult(same.Province, same.Version, same.EffectiveFrom, true, same.Document, same.EffectiveFrom);
            }
            throw new AlreadyExistsException(
                $"Version {policy.Version} of province {policy.Province} is published and never changes; publish version {stored[^1].Version + 1} with its own effective date instead.");
        }
        if (policy.EffectiveFrom < today)
        {
            throw new ValidationFailedException("document.effective_from",
                $"{policy.EffectiveFrom:yyyy-MM-dd} is in the past; a version takes effect today ({today:yyyy-MM-dd}) or later, so grades already given stay explained by the version then in force");
        }
        try
        {
            // The library's publication rules (higher number, later effective date); the result itself is not needed.
            _ = stored.Count == 0
                ? PolicyHistory.Of(policy)
                : PolicyHistory.Of(stored.Select(s => PolicyDocument.Parse(s.Document, $"{s.Province} v{s.Version}"))).Publish(policy);
        }
        catch (PolicyPublicationException ex)
        {
            var latest = stored.Count > 0 ? $"latest version {stored[^1].Version}, effective {stored[^1].EffectiveFrom:yyyy-MM-dd}" : "no version published";
            throw new PreconditionFailedException(ex.Message, latest);
        }
        var now = clock.Now;
        db.PolicyVersions.Add(new PolicyVersionRecord
        {
            Province = policy.Province,
            Version = policy.Version,
            EffectiveFrom = policy.EffectiveFrom,
            Title = policy.Title,
            Document = document,
            Sha256 = sha,
            PublishedAt = now,
            PublishedBy = caller.Subject,
        });
        db.Raise(new PolicyVersionPublished
        {
            OccurredAt = now,
            RegionCode = RegionCode.FromPrefix(policy.Province).Value,
            Province = policy.Province,
            Version = policy.Version,
            EffectiveFrom = policy.EffectiveFrom,
            Document = document,
        });
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        if (policy.EffectiveFrom <= today)
        {
            trigger.Request();
        }
        return new PublishPolicyResult(policy.Province, policy.Version, policy.EffectiveFrom, false, document, policy.EffectiveFrom);
    }
}
