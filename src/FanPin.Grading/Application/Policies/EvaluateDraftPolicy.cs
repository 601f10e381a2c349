using FanPin.Grading.Application.Common;
using FanPin.Grading.Domain;
using FanPin.Grading.Infrastructure;
using FanPin.Grading.Infrastructure.Bulk;
using FanPin.ServiceDefaults.Authentication;
using Npgsql;

namespace FanPin.Grading.Application.Policies;

/// <summary>Try a draft policy without publishing it.</summary>
/// <param name="Document">The draft (YAML or JSON), for the caller's province.</param>
public sealed record EvaluateDraftPolicyRequest(string Document);

/// <summary>Per county: how many households would change grade, and how.</summary>
/// <param name="Province">The province.</param>
/// <param name="DraftVersion">The draft's version number.</param>
/// <param name="Households">Households looked at.</param>
/// <param name="Changed">Households whose grade would change.</param>
/// <param name="Counties">By county, with the transitions (I→II, none→III, ...).</param>
public sealed record EvaluateDraftPolicyResult(string Province, int DraftVersion, int Households, int Changed, IReadOnlyList<CountyGradeTransitions> Counties);

/// <summary>
/// What-if: grades every household of the province under the draft with the same pure function the re-grade uses
/// and compares with its current grade. Writes nothing, takes no lock. The re-grade that runs when the draft is
/// published and comes into force makes exactly these changes, if the facts have not changed meanwhile.
/// </summary>
public sealed class EvaluateDraftPolicy(NpgsqlDataSource dataSource)
{
    private const int Page = 10_000;

    /// <summary>Runs the use case.</summary>
    public async Task<EvaluateDraftPolicyResult> HandleAsync(Caller caller, EvaluateDraftPolicyRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(request);
        RegionScope.DemandRole(caller, "evaluate a draft policy", GradingAccess.PolicyAdmins);
        var draft = PolicyInput.Parse(request.Document);
        GradingAccess.DemandProvince(caller, draft.Province);
        var tally = new GradeTransitionTally();
        var after = Guid.Empty;
        await using var connection = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        // One snapshot for the whole walk: counts add up even while grading goes on.
        await using var tx = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct).ConfigureAwait(false);
        while (true)
        {
            var rows = await FactsRows.ReadAsync(connection, tx, draft.Province, after, Page, ct).ConfigureAwait(false);
            foreach (var row in rows)
            {
                var decision = Grader.Decide(draft, row.Facts.ToGradingFacts());
                tally.Add(row.Facts.RegionCode, row.Facts.Grade, decision.Grade);
            }
            if (rows.Count < Page)
            {
                break;
            }
            after = rows[^1].Facts.HouseholdId;
        }
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return new EvaluateDraftPolicyResult(draft.Province, draft.Version, tally.Households, tally.Changed, tally.ByCounty());
    }
}
