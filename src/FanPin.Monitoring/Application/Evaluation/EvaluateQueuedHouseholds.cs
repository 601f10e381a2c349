using System.Text.Json;
using FanPin.Monitoring.Application.Common;
using FanPin.Monitoring.Domain;
using FanPin.Monitoring.Domain.Events;
using FanPin.Monitoring.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace FanPin.Monitoring.Application.Evaluation;

/// <summary>How much of the queue to work off.</summary>
/// <param name="MaxHouseholds">Stop after this many households (the worker calls again).</param>
/// <param name="BatchSize">Households per transaction.</param>
public sealed record EvaluateQueuedRequest(int MaxHouseholds = 100_000, int BatchSize = 2_000);

/// <summary>What an evaluation run did.</summary>
/// <param name="Evaluated">Households evaluated.</param>
/// <param name="Changed">Households whose findings changed (stored anew).</param>
/// <param name="EventsRaised">RiskSignalsDetected raised.</param>
/// <param name="Skipped">Queued households not evaluable yet (the registry has not told their category).</param>
public sealed record EvaluateQueuedResult(int Evaluated, int Changed, int EventsRaised, int Skipped);

/// <summary>
/// Evaluates the households a change touched (the evaluation queue), batch by batch: the facts of a whole batch
/// are loaded set-based, each household is evaluated by the pure <see cref="HouseholdEvaluator"/> under the
/// province policy in force, and the findings are compared with the stored ones. A household whose findings
/// changed gets its new evaluation stored, a signal-change log entry and one <see cref="RiskSignalsDetected"/>,
/// in the batch's transaction; one whose findings did not change announces nothing. Batches take their rows
/// with SKIP LOCKED, so several workers can share the queue.
/// </summary>
public sealed class EvaluateQueuedHouseholds(MonitoringDbContext db, MonitoringClock clock, MonitoringPolicies policies)
{
    /// <summary>Works off the queue.</summary>
    public async Task<EvaluateQueuedResult> HandleAsync(EvaluateQueuedRequest request, CancellationToken ct = default)
    {
        var validator = new Validator();
        validator.Require(request.MaxHouseholds > 0, "max_households", "must be positive");
        validator.Require(request.BatchSize is > 0 and <= 50_000, "batch_size", "must be 1–50000");
        validator.ThrowIfInvalid();
        int evaluated = 0, changed = 0, events = 0, skipped = 0;
        while (evaluated + skipped < request.MaxHouseholds)
        {
            var batch = await EvaluateBatchAsync(Math.Min(request.BatchSize, request.MaxHouseholds - evaluated - skipped), ct).ConfigureAwait(false);
            if (batch.Evaluated + batch.Skipped == 0)
            {
                break;
            }
            evaluated += batch.Evaluated;
            changed += batch.Changed;
            events += batch.EventsRaised;
            skipped += batch.Skipped;
        }
        return new EvaluateQueuedResult(evaluated, changed, events, skipped);
    }

    private sealed record Previous(byte[] Fingerprint, string[] SignalCodes, bool HasFindings);

    private async Task<EvaluateQueuedResult> EvaluateBatchAsync(int size, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        var connection = await Sql.ConnectionAsync(db, ct).ConfigureAwait(false);
        await using var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        var ids = new List<Guid>(size);
        var now = clock.UtcNow;
        // Households a back-fill holds wait for its end (EndBackfill) or the hold's lapse.
        await using (var command = Sql.Command(db, connection,
            "SELECT household_id FROM evaluation_queue WHERE held_until IS NULL OR held_until <= @now ORDER BY household_id LIMIT @n FOR UPDATE SKIP LOCKED"))
        {
            command.Parameters.Add(new NpgsqlParameter<int>("n", size));
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", now));
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                ids.Add(reader.GetGuid(0));
            }
        }
        if (ids.Count == 0)
        {
            return new EvaluateQueuedResult(0, 0, 0, 0);
        }
        var today = clock.Today;
        var reference = YearMonth.Of(today);
        var loaded = await HouseholdFactsLoader.LoadAsync(db, ids, MonthWindows.WidestSpan(reference), today, ct).ConfigureAwait(false);
        var previous = await LoadPreviousAsync(connection, ids, ct).ConfigureAwait(false);

        var changedRows = new List<(HouseholdEvaluation Evaluation, bool Announce)>();
        var unchanged = new List<HouseholdEvaluation>();
        var skipped = 0;
        foreach (var id in ids)
        {
            if (!loaded.TryGetValue(id, out var household) || household.Category is not { } category)
            {
                skipped++;
                continue;
            }
            var policy = policies.InForce(household.RegionCode, today);
            var evaluation = HouseholdEvaluator.Evaluate(household.Facts(category), policy, reference);
            var before = previous.GetValueOrDefault(id);
            if (before is not null && before.Fingerprint.AsSpan().SequenceEqual(evaluation.Fingerprint))
            {
                unchanged.Add(evaluation);
                continue;
            }
            // Something to tell: findings now, or findings before that have now cleared.
            changedRows.Add((evaluation, evaluation.HasFindings || before?.HasFindings == true));
        }

        var announced = changedRows.Where(c => c.Announce).ToList();
        var sequences = await NextSequencesAsync(connection, announced.Count, ct).ConfigureAwait(false);
        var payloads = new Dictionary<Guid, string>(changedRows.Count);
        var changes = new List<SignalChange>(announced.Count);
        for (var i = 0; i < announced.Count; i++)
        {
            var e = announced[i].Evaluation;
            var domainEvent = new RiskSignalsDetected(e.Category, e.PolicyProvince, e.PolicyVersion, e.Summary, e.Signals, e.GuaranteeGaps, e.Exclusions,
                e.LabourAbilities, previous.GetValueOrDefault(e.HouseholdId)?.SignalCodes ?? [], sequences[i])
            {
                OccurredAt = now,
                RegionCode = e.RegionCode,
                HouseholdId = e.HouseholdId,
            };
            db.Raise(domainEvent);
            var json = JsonSerializer.Serialize(domainEvent, MonitoringJson.Options);
            payloads[e.HouseholdId] = json;
            changes.Add(new SignalChange
            {
                Sequence = sequences[i],
                EventId = domainEvent.EventId,
                HouseholdId = e.HouseholdId,
                RegionCode = e.RegionCode,
                OccurredAt = now,
                Payload = json,
            });
        }
        await InsertChangesAsync(connection, changes, ct).ConfigureAwait(false);
        await UpsertAsync(connection, changedRows.Select(c => c.Evaluation).ToList(), payloads, reference, now, ct).ConfigureAwait(false);
        await TouchAsync(connection, unchanged, reference, now, ct).ConfigureAwait(false);
        await Sql.ExecuteAsync(db, connection, "DELETE FROM evaluation_queue WHERE household_id = ANY(@ids)", ct,
            new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = ids.ToArray() }).ConfigureAwait(false);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        db.ChangeTracker.Clear();
        return new EvaluateQueuedResult(ids.Count - skipped, changedRows.Count, announced.Count, skipped);
    }

    private async Task<Dictionary<Guid, Previous>> LoadPreviousAsync(NpgsqlConnection connection, List<Guid> ids, CancellationToken ct)
    {
        var result = new Dictionary<Guid, Previous>(ids.Count);
        await using var command = Sql.Command(db, connection,
            "SELECT household_id, fingerprint, signal_codes, has_findings FROM household_evaluations WHERE household_id = ANY(@ids)");
        command.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = ids.ToArray() });
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            result[reader.GetGuid(0)] = new Previous(reader.GetFieldValue<byte[]>(1), reader.GetFieldValue<string[]>(2), reader.GetBoolean(3));
        }
        return result;
    }

    private async Task<long[]> NextSequencesAsync(NpgsqlConnection connection, int count, CancellationToken ct)
    {
        if (count == 0)
        {
            return [];
        }
        var sequences = new List<long>(count);
        await using var command = Sql.Command(db, connection,
            "SELECT nextval(pg_get_serial_sequence('signal_changes', 'sequence')) FROM generate_series(1, @n) ORDER BY 1");
        command.Parameters.Add(new NpgsqlParameter<int>("n", count));
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            sequences.Add(reader.GetInt64(0));
        }
        return [.. sequences];
    }

    /// <summary>Stores changed evaluations in one statement (arrays unnested), whatever the batch size.</summary>
    private async Task UpsertAsync(NpgsqlConnection connection, List<HouseholdEvaluation> evaluations, Dictionary<Guid, string> payloads,
        YearMonth reference, DateTimeOffset now, CancellationToken ct)
    {
        if (evaluations.Count == 0)
        {
            return;
        }
        await Sql.ExecuteAsync(db, connection, """
            INSERT INTO household_evaluations (household_id, evaluated_at, reference_month, policy_province, policy_version, fingerprint,
                                               signal_count, signal_codes, has_findings, payload)
            SELECT u.id, @now, @reference, u.province, u.version, u.fingerprint, u.signal_count,
                   CASE WHEN u.codes = '' THEN '{}'::text[] ELSE string_to_array(u.codes, ',') END, u.has_findings, u.payload::jsonb
            FROM unnest(@ids, @provinces, @versions, @fingerprints, @counts, @codes, @findings, @payloads)
                 AS u(id, province, version, fingerprint, signal_count, codes, has_findings, payload)
            ON CONFLICT (household_id) DO UPDATE SET
                evaluated_at = excluded.evaluated_at, reference_month = excluded.reference_month,
                policy_province = excluded.policy_province, policy_version = excluded.policy_version,
                fingerprint = excluded.fingerprint, signal_count = excluded.signal_count, signal_codes = excluded.signal_codes,
                has_findings = excluded.has_findings, payload = excluded.payload
            """, ct,
            new NpgsqlParameter<DateTimeOffset>("now", now),
            new NpgsqlParameter<DateOnly>("reference", reference.FirstDay),
            new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = evaluations.Select(e => e.HouseholdId).ToArray() },
            new NpgsqlParameter("provinces", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = evaluations.Select(e => e.PolicyProvince).ToArray() },
            new NpgsqlParameter("versions", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = evaluations.Select(e => e.PolicyVersion).ToArray() },
            new NpgsqlParameter("fingerprints", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { Value = evaluations.Select(e => e.Fingerprint).ToArray() },
            new NpgsqlParameter("counts", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = evaluations.Select(e => e.Signals.Count).ToArray() },
            new NpgsqlParameter("codes", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = evaluations.Select(e => string.Join(',', e.Signals.Select(s => s.Code))).ToArray() },
            new NpgsqlParameter("findings", NpgsqlDbType.Array | NpgsqlDbType.Boolean) { Value = evaluations.Select(e => e.HasFindings).ToArray() },
            new NpgsqlParameter("payloads", NpgsqlDbType.Array | NpgsqlDbType.Text)
            {
                Value = evaluations.Select(e => payloads.GetValueOrDefault(e.HouseholdId) ?? JsonSerializer.Serialize(e, MonitoringJson.Options)).ToArray(),
            }).ConfigureAwait(false);
    }

    /// <summary>Appends to the signal change log in one statement (the log is append-only; EF would track every row).</summary>
    private async Task InsertChangesAsync(NpgsqlConnection connection, List<SignalChange> changes, CancellationToken ct)
    {
        if (changes.Count == 0)
        {
            return;
        }
        await Sql.ExecuteAsync(db, connection, """
            INSERT INTO signal_changes (sequence, event_id, household_id, region_code, occurred_at, payload)
            SELECT u.sequence, u.event_id, u.household_id, u.region_code, u.occurred_at, u.payload::jsonb
            FROM unnest(@sequences, @events, @households, @regions, @times, @payloads)
                 AS u(sequence, event_id, household_id, region_code, occurred_at, payload)
            """, ct,
            new NpgsqlParameter("sequences", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = changes.Select(c => c.Sequence).ToArray() },
            new NpgsqlParameter("events", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = changes.Select(c => c.EventId).ToArray() },
            new NpgsqlParameter("households", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = changes.Select(c => c.HouseholdId).ToArray() },
            new NpgsqlParameter("regions", NpgsqlDbType.Array | NpgsqlDbType.Varchar) { Value = changes.Select(c => c.RegionCode).ToArray() },
            new NpgsqlParameter("times", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = changes.Select(c => c.OccurredAt).ToArray() },
            new NpgsqlParameter("payloads", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = changes.Select(c => c.Payload).ToArray() })
            .ConfigureAwait(false);
    }

    /// <summary>Unchanged findings: only when and under which month and policy they were confirmed.</summary>
    private async Task TouchAsync(NpgsqlConnection connection, List<HouseholdEvaluation> evaluations, YearMonth reference, DateTimeOffset now, CancellationToken ct)
    {
        if (evaluations.Count == 0)
        {
            return;
        }
        await Sql.ExecuteAsync(db, connection, """
            UPDATE household_evaluations e SET evaluated_at = @now, reference_month = @reference, policy_province = u.province, policy_version = u.version
            FROM unnest(@ids, @provinces, @versions) AS u(id, province, version)
            WHERE e.household_id = u.id
            """, ct,
            new NpgsqlParameter<DateTimeOffset>("now", now),
            new NpgsqlParameter<DateOnly>("reference", reference.FirstDay),
            new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = evaluations.Select(e => e.HouseholdId).ToArray() },
            new NpgsqlParameter("provinces", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = evaluations.Select(e => e.PolicyProvince).ToArray() },
            new NpgsqlParameter("versions", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = evaluations.Select(e => e.PolicyVersion).ToArray() })
            .ConfigureAwait(false);
    }
}
