using FanPin.Monitoring.Domain;
using Npgsql;
using NpgsqlTypes;

namespace FanPin.Monitoring.Infrastructure;

/// <summary>Counts of one import by outcome, and the rows that were not applied.</summary>
internal sealed record MergeOutcome(
    int Fresh,
    int Applied,
    int Unchanged,
    int Duplicates,
    int Invalid,
    int Unmatched,
    int OutsideScope,
    int HouseholdsQueued,
    IReadOnlyList<(int RowNumber, FeedRowOutcome Outcome, string Reason)> Rejected);

/// <summary>
/// The set-based half of a feed import: binary COPY of the checked rows into a temporary staging table, then a
/// handful of statements over the whole feed (skip rows already imported, find duplicates, match persons to
/// households through the keyed ID hash, apply records, snapshots and facts, write the per-row ledger, queue the
/// touched households). Runs inside the caller's transaction; nothing is visible until it commits.
/// </summary>
internal sealed class FeedMerge(MonitoringDbContext db, NpgsqlConnection connection)
{
    /// <summary>Creates the staging table and returns a COPY writer into it.</summary>
    public async Task<NpgsqlBinaryImporter> BeginStagingAsync(CancellationToken ct)
    {
        await Sql.ExecuteAsync(db, connection, """
            CREATE TEMP TABLE feed_stage (
                seq        integer NOT NULL,
                row_number integer NOT NULL,
                id_hash    bytea,
                effect     smallint,
                target     smallint,
                month      date NOT NULL,
                amount     bigint,
                value      numeric,
                reference  text NOT NULL,
                error      text
            ) ON COMMIT DROP
            """, ct).ConfigureAwait(false);
        return await connection.BeginBinaryImportAsync(
            "COPY feed_stage (seq, row_number, id_hash, effect, target, month, amount, value, reference, error) FROM STDIN (FORMAT BINARY)", ct)
            .ConfigureAwait(false);
    }

    /// <summary>
    /// Writes one staged row. Synchronous on purpose: the importer buffers and only touches the socket when its
    /// buffer is full, and an awaited call per field costs more than the COPY itself at a million rows.
    /// </summary>
    public static void Write(NpgsqlBinaryImporter writer, int seq, int rowNumber, byte[]? idHash, CheckedFeedRow row)
    {
        writer.StartRow();
        writer.Write(seq, NpgsqlDbType.Integer);
        writer.Write(rowNumber, NpgsqlDbType.Integer);
        WriteNullable(writer, idHash, NpgsqlDbType.Bytea);
        WriteNullable(writer, row.Item is null ? null : (short?)row.Item.Effect, NpgsqlDbType.Smallint);
        WriteNullable(writer, row.Item?.Target, NpgsqlDbType.Smallint);
        writer.Write(row.Month.FirstDay, NpgsqlDbType.Date);
        WriteNullable(writer, row.AmountFen, NpgsqlDbType.Bigint);
        WriteNullable(writer, row.Value, NpgsqlDbType.Numeric);
        writer.Write(row.Reference, NpgsqlDbType.Text);
        WriteNullable(writer, row.Error, NpgsqlDbType.Text);
    }

    private static void WriteNullable<T>(NpgsqlBinaryImporter writer, T? value, NpgsqlDbType type)
    {
        if (value is null)
        {
            writer.WriteNull();
        }
        else
        {
            writer.Write(value, type);
        }
    }

    /// <summary>Merges the staged rows of feed <paramref name="feedKey"/>.</summary>
    /// <param name="heldUntil">For a back-fill feed: the households it touches are not evaluated before then (or the back-fill's end).</param>
    public async Task<MergeOutcome> MergeAsync(long feedKey, bool firstImport, string feedId, string department, string scopePrefix, DateTimeOffset now,
        string importedBy, DateTimeOffset? heldUntil, IProgress<int>? step, CancellationToken ct)
    {
        NpgsqlParameter[] P() =>
        [
            new NpgsqlParameter<long>("feed", feedKey),
            new NpgsqlParameter<string>("feedId", feedId),
            new NpgsqlParameter<string>("dept", department),
            new NpgsqlParameter<string>("prefix", scopePrefix + "%"),
            new NpgsqlParameter<string>("scope", scopePrefix),
            new NpgsqlParameter<DateTimeOffset>("now", now),
            new NpgsqlParameter<string>("by", importedBy),
        ];
        // Sorts, hashes and window functions over a million rows stay in memory (the default 4 MB spills to disk);
        // LOCAL: only for this transaction.
        await Sql.ExecuteAsync(db, connection, "SET LOCAL work_mem = '256MB'; ANALYZE feed_stage", ct).ConfigureAwait(false);

        // Rows not imported before under this feed id: all of them on a first import; on a re-import only these are
        // matched and applied, so sending a feed again costs little more than reading it.
        var fresh = "feed_stage";
        if (!firstImport)
        {
            fresh = "feed_fresh";
            await Sql.ExecuteAsync(db, connection, """
                CREATE TEMP TABLE feed_fresh ON COMMIT DROP AS
                SELECT s.* FROM feed_stage s
                WHERE NOT EXISTS (SELECT 1 FROM feed_rows r WHERE r.feed_key = @feed AND r.row_number = s.row_number);
                ANALYZE feed_fresh;
                """, ct, P()).ConfigureAwait(false);
        }

        // Persons to households: the member whose membership covers the row's month (the latest to join when a
        // person moved within the month). Only valid rows are matched.
        // A hash join, no sort: almost every person has one membership covering the month. The rare person in two
        // households that month (moved mid-month) keeps the membership that began last.
        await Sql.ExecuteAsync(db, connection, $"""
            CREATE TEMP TABLE feed_match ON COMMIT DROP AS
            SELECT s.seq, km.household_id, coalesce(km.joined_on, '-infinity'::date) AS joined_on
            FROM {fresh} s
            JOIN known_members km ON km.id_hash = s.id_hash
            WHERE s.error IS NULL
              AND (km.joined_on IS NULL OR km.joined_on < s.month + interval '1 month')
              AND (km.left_on IS NULL OR km.left_on > s.month);
            DELETE FROM feed_match m
            USING (SELECT seq FROM feed_match GROUP BY seq HAVING count(*) > 1) twice, feed_match o
            WHERE m.seq = twice.seq AND o.seq = m.seq
              AND (o.joined_on > m.joined_on OR (o.joined_on = m.joined_on AND o.household_id > m.household_id));
            """, ct).ConfigureAwait(false);
        step?.Report(1);

        // One row per fresh row (not imported before under this feed) with its outcome so far: invalid,
        // duplicate (same person, item, month and reference as an earlier row), unmatched, outside the scope;
        // null for rows to apply.
        await Sql.ExecuteAsync(db, connection, $"""
            CREATE TEMP TABLE feed_work ON COMMIT DROP AS
            WITH fresh AS MATERIALIZED (
                SELECT * FROM {fresh}
            ), repeated AS (
                -- hashed, not sorted: only keys that occur more than once come out
                SELECT id_hash, effect, target, month, reference, min(row_number) AS first_row
                FROM fresh WHERE error IS NULL
                GROUP BY id_hash, effect, target, month, reference
                HAVING count(*) > 1
            ), keyed AS (
                SELECT f.*, coalesce(d.first_row, f.row_number) AS first_row
                FROM fresh f
                LEFT JOIN repeated d ON f.error IS NULL AND d.id_hash = f.id_hash AND d.effect = f.effect AND d.target = f.target
                     AND d.month = f.month AND d.reference = f.reference
            )
            SELECT k.seq, k.row_number, k.id_hash, k.effect, k.target, k.month, k.amount, k.value, k.reference,
                   m.household_id, h.region_code,
                   (CASE WHEN k.error IS NOT NULL THEN 3
                         WHEN k.first_row <> k.row_number THEN 5
                         WHEN m.household_id IS NULL THEN 4
                         WHEN h.region_code NOT LIKE @prefix THEN 6 END)::smallint AS outcome,
                   CASE WHEN k.error IS NOT NULL THEN k.error
                        WHEN k.first_row <> k.row_number THEN 'duplicate of row ' || k.first_row || ' (same person, item, month and reference)'
                        WHEN m.household_id IS NULL THEN 'unknown person: no member of a registered household has this ID number in ' || to_char(k.month, 'YYYY-MM')
                        WHEN h.region_code NOT LIKE @prefix THEN 'the person''s household lies in ' || h.region_code || ', outside the feed''s region ' || @scope
                   END AS reason
            FROM keyed k
            LEFT JOIN feed_match m ON m.seq = k.seq
            LEFT JOIN known_households h ON h.id = m.household_id
            """, ct, P()).ConfigureAwait(false);
        await Sql.ExecuteAsync(db, connection, "ANALYZE feed_work", ct).ConfigureAwait(false);
        step?.Report(2);

        // Amounts: a row whose key (household, category, month, department, person, reference) has a current
        // record with the same amount changes nothing; with another amount it supersedes that record.
        // New record ids are time-ordered (UUIDv7 layout: this import's millisecond, the feed, then the position
        // in household order), so the million inserts append to the primary key and, sorted by household, to the
        // household index, instead of touching random pages of both.
        await Sql.ExecuteAsync(db, connection, """
            CREATE TEMP TABLE feed_records ON COMMIT DROP AS
            SELECT w.seq, w.row_number, w.household_id, w.target AS category, w.month, w.amount, w.id_hash, w.reference,
                   r.id AS current_id, r.version AS current_version,
                   CASE WHEN r.id IS NULL OR r.amount_fen <> w.amount
                        THEN (lpad(to_hex(@ms), 12, '0') || '7' || lpad(to_hex(@feed % 4096), 3, '0') || '8'
                              || lpad(to_hex(row_number() OVER (ORDER BY w.household_id, w.month, w.seq)), 15, '0'))::uuid END AS new_id
            FROM feed_work w
            LEFT JOIN records r ON r.superseded_by_id IS NULL AND r.department = @dept AND r.month = w.month
                 AND r.household_id = w.household_id AND r.category = w.target AND r.member_id_hash = w.id_hash AND r.reference = w.reference
            WHERE w.outcome IS NULL AND w.effect = 1
            """, ct, [.. P(), new NpgsqlParameter<long>("ms", now.ToUnixTimeMilliseconds())]).ConfigureAwait(false);
        await Sql.ExecuteAsync(db, connection, """
            INSERT INTO records (id, household_id, category, month, amount_fen, source, reference, department, feed_key, feed_row,
                                 member_id_hash, version, supersedes_id, correction_reason, recorded_at, recorded_by)
            SELECT new_id, household_id, category, month, amount, 3, reference, @dept, @feed, row_number,
                   id_hash, coalesce(current_version, 0) + 1, current_id,
                   CASE WHEN current_id IS NOT NULL THEN 'superseded by feed ' || @feedId || ' row ' || row_number END, @now, @by
            FROM feed_records WHERE new_id IS NOT NULL
            ORDER BY new_id
            """, ct, P()).ConfigureAwait(false);
        await Sql.ExecuteAsync(db, connection, """
            UPDATE records r SET superseded_by_id = f.new_id, superseded_at = @now
            FROM feed_records f
            WHERE f.current_id IS NOT NULL AND f.new_id IS NOT NULL AND r.id = f.current_id
            """, ct, P()).ConfigureAwait(false);
        step?.Report(3);

        // Indicators: one snapshot per household and month of the feed, observed at the month's end.
        await Sql.ExecuteAsync(db, connection, $"""
            INSERT INTO guarantee_snapshots (id, household_id, observed_on, source, department, feed_key, reference,
                out_of_school_children, uninsured_members, housing_grade, water_litres_per_person_per_day,
                water_quality_meets_standard, water_fetch_round_trip_minutes, water_supply_rate, recorded_at, recorded_by)
            SELECT gen_random_uuid(), household_id, (month + interval '1 month - 1 day')::date, 3, @dept, @feed, @feedId,
                   CASE WHEN bool_or(target = {(int)GuaranteeField.OutOfSchool}) THEN (count(*) FILTER (WHERE target = {(int)GuaranteeField.OutOfSchool} AND value = 1))::int END,
                   CASE WHEN bool_or(target = {(int)GuaranteeField.MedicalInsured}) THEN (count(*) FILTER (WHERE target = {(int)GuaranteeField.MedicalInsured} AND value = 0))::int END,
                   (max(value) FILTER (WHERE target = {(int)GuaranteeField.HousingGrade}))::smallint,
                   (min(value) FILTER (WHERE target = {(int)GuaranteeField.WaterQuantity}))::int,
                   CASE WHEN bool_or(target = {(int)GuaranteeField.WaterQuality}) THEN min(value) FILTER (WHERE target = {(int)GuaranteeField.WaterQuality}) = 1 END,
                   (max(value) FILTER (WHERE target = {(int)GuaranteeField.WaterFetchMinutes}))::int,
                   min(value) FILTER (WHERE target = {(int)GuaranteeField.WaterSupplyRate}),
                   @now, @by
            FROM feed_work
            WHERE outcome IS NULL AND effect = 2
            GROUP BY household_id, month
            """, ct, P()).ConfigureAwait(false);

        // Exclusion facts: the same fact reported again is the same fact (unchanged).
        await Sql.ExecuteAsync(db, connection, """
            CREATE TEMP TABLE feed_facts (row_number integer PRIMARY KEY) ON COMMIT DROP;
            WITH inserted AS (
                INSERT INTO exclusion_facts (id, household_id, kind, department, member_id_hash, month, amount_fen, reference, feed_key, feed_row, recorded_at)
                SELECT gen_random_uuid(), household_id, target, @dept, id_hash, month, amount, reference, @feed, row_number, @now
                FROM feed_work WHERE outcome IS NULL AND effect = 3
                ON CONFLICT DO NOTHING
                RETURNING feed_row)
            INSERT INTO feed_facts SELECT feed_row FROM inserted
            """, ct, P()).ConfigureAwait(false);
        step?.Report(4);

        // The per-row ledger: every fresh row with its final outcome.
        await Sql.ExecuteAsync(db, connection, """
            CREATE TEMP TABLE feed_outcomes ON COMMIT DROP AS
            SELECT w.row_number, w.household_id,
                   coalesce(w.outcome, CASE w.effect
                        WHEN 1 THEN CASE WHEN f.new_id IS NULL THEN 2 ELSE 1 END
                        WHEN 3 THEN CASE WHEN x.row_number IS NULL THEN 2 ELSE 1 END
                        ELSE 1 END)::smallint AS outcome,
                   w.reason
            FROM feed_work w
            LEFT JOIN feed_records f ON f.seq = w.seq
            LEFT JOIN feed_facts x ON x.row_number = w.row_number
            """, ct, P()).ConfigureAwait(false);
        // In key order: the ledger's primary key and the queue's fill from left to right.
        await Sql.ExecuteAsync(db, connection, """
            INSERT INTO feed_rows (feed_key, row_number, outcome, reason, household_id)
            SELECT @feed, row_number, outcome, reason, household_id FROM feed_outcomes ORDER BY row_number
            """, ct, P()).ConfigureAwait(false);
        // A back-fill feed holds the households it touches (see EvaluationQueueEntry.HeldUntil); a live feed (null) leaves a hold as it is.
        var queued = await Sql.ExecuteAsync(db, connection, """
            INSERT INTO evaluation_queue (household_id, enqueued_at, held_until)
            SELECT household_id, @now, @heldUntil FROM feed_outcomes WHERE outcome = 1 GROUP BY household_id ORDER BY household_id
            ON CONFLICT (household_id) DO UPDATE SET enqueued_at = excluded.enqueued_at, held_until = coalesce(excluded.held_until, evaluation_queue.held_until)
            """, ct, [.. P(), new NpgsqlParameter("heldUntil", NpgsqlTypes.NpgsqlDbType.TimestampTz) { Value = (object?)heldUntil ?? DBNull.Value }])
            .ConfigureAwait(false);
        step?.Report(5);

        var counts = new Dictionary<FeedRowOutcome, int>();
        await using (var command = Sql.Command(db, connection, "SELECT outcome, count(*)::int FROM feed_outcomes GROUP BY outcome"))
        await using (var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                counts[(FeedRowOutcome)reader.GetInt16(0)] = reader.GetInt32(1);
            }
        }
        var rejected = new List<(int, FeedRowOutcome, string)>();
        await using (var command = Sql.Command(db, connection,
            "SELECT row_number, outcome, reason FROM feed_outcomes WHERE outcome NOT IN (1, 2) ORDER BY row_number"))
        await using (var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                rejected.Add((reader.GetInt32(0), (FeedRowOutcome)reader.GetInt16(1), reader.IsDBNull(2) ? "" : reader.GetString(2)));
            }
        }
        int Count(FeedRowOutcome o) => counts.GetValueOrDefault(o);
        return new MergeOutcome(counts.Values.Sum(), Count(FeedRowOutcome.Applied), Count(FeedRowOutcome.Unchanged), Count(FeedRowOutcome.Duplicate),
            Count(FeedRowOutcome.Invalid), Count(FeedRowOutcome.Unmatched), Count(FeedRowOutcome.OutsideScope), queued, rejected);
    }
}
