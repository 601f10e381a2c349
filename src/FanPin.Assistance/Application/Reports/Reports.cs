using FanPin.Assistance.Application.Common;
using FanPin.Assistance.Domain;
using FanPin.Assistance.Infrastructure;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Assistance.Application.Reports;

/// <summary>Inputs of an insurance payout.</summary>
public sealed record CalculateInsurancePayoutRequest(string RegionCode, long PerCapitaIncomeFen, int Persons, DateOnly? On);

/// <summary>防返贫保险 under the province policy in force, with its arithmetic.</summary>
public sealed class CalculateInsurancePayout(AssistancePolicies policies, AssistanceClock clock)
{
    /// <summary>Runs the use case.</summary>
    public Task<InsurancePayoutBreakdown> HandleAsync(Caller caller, CalculateInsurancePayoutRequest request, CancellationToken ct = default)
    {
        RegionScope.DemandRole(caller, "calculate insurance payouts", AssistanceAccess.Read);
        var v = new Validator()
            .Require(FanPin.RegionCode.TryParse(request.RegionCode, out var region, out var error), "region_code", error)
            .Require(request.PerCapitaIncomeFen >= 0, "per_capita_income_fen", "must not be negative")
            .Require(request.Persons >= 1, "persons", "must be at least 1");
        v.ThrowIfInvalid();
        RegionScope.Demand(caller, region);
        var policy = policies.InForce(region.Value, request.On ?? clock.Today);
        return Task.FromResult(InsurancePayout.Compute(policy, request.PerCapitaIncomeFen, request.Persons));
    }
}

/// <summary>Coverage filter.</summary>
public sealed record CountCoverageRequest(RegionPrefix? RegionPrefix);

/// <summary>One line: "x households, y persons" covered by a measure type.</summary>
public sealed record MeasureCoverage(string MeasureCode, string MeasureName, int Households, int Persons);

/// <summary>Counts, per measure type, the households with a task that is not cancelled and their persons.</summary>
public sealed class CountCoverage(AssistanceDbContext db)
{
    /// <summary>Runs the use case.</summary>
    public async Task<IReadOnlyList<MeasureCoverage>> HandleAsync(Caller caller, CountCoverageRequest request, CancellationToken ct = default)
    {
        RegionScope.DemandRole(caller, "count coverage", AssistanceAccess.Read);
        var prefix = RegionScope.Narrow(caller, request.RegionPrefix).Value;
        var department = caller.Role == CallerRole.Department ? caller.Department : null;
        var rows = await db.Tasks.AsNoTracking()
            .Where(t => t.RegionCode.StartsWith(prefix) && t.Status != AssistanceTaskStatus.Cancelled
                && (department == null || t.AssigneeKind == AssigneeKind.Department && t.Assignee == department))
            .Join(db.Plans, t => t.PlanId, p => p.Id, (t, p) => new { t.MeasureCode, t.HouseholdId, p.Persons })
            .Distinct()
            .GroupBy(x => x.MeasureCode)
            .Select(g => new { Code = g.Key, Households = g.Count(), Persons = g.Sum(x => x.Persons) })
            .ToListAsync(ct).ConfigureAwait(false);
        var names = await db.MeasureTypes.AsNoTracking().Where(m => m.IsCurrent).ToDictionaryAsync(m => m.Code, m => m.Name, ct).ConfigureAwait(false);
        return rows.OrderBy(r => r.Code, StringComparer.Ordinal)
            .Select(r => new MeasureCoverage(r.Code, names.GetValueOrDefault(r.Code, r.Code), r.Households, r.Persons)).ToList();
    }
}
