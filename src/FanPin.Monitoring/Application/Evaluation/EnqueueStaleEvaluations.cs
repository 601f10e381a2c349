using FanPin.Monitoring.Application.Common;
using FanPin.Monitoring.Domain;
using FanPin.Monitoring.Infrastructure;
using Npgsql;

namespace FanPin.Monitoring.Application.Evaluation;

/// <summary>What was queued.</summary>
/// <param name="Queued">Households queued.</param>
/// <param name="ReferenceMonth">The current month they will be evaluated in.</param>
public sealed record EnqueueStaleResult(int Queued, string ReferenceMonth);

/// <summary>
/// Queues the households whose last evaluation is of an earlier month (the windows moved on: last year's month
/// left the window) or under another policy version than the one in force now, and households with records
/// never evaluated. Run daily by the worker; cheap when nothing is stale (one indexed statement per province).
/// </summary>
public sealed class EnqueueStaleEvaluations(MonitoringDbContext db, MonitoringClock clock, MonitoringPolicies policies)
{
    /// <summary>Queues stale households.</summary>
    public async Task<EnqueueStaleResult> HandleAsync(CancellationToken ct = default)
    {
        var today = clock.Today;
        var reference = YearMonth.Of(today);
        var connection = await Sql.ConnectionAsync(db, ct).ConfigureAwait(false);
        var provinces = new List<string>();
        await using (var command = Sql.Command(db, connection, "SELECT DISTINCT left(region_code, 2) FROM known_households"))
        await using (var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                provinces.Add(reader.GetString(0));
            }
        }
        var queued = 0;
        foreach (var province in provinces)
        {
            var policy = policies.InForce(province, today);
            queued += await Sql.ExecuteAsync(db, connection, """
                INSERT INTO evaluation_queue (household_id, enqueued_at)
                SELECT h.id, @now FROM known_households h
                LEFT JOIN household_evaluations e ON e.household_id = h.id
                WHERE h.region_code LIKE @province AND h.category IS NOT NULL
                  AND (e.household_id IS NULL OR e.reference_month < @reference
                       OR e.policy_province <> @policyProvince OR e.policy_version <> @policyVersion)
                ON CONFLICT (household_id) DO NOTHING
                """, ct,
                new NpgsqlParameter<DateTimeOffset>("now", clock.UtcNow),
                new NpgsqlParameter<string>("province", province + "%"),
                new NpgsqlParameter<DateOnly>("reference", reference.FirstDay),
                new NpgsqlParameter<string>("policyProvince", policy.Province),
                new NpgsqlParameter<int>("policyVersion", policy.Version)).ConfigureAwait(false);
        }
        return new EnqueueStaleResult(queued, reference.ToString());
    }
}
