using FanPin.Monitoring.Application.Common;
using FanPin.Monitoring.Domain;
using FanPin.Monitoring.Infrastructure;
using FanPin.Policies;
using FanPin.ServiceDefaults.Authentication;

namespace FanPin.Monitoring.Application.Records;

/// <summary>Asks for a household's income summary in a reference month.</summary>
/// <param name="HouseholdId">The household.</param>
/// <param name="ReferenceMonth">"yyyy-MM" (the month of discovery); default the current month.</param>
public sealed record GetIncomeSummaryRequest(Guid HouseholdId, string? ReferenceMonth = null);

/// <summary>The summary with the breakdown and the policy it was computed under.</summary>
/// <param name="HouseholdId">The household.</param>
/// <param name="RegionCode">Its village.</param>
/// <param name="Category">Its category (null when the registry has not told it; thresholds of ordinary households are then shown).</param>
/// <param name="PolicyProvince">Province of the policy.</param>
/// <param name="PolicyVersion">Version of the policy.</param>
/// <param name="Summary">Windows, income by category, productive costs, member-months, per-capita income and line, rigid costs, ratio, drop, transfer share.</param>
/// <param name="Monthly">Every month of the income and cost windows with its amounts by category (the breakdown).</param>
/// <param name="Signals">The signals the summary crosses under the policy (what an evaluation in this month would raise).</param>
public sealed record IncomeSummaryResult(
    Guid HouseholdId,
    string RegionCode,
    HouseholdCategory? Category,
    string PolicyProvince,
    int PolicyVersion,
    IncomeSummary Summary,
    IReadOnlyList<MonthAmounts> Monthly,
    IReadOnlyList<RiskSignal> Signals);

/// <summary>One month's amounts by category.</summary>
public sealed record MonthAmounts(string Month, IReadOnlyDictionary<RecordCategory, long> AmountsFen);

/// <summary>
/// The income summary of a household for a reference month: per-capita disposable income over the policy's
/// window with its breakdown, computed by the same functions as the evaluation.
/// </summary>
public sealed class GetIncomeSummary(MonitoringDbContext db, MonitoringClock clock, MonitoringPolicies policies)
{
    /// <summary>Computes the summary.</summary>
    public async Task<IncomeSummaryResult> HandleAsync(Caller caller, GetIncomeSummaryRequest request, CancellationToken ct = default)
    {
        var household = await Households.FindAsync(db, caller, "read income", request.HouseholdId, MonitoringAccess.Read, ct).ConfigureAwait(false);
        var validator = new Validator();
        var reference = clock.CurrentMonth;
        if (!string.IsNullOrEmpty(request.ReferenceMonth))
        {
            reference = RecordRules.Month(request.ReferenceMonth, clock.CurrentMonth, validator, "reference_month");
        }
        validator.ThrowIfInvalid();
        var asOf = reference == clock.CurrentMonth ? clock.Today : reference.LastDay;
        var policy = policies.InForce(household.RegionCode, asOf);
        var span = MonthWindows.Span(policy.Monitoring, reference);
        var loaded = (await HouseholdFactsLoader.LoadAsync(db, [household.Id], span, asOf, ct).ConfigureAwait(false))[household.Id];
        var facts = loaded.Facts(loaded.Category ?? HouseholdCategory.Ordinary);
        var evaluation = HouseholdEvaluator.Evaluate(facts, policy, reference);
        var monthly = new MonthRange(span.First, reference).Months()
            .Select(m => new MonthAmounts(m.ToString(), RecordCategories.All.Where(c => facts.Ledger.Of(c, m) != 0).ToDictionary(c => c, c => facts.Ledger.Of(c, m))))
            .Where(m => m.AmountsFen.Count > 0)
            .ToList();
        return new IncomeSummaryResult(household.Id, household.RegionCode, loaded.Category, policy.Province, policy.Version, evaluation.Summary,
            monthly, evaluation.Signals);
    }
}
