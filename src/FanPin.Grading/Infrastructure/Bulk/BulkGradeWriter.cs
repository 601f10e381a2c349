using FanPin.Grading.Domain;
using FanPin.Grading.Domain.Events;
using FanPin.Grading.Infrastructure.WarningLog;
using Npgsql;
using NpgsqlTypes;

namespace FanPin.Grading.Infrastructure.Bulk;

/// <summary>
/// Writes the outcomes of many re-grades set-based (binary COPY, and UPDATE … FROM a temporary table) inside the
/// caller's transaction: the same rows, sequences and staged events the single-household path writes through EF,
/// at bulk speed.
/// </summary>
internal static class BulkGradeWriter
{
    /// <summary>Writes the outcomes that changed something (facts rows must be locked by the caller).</summary>
    public static async Task WriteAsync(GradingDbContext db, NpgsqlConnection connection, NpgsqlTransaction transaction,
        IReadOnlyList<(HouseholdFacts Facts, RegradeOutcome Outcome)> changed, CancellationToken ct)
    {
        if (changed.Count == 0)
        {
            return;
        }
        var events = new List<DomainEvent>(changed.Count);
        var transitions = new List<WarningTransition>(changed.Count);
        foreach (var (_, outcome) in changed)
        {
            var (warningEvents, warningTransitions) = outcome.Warning!.TakePending();
            events.AddRange(warningEvents);
            transitions.AddRange(warningTransitions);
        }
        var logged = events.OfType<WarningLogEvent>().ToList();
        await WarningLogSequences.AssignAsync(connection, transaction, logged, ct).ConfigureAwait(false);

        await InsertNewWarningsAsync(connection, changed.Where(c => c.Outcome.WarningIsNew).Select(c => c.Outcome.Warning!).ToList(), ct).ConfigureAwait(false);
        await UpdateWarningsAsync(connection, transaction, changed.Where(c => !c.Outcome.WarningIsNew).Select(c => c.Outcome.Warning!).ToList(), ct).ConfigureAwait(false);
        await InsertTransitionsAsync(connection, transitions, ct).ConfigureAwait(false);
        await InsertGradeChangesAsync(connection, changed.Select(c => c.Outcome.Change!).ToList(), ct).ConfigureAwait(false);
        await InsertLogAsync(connection, logged.Select(WarningLogEntry.From).ToList(), ct).ConfigureAwait(false);
        await UpdateFactsAsync(connection, transaction, changed.Select(c => c.Facts).ToList(), ct).ConfigureAwait(false);

        await db.Staging.StageBulkAsync(db, events, changed.ToDictionary(c => c.Facts.HouseholdId, c => c.Facts), ct).ConfigureAwait(false);
        if (db.ChangeTracker.HasChanges())
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        await WarningLogSequences.NotifyAsync(connection, transaction, logged.Select(e => e.Province), ct).ConfigureAwait(false);
    }

    private static async Task InsertNewWarningsAsync(NpgsqlConnection connection, List<Warning> warnings, CancellationToken ct)
    {
        if (warnings.Count == 0)
        {
            return;
        }
        await using var copy = await connection.BeginBinaryImportAsync("""
            COPY warnings (id, household_id, region_code, province, grade, status, escalation_level, rule_id, reason, policy_province,
                           policy_version, raised_at, raised_on, due_on, updated_at, version) FROM STDIN (FORMAT BINARY)
            """, ct).ConfigureAwait(false);
        foreach (var w in warnings)
        {
            await copy.StartRowAsync(ct).ConfigureAwait(false);
            await copy.WriteAsync(w.Id, NpgsqlDbType.Uuid, ct).ConfigureAwait(false);
            await copy.WriteAsync(w.HouseholdId, NpgsqlDbType.Uuid, ct).ConfigureAwait(false);
            await copy.WriteAsync(w.RegionCode, NpgsqlDbType.Varchar, ct).ConfigureAwait(false);
            await copy.WriteAsync(w.Province, NpgsqlDbType.Char, ct).ConfigureAwait(false);
            await copy.WriteAsync((short)w.Grade, NpgsqlDbType.Smallint, ct).ConfigureAwait(false);
            await copy.WriteAsync((short)w.Status, NpgsqlDbType.Smallint, ct).ConfigureAwait(false);
            await copy.WriteAsync(w.EscalationLevel, NpgsqlDbType.Integer, ct).ConfigureAwait(false);
            await copy.WriteAsync(w.RuleId, NpgsqlDbType.Text, ct).ConfigureAwait(false);
            await copy.WriteAsync(w.Reason, NpgsqlDbType.Jsonb, ct).ConfigureAwait(false);
            await copy.WriteAsync(w.PolicyProvince, NpgsqlDbType.Char, ct).ConfigureAwait(false);
            await copy.WriteAsync(w.PolicyVersion, NpgsqlDbType.Integer, ct).ConfigureAwait(false);
            await copy.WriteAsync(w.RaisedAt, NpgsqlDbType.TimestampTz, ct).ConfigureAwait(false);
            await copy.WriteAsync(w.RaisedOn, NpgsqlDbType.Date, ct).ConfigureAwait(false);
            await WriteNullableAsync(copy, w.DueOn, NpgsqlDbType.Date, ct).ConfigureAwait(false);
            await copy.WriteAsync(w.UpdatedAt, NpgsqlDbType.TimestampTz, ct).ConfigureAwait(false);
            await copy.WriteAsync(w.Version, NpgsqlDbType.Integer, ct).ConfigureAwait(false);
        }
        await copy.CompleteAsync(ct).ConfigureAwait(false);
    }

    private static async Task UpdateWarningsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, List<Warning> warnings, CancellationToken ct)
    {
        if (warnings.Count == 0)
        {
            return;
        }
        await ExecuteAsync(connection, transaction, """
            CREATE TEMP TABLE tmp_warning_updates (
                id uuid, grade smallint, status smallint, rule_id text, reason jsonb, policy_province text, policy_version integer,
                due_on date, cleared_at timestamptz, updated_at timestamptz, version integer) ON COMMIT DROP
            """, ct).ConfigureAwait(false);
        await using (var copy = await connection.BeginBinaryImportAsync("""
            COPY tmp_warning_updates (id, grade, status, rule_id, reason, policy_province, policy_version, due_on, cleared_at, updated_at, version)
            FROM STDIN (FORMAT BINARY)
            """, ct).ConfigureAwait(false))
        {
            foreach (var w in warnings)
            {
                await copy.StartRowAsync(ct).ConfigureAwait(false);
                await copy.WriteAsync(w.Id, NpgsqlDbType.Uuid, ct).ConfigureAwait(false);
                await copy.WriteAsync((short)w.Grade, NpgsqlDbType.Smallint, ct).ConfigureAwait(false);
                await copy.WriteAsync((short)w.Status, NpgsqlDbType.Smallint, ct).ConfigureAwait(false);
                await copy.WriteAsync(w.RuleId, NpgsqlDbType.Text, ct).ConfigureAwait(false);
                await copy.WriteAsync(w.Reason, NpgsqlDbType.Jsonb, ct).ConfigureAwait(false);
                await copy.WriteAsync(w.PolicyProvince, NpgsqlDbType.Text, ct).ConfigureAwait(false);
                await copy.WriteAsync(w.PolicyVersion, NpgsqlDbType.Integer, ct).ConfigureAwait(false);
                await WriteNullableAsync(copy, w.DueOn, NpgsqlDbType.Date, ct).ConfigureAwait(false);
                await WriteNullableAsync(copy, w.ClearedAt, NpgsqlDbType.TimestampTz, ct).ConfigureAwait(false);
                await copy.WriteAsync(w.UpdatedAt, NpgsqlDbType.TimestampTz, ct).ConfigureAwait(false);
                await copy.WriteAsync(w.Version, NpgsqlDbType.Integer, ct).ConfigureAwait(false);
            }
            await copy.CompleteAsync(ct).ConfigureAwait(false);
        }
        var updated = await ExecuteAsync(connection, transaction, """
            UPDATE warnings w SET grade = t.grade, status = t.status, rule_id = t.rule_id, reason = t.reason,
                   policy_province = t.policy_province, policy_version = t.policy_version, due_on = t.due_on,
                   cleared_at = t.cleared_at, updated_at = t.updated_at, version = t.version
            FROM tmp_warning_updates t
            WHERE w.id = t.id AND w.version = t.version - 1
            """, ct).ConfigureAwait(false);
        if (updated != warnings.Count)
        {
            // The household rows are locked, so this means a writer that does not take the household lock: refuse, roll back.
            throw new InvalidOperationException($"Bulk re-grade expected to update {warnings.Count} warnings but updated {updated}: a warning changed concurrently.");
        }
    }

    private static async Task InsertTransitionsAsync(NpgsqlConnection connection, List<WarningTransition> transitions, CancellationToken ct)
    {
        if (transitions.Count == 0)
        {
            return;
        }
        await using var copy = await connection.BeginBinaryImportAsync("""
            COPY warning_transitions (warning_id, household_id, at, action, from_status, to_status, from_grade, to_grade, escalation_level,
                                      due_on, actor, note, rule_id) FROM STDIN (FORMAT BINARY)
            """, ct).ConfigureAwait(false);
        foreach (var t in transitions)
        {
            await copy.StartRowAsync(ct).ConfigureAwait(false);
            await copy.WriteAsync(t.WarningId, NpgsqlDbType.Uuid, ct).ConfigureAwait(false);
            await copy.WriteAsync(t.HouseholdId, NpgsqlDbType.Uuid, ct).ConfigureAwait(false);
            await copy.WriteAsync(t.At, NpgsqlDbType.TimestampTz, ct).ConfigureAwait(false);
            await copy.WriteAsync((short)t.Action, NpgsqlDbType.Smallint, ct).ConfigureAwait(false);
            await WriteNullableAsync(copy, (short?)t.FromStatus, NpgsqlDbType.Smallint, ct).ConfigureAwait(false);
            await copy.WriteAsync((short)t.ToStatus, NpgsqlDbType.Smallint, ct).ConfigureAwait(false);
            await WriteNullableAsync(copy, (short?)t.FromGrade, NpgsqlDbType.Smallint, ct).ConfigureAwait(false);
            await copy.WriteAsync((short)t.ToGrade, NpgsqlDbType.Smallint, ct).ConfigureAwait(false);
            await copy.WriteAsync(t.EscalationLevel, NpgsqlDbType.Integer, ct).ConfigureAwait(false);
            await WriteNullableAsync(copy, t.DueOn, NpgsqlDbType.Date, ct).ConfigureAwait(false);
            await copy.WriteAsync(t.Actor, NpgsqlDbType.Text, ct).ConfigureAwait(false);
            await WriteNullableAsync(copy, t.Note, NpgsqlDbType.Text, ct).ConfigureAwait(false);
            await copy.WriteAsync(t.RuleId, NpgsqlDbType.Text, ct).ConfigureAwait(false);
        }
        await copy.CompleteAsync(ct).ConfigureAwait(false);
    }

    private static async Task InsertGradeChangesAsync(NpgsqlConnection connection, List<GradeChange> changes, CancellationToken ct)
    {
        await using var copy = await connection.BeginBinaryImportAsync("""
            COPY grade_changes (household_id, region_code, at, from_grade, to_grade, rule_id, reason, policy_province, policy_version,
                                warning_id, cause) FROM STDIN (FORMAT BINARY)
            """, ct).ConfigureAwait(false);
        foreach (var c in changes)
        {
            await copy.StartRowAsync(ct).ConfigureAwait(false);
            await copy.WriteAsync(c.HouseholdId, NpgsqlDbType.Uuid, ct).ConfigureAwait(false);
            await copy.WriteAsync(c.RegionCode, NpgsqlDbType.Varchar, ct).ConfigureAwait(false);
            await copy.WriteAsync(c.At, NpgsqlDbType.TimestampTz, ct).ConfigureAwait(false);
            await WriteNullableAsync(copy, (short?)c.FromGrade, NpgsqlDbType.Smallint, ct).ConfigureAwait(false);
            await WriteNullableAsync(copy, (short?)c.ToGrade, NpgsqlDbType.Smallint, ct).ConfigureAwait(false);
            await copy.WriteAsync(c.RuleId, NpgsqlDbType.Text, ct).ConfigureAwait(false);
            await copy.WriteAsync(c.Reason, NpgsqlDbType.Jsonb, ct).ConfigureAwait(false);
            await copy.WriteAsync(c.PolicyProvince, NpgsqlDbType.Char, ct).ConfigureAwait(false);
            await copy.WriteAsync(c.PolicyVersion, NpgsqlDbType.Integer, ct).ConfigureAwait(false);
            await WriteNullableAsync(copy, c.WarningId, NpgsqlDbType.Uuid, ct).ConfigureAwait(false);
            await copy.WriteAsync((short)c.Cause, NpgsqlDbType.Smallint, ct).ConfigureAwait(false);
        }
        await copy.CompleteAsync(ct).ConfigureAwait(false);
    }

    private static async Task InsertLogAsync(NpgsqlConnection connection, List<WarningLogEntry> entries, CancellationToken ct)
    {
        if (entries.Count == 0)
        {
            return;
        }
        await using var copy = await connection.BeginBinaryImportAsync($"COPY warning_log ({WarningLogWatcher.Columns}) FROM STDIN (FORMAT BINARY)", ct).ConfigureAwait(false);
        foreach (var e in entries)
        {
            await copy.StartRowAsync(ct).ConfigureAwait(false);
            await copy.WriteAsync(e.Province, NpgsqlDbType.Char, ct).ConfigureAwait(false);
            await copy.WriteAsync(e.Sequence, NpgsqlDbType.Bigint, ct).ConfigureAwait(false);
            await copy.WriteAsync(e.EventId, NpgsqlDbType.Uuid, ct).ConfigureAwait(false);
            await copy.WriteAsync((short)e.EventType, NpgsqlDbType.Smallint, ct).ConfigureAwait(false);
            await copy.WriteAsync(e.WarningId, NpgsqlDbType.Uuid, ct).ConfigureAwait(false);
            await copy.WriteAsync(e.HouseholdId, NpgsqlDbType.Uuid, ct).ConfigureAwait(false);
            await copy.WriteAsync(e.RegionCode, NpgsqlDbType.Varchar, ct).ConfigureAwait(false);
            await copy.WriteAsync((short)e.Grade, NpgsqlDbType.Smallint, ct).ConfigureAwait(false);
            await WriteNullableAsync(copy, (short?)e.PreviousGrade, NpgsqlDbType.Smallint, ct).ConfigureAwait(false);
            await copy.WriteAsync((short)e.Status, NpgsqlDbType.Smallint, ct).ConfigureAwait(false);
            await copy.WriteAsync(e.EscalationLevel, NpgsqlDbType.Integer, ct).ConfigureAwait(false);
            await copy.WriteAsync(e.RuleId, NpgsqlDbType.Text, ct).ConfigureAwait(false);
            await WriteNullableAsync(copy, e.DueOn, NpgsqlDbType.Date, ct).ConfigureAwait(false);
            await copy.WriteAsync(e.OccurredAt, NpgsqlDbType.TimestampTz, ct).ConfigureAwait(false);
        }
        await copy.CompleteAsync(ct).ConfigureAwait(false);
    }

    private static async Task UpdateFactsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, List<HouseholdFacts> facts, CancellationToken ct)
    {
        await ExecuteAsync(connection, transaction, """
            CREATE TEMP TABLE tmp_facts_grades (
                household_id uuid, grade smallint, grade_rule_id text, grade_version bigint, graded_at timestamptz,
                open_warning_id uuid, updated_at timestamptz) ON COMMIT DROP
            """, ct).ConfigureAwait(false);
        await using (var copy = await connection.BeginBinaryImportAsync("""
            COPY tmp_facts_grades (household_id, grade, grade_rule_id, grade_version, graded_at, open_warning_id, updated_at) FROM STDIN (FORMAT BINARY)
            """, ct).ConfigureAwait(false))
        {
            foreach (var f in facts)
            {
                await copy.StartRowAsync(ct).ConfigureAwait(false);
                await copy.WriteAsync(f.HouseholdId, NpgsqlDbType.Uuid, ct).ConfigureAwait(false);
                await WriteNullableAsync(copy, (short?)f.Grade, NpgsqlDbType.Smallint, ct).ConfigureAwait(false);
                await WriteNullableAsync(copy, f.GradeRuleId, NpgsqlDbType.Text, ct).ConfigureAwait(false);
                await copy.WriteAsync(f.GradeVersion, NpgsqlDbType.Bigint, ct).ConfigureAwait(false);
                await WriteNullableAsync(copy, f.GradedAt, NpgsqlDbType.TimestampTz, ct).ConfigureAwait(false);
                await WriteNullableAsync(copy, f.OpenWarningId, NpgsqlDbType.Uuid, ct).ConfigureAwait(false);
                await copy.WriteAsync(f.UpdatedAt, NpgsqlDbType.TimestampTz, ct).ConfigureAwait(false);
            }
            await copy.CompleteAsync(ct).ConfigureAwait(false);
        }
        await ExecuteAsync(connection, transaction, """
            UPDATE household_facts f SET grade = t.grade, grade_rule_id = t.grade_rule_id, grade_version = t.grade_version,
                   graded_at = t.graded_at, open_warning_id = t.open_warning_id, updated_at = t.updated_at
            FROM tmp_facts_grades t WHERE f.household_id = t.household_id
            """, ct).ConfigureAwait(false);
    }

    private static async Task<int> ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private static async Task WriteNullableAsync<T>(NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type, CancellationToken ct)
        where T : struct
    {
        if (value is { } v)
        {
            await copy.WriteAsync(v, type, ct).ConfigureAwait(false);
        }
        else
        {
            await copy.WriteNullAsync(ct).ConfigureAwait(false);
        }
    }

    private static async Task WriteNullableAsync(NpgsqlBinaryImporter copy, string? value, NpgsqlDbType type, CancellationToken ct)
    {
        if (value is not null)
        {
            await copy.WriteAsync(value, type, ct).ConfigureAwait(false);
        }
        else
        {
            await copy.WriteNullAsync(ct).ConfigureAwait(false);
        }
    }
}
