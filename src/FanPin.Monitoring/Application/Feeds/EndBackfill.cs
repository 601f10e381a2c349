using FanPin.Monitoring.Application.Common;
using FanPin.Monitoring.Infrastructure;
using FanPin.ServiceDefaults.Authentication;
using Npgsql;

namespace FanPin.Monitoring.Application.Feeds;

/// <summary>Which back-fill ends.</summary>
/// <param name="Region">Region prefix whose held households are released; default the caller's scope.</param>
public sealed record EndBackfillRequest(string? Region = null);

/// <summary>What ending a back-fill released.</summary>
/// <param name="HouseholdsReleased">Households released for evaluation.</param>
public sealed record EndBackfillResult(int HouseholdsReleased);

/// <summary>
/// Ends a back-fill: the households of the region that back-fill feeds (<see cref="ImportFeedRequest.Backfill"/>)
/// hold in the evaluation queue become due now, and the evaluation worker is woken, so each is evaluated once on
/// everything imported. Whoever may import feeds may end a back-fill in their scope; ending one early only costs
/// evaluations, never loses one. Idempotent: a second call releases nothing more.
/// </summary>
public sealed class EndBackfill(MonitoringDbContext db, EvaluationWakeUp evaluation)
{
    /// <summary>Releases the held households.</summary>
    public async Task<EndBackfillResult> HandleAsync(Caller caller, EndBackfillRequest request, CancellationToken ct = default)
    {
        RegionScope.DemandRole(caller, "end a feed back-fill", MonitoringAccess.ImportFeed);
        RegionPrefix? requested = null;
        if (!string.IsNullOrEmpty(request.Region))
        {
            var validator = new Validator();
            validator.Require(RegionPrefix.TryParse(request.Region, out var p, out var error), "region", error);
            validator.ThrowIfInvalid();
            requested = p;
        }
        var scope = RegionScope.Narrow(caller, requested);
        var connection = await Sql.ConnectionAsync(db, ct).ConfigureAwait(false);
        var released = await Sql.ExecuteAsync(db, connection, """
            UPDATE evaluation_queue q SET held_until = NULL
            FROM known_households h
            WHERE h.id = q.household_id AND q.held_until IS NOT NULL AND h.region_code LIKE @prefix
            """, ct, new NpgsqlParameter<string>("prefix", scope.Value + "%")).ConfigureAwait(false);
        if (released > 0)
        {
            evaluation.Wake();
        }
        return new EndBackfillResult(released);
    }
}
