using FanPin.Monitoring.Application.Common;
using FanPin.Monitoring.Domain;
using FanPin.Monitoring.Infrastructure;
using Npgsql;
using NpgsqlTypes;

namespace FanPin.Monitoring.Application.Registry;

/// <summary>A household the registry registered, with its members (from one HouseholdRegistered).</summary>
/// <param name="Household">The household's facts (category and status always given).</param>
/// <param name="Members">Its members, each <see cref="MembershipChange.Registered"/>.</param>
public sealed record RegisteredHousehold(HouseholdFactsChange Household, IReadOnlyList<MemberChange> Members);

/// <summary>
/// The set-based form of <see cref="ApplyHouseholdFacts"/> + <see cref="ApplyMemberChange"/> (Registered) for a
/// batch of registrations: a registry import of 100,000 households emits 100,000 HouseholdRegistered, and row by row
/// that is four round trips per member. Same rules, in four statements per batch: an older change never
/// overwrites a newer one, a member's labour ability only from a change at least as new, a member moving from
/// another household queues that one too, and every household of the batch is queued for evaluation (an extra
/// evaluation announces nothing when nothing changed). Joins the caller's transaction (the consumer's inbox one).
/// </summary>
public sealed class ApplyRegisteredHouseholds(MonitoringDbContext db, MonitoringClock clock)
{
    /// <summary>Applies the batch; returns the number of households.</summary>
    public async Task<int> HandleAsync(IReadOnlyList<RegisteredHousehold> batch, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var validator = new Validator();
        for (var i = 0; i < batch.Count; i++)
        {
            var h = batch[i].Household;
            validator.Require(h.HouseholdId != Guid.Empty, $"households[{i}].household_id", "is empty");
            validator.Require(RegionCode.TryParse(h.RegionCode, out var region, out _) && region.Level == RegionLevel.Village,
                $"households[{i}].region_code", "must be a village code (12 digits, village part not zero)");
            validator.Require(h.Category is not null && h.Status is not null, $"households[{i}].category", "category and status are required for a registration");
            foreach (var m in batch[i].Members)
            {
                validator.Require(m.MemberId != Guid.Empty && m.HouseholdId == h.HouseholdId, $"households[{i}].members", "a member id is empty or names another household");
                validator.Require(m.IdHash is { Length: IdNumberHasher.HashSize }, $"households[{i}].members.id_hash", $"must be {IdNumberHasher.HashSize} bytes (HMAC-SHA256)");
            }
        }
        validator.ThrowIfInvalid();
        // One row per household and per member (the newest change wins), so no statement touches a row twice.
        var households = batch.Select(b => b.Household).GroupBy(h => h.HouseholdId).Select(g => g.MaxBy(h => h.OccurredAt)!).ToList();
        var members = batch.SelectMany(b => b.Members).GroupBy(m => m.MemberId).Select(g => g.MaxBy(m => m.OccurredAt)!).ToList();
        if (households.Count == 0)
        {
            return 0;
        }
        var now = clock.UtcNow;
        var connection = await Sql.ConnectionAsync(db, ct).ConfigureAwait(false);
        await using var tx = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false) : null;
        await Sql.ExecuteAsync(db, connection, """
            INSERT INTO known_households (id, region_code, category, status, updated_at)
            SELECT u.id, u.region, u.category, u.status, u.at FROM unnest(@ids, @regions, @categories, @statuses, @ats) AS u(id, region, category, status, at)
            ON CONFLICT (id) DO UPDATE SET region_code = excluded.region_code, category = excluded.category, status = excluded.status, updated_at = excluded.updated_at
            WHERE known_households.updated_at <= excluded.updated_at
            """, ct,
            new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = households.Select(h => h.HouseholdId).ToArray() },
            new NpgsqlParameter("regions", NpgsqlDbType.Array | NpgsqlDbType.Varchar) { Value = households.Select(h => h.RegionCode).ToArray() },
            new NpgsqlParameter("categories", NpgsqlDbType.Array | NpgsqlDbType.Smallint) { Value = households.Select(h => (short)h.Category!.Value).ToArray() },
            new NpgsqlParameter("statuses", NpgsqlDbType.Array | NpgsqlDbType.Smallint) { Value = households.Select(h => (short)h.Status!.Value).ToArray() },
            new NpgsqlParameter("ats", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = households.Select(h => h.OccurredAt.ToUniversalTime()).ToArray() })
            .ConfigureAwait(false);
        if (members.Count > 0)
        {
            var memberIds = new NpgsqlParameter("mids", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = members.Select(m => m.MemberId).ToArray() };
            var memberHouseholds = new NpgsqlParameter("mhouseholds", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = members.Select(m => m.HouseholdId).ToArray() };
            // A member registered with a new household (a split) leaves the denominator of its earlier one.
            await Sql.ExecuteAsync(db, connection, """
                INSERT INTO evaluation_queue (household_id, enqueued_at)
                SELECT DISTINCT m.household_id, @now::timestamptz FROM known_members m JOIN unnest(@mids, @mhouseholds) AS u(id, household) ON m.id = u.id AND m.household_id <> u.household
                ON CONFLICT (household_id) DO UPDATE SET enqueued_at = excluded.enqueued_at
                """, ct, memberIds, memberHouseholds, new NpgsqlParameter<DateTimeOffset>("now", now)).ConfigureAwait(false);
            await Sql.ExecuteAsync(db, connection, """
                INSERT INTO known_members (id, household_id, id_hash, joined_on, left_on, labour_ability, updated_at)
                SELECT u.id, u.household, u.hash, NULL, NULL, u.labour, u.at
                FROM unnest(@mids2, @mhouseholds2, @hashes, @labours, @ats) AS u(id, household, hash, labour, at)
                ON CONFLICT (id) DO UPDATE SET household_id = excluded.household_id, id_hash = excluded.id_hash, joined_on = NULL,
                    labour_ability = CASE WHEN excluded.updated_at >= known_members.updated_at
                                          THEN coalesce(excluded.labour_ability, known_members.labour_ability) ELSE known_members.labour_ability END,
                    updated_at = greatest(known_members.updated_at, excluded.updated_at)
                """, ct,
                new NpgsqlParameter("mids2", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = members.Select(m => m.MemberId).ToArray() },
                new NpgsqlParameter("mhouseholds2", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = members.Select(m => m.HouseholdId).ToArray() },
                new NpgsqlParameter("hashes", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { Value = members.Select(m => m.IdHash).ToArray() },
                new NpgsqlParameter("labours", NpgsqlDbType.Array | NpgsqlDbType.Smallint) { Value = members.Select(m => (short?)m.LabourAbility).ToArray() },
                new NpgsqlParameter("ats", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = members.Select(m => m.OccurredAt.ToUniversalTime()).ToArray() })
                .ConfigureAwait(false);
        }
        await Sql.ExecuteAsync(db, connection, """
            INSERT INTO evaluation_queue (household_id, enqueued_at) SELECT u.id, @now::timestamptz FROM unnest(@ids) AS u(id)
            ON CONFLICT (household_id) DO UPDATE SET enqueued_at = excluded.enqueued_at
            """, ct,
            new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = households.Select(h => h.HouseholdId).ToArray() },
            new NpgsqlParameter<DateTimeOffset>("now", now)).ConfigureAwait(false);
        if (tx is not null)
        {
            await tx.CommitAsync(ct).ConfigureAwait(false);
        }
        return households.Count;
    }
}
