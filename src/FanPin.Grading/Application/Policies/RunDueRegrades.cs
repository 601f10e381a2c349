using FanPin.Grading.Application.Common;
using FanPin.Grading.Domain;
using FanPin.Grading.Infrastructure;
using FanPin.Grading.Infrastructure.Bulk;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Grading.Application.Policies;

/// <summary>Run the re-grades that are due.</summary>
public sealed record RunDueRegradesRequest;

/// <summary>The re-grades run (none when every province is graded under the version in force today).</summary>
public sealed record RunDueRegradesResult(IReadOnlyList<BulkRegradeResult> Regrades);

/// <summary>
/// For every province with households, compares the policy version in force today with the version its grades
/// were last bulk-computed with (<c>policy_regrades</c>) and re-grades the province in bulk when they differ: a
/// version published for today re-grades at once, one published for a later date re-grades when that day comes.
/// A system use case run by the re-grade service (and directly by tests and the benchmark).
/// </summary>
public sealed class RunDueRegrades(GradingDbContext db, PolicyCatalog policies, BulkRegrader regrader, GradingClock clock)
{
    /// <summary>Runs the use case.</summary>
    public async Task<RunDueRegradesResult> HandleAsync(RunDueRegradesRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var today = clock.Today;
        var set = await policies.GetAsync(ct).ConfigureAwait(false);
        var provinces = await db.HouseholdFacts.AsNoTracking().Select(f => f.Province).Distinct().ToListAsync(ct).ConfigureAwait(false);
        var done = await db.PolicyRegrades.AsNoTracking().ToDictionaryAsync(r => r.Province, ct).ConfigureAwait(false);
        var results = new List<BulkRegradeResult>();
        foreach (var province in provinces.Order(StringComparer.Ordinal))
        {
            var policy = PolicyCatalog.InForce(set, province, today);
            if (done.TryGetValue(province, out var last) && last.PolicyProvince == policy.Province && last.PolicyVersion == policy.Version)
            {
                continue;
            }
            var result = await regrader.RegradeAsync(province, policy, ct).ConfigureAwait(false);
            results.Add(result);
            var record = await db.PolicyRegrades.SingleOrDefaultAsync(r => r.Province == province, ct).ConfigureAwait(false);
            if (record is null)
            {
                record = new PolicyRegrade { Province = province };
                db.PolicyRegrades.Add(record);
            }
            record.PolicyProvince = policy.Province;
            record.PolicyVersion = policy.Version;
            record.CompletedAt = clock.Now;
            record.Households = result.Households;
            record.Changed = result.Changed;
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        return new RunDueRegradesResult(results);
    }
}
