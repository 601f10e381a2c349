using System.Globalization;
using System.Text.Json;

namespace FanPin.Testing.Suite;

/// <summary>The figures of a province ingest, from the services' databases and the subscriber.</summary>
public sealed record ProvinceCounts(
    long FeedRowsReceived,
    long RowsApplied,
    long RowsUnchanged,
    long RowsRefused,
    long HouseholdsEvaluated,
    long RiskSignalsDetected,
    long WarningsRaised,
    long WarningsGradeChanged,
    long WarningsEscalated,
    long WarningsCleared,
    long OpenWarnings,
    long EventsReceived,
    long Deliveries)
{
    /// <summary>Reads the counts.</summary>
    public static async Task<ProvinceCounts> ReadAsync(SuiteDatabases db, IReadOnlyList<Delivery> deliveries, CancellationToken ct)
    {
        var feeds = (await db.RowsAsync("monitoringdb",
            "SELECT coalesce(sum(row_count),0), coalesce(sum(applied_rows),0), coalesce(sum(unchanged_rows),0), coalesce(sum(invalid_rows + unmatched_rows + duplicate_rows + outside_scope_rows),0) FROM feeds", ct))[0];
        long L(object? v) => Convert.ToInt64(v, CultureInfo.InvariantCulture);
        var byType = (await db.RowsAsync("gradingdb", "SELECT event_type, count(*) FROM warning_log GROUP BY event_type", ct))
            .ToDictionary(r => Convert.ToInt32(r[0], CultureInfo.InvariantCulture), r => L(r[1]));
        return new ProvinceCounts(L(feeds[0]), L(feeds[1]), L(feeds[2]), L(feeds[3]),
            await db.ScalarAsync("monitoringdb", "SELECT count(*) FROM household_evaluations", ct),
            await db.ScalarAsync("monitoringdb", "SELECT count(DISTINCT event_id) FROM outbox_message WHERE event_type LIKE '%RiskSignalsDetected%'", ct),
            byType.GetValueOrDefault(1), byType.GetValueOrDefault(2), byType.GetValueOrDefault(3), byType.GetValueOrDefault(4),
            await db.ScalarAsync("gradingdb", "SELECT count(*) FROM warnings WHERE status <> 5", ct),
            deliveries.Select(d => d.Id).Distinct().LongCount(), deliveries.Count);
    }
}

/// <summary>
/// "Agree exactly" after a province ingest: the warning log is gap-free; the subscriber's received set, deduplicated
/// by CloudEvent id, is the log's events one to one; grading's warnings are the fold of its log; grading's signals of
/// each household are monitoring's; grading consumed every RiskSignalsDetected, assistance and notification every
/// warning event, and assistance's stored warnings are grading's; monitoring holds every feed row once.
/// </summary>
public sealed record Reconciliation(IReadOnlyList<string> Problems, int RawDuplicates, int LogEntries, int HouseholdsCompared)
{
    /// <summary>True when everything agrees.</summary>
    public bool Agrees => Problems.Count == 0;

    /// <summary>The problems, one per line (at most <paramref name="max"/>).</summary>
    public string Describe(int max = 40) => Agrees ? "everything agrees" : string.Join('\n', Problems.Take(max)) + (Problems.Count > max ? $"\n… {Problems.Count - max} more" : "");

    /// <summary>Runs every check; <paramref name="expectedFeedRows"/>: the rows datagen wrote that were sent (readable).</summary>
    public static async Task<Reconciliation> CheckAsync(SuiteDatabases db, IReadOnlyList<Delivery> deliveries, long expectedFeedRows, CancellationToken ct)
    {
        var problems = new List<string>();
        void Problem(string text) => problems.Add(text);
        IEnumerable<string> Few<T>(IEnumerable<T> items) => items.Take(5).Select(i => i?.ToString() ?? "null");

        // 1. The warning log: per province 1..n without gaps.
        var log = (await db.RowsAsync("gradingdb", "SELECT province, sequence, event_id, event_type, warning_id, household_id, grade, status, escalation_level FROM warning_log ORDER BY province, sequence", ct))
            .Select(r => new LogEntry((string)r[0]!, (long)r[1]!, (Guid)r[2]!, Convert.ToInt32(r[3], CultureInfo.InvariantCulture), (Guid)r[4]!, (Guid)r[5]!,
                Convert.ToInt32(r[6], CultureInfo.InvariantCulture), Convert.ToInt32(r[7], CultureInfo.InvariantCulture), Convert.ToInt32(r[8], CultureInfo.InvariantCulture)))
            .ToList();
        foreach (var province in log.GroupBy(e => e.Province))
        {
            var sequences = province.Select(e => e.Sequence).ToList();
            if (sequences[0] != 1 || sequences[^1] != sequences.Count)
            {
                Problem($"warning log of province {province.Key}: {sequences.Count} entries but sequences {sequences[0]}..{sequences[^1]} (gaps)");
            }
        }

        // 2. The subscriber: deduplicated by CloudEvent id, exactly the log's events.
        var logById = log.ToDictionary(e => e.EventId.ToString("D"));
        var received = deliveries.GroupBy(d => d.Id).ToDictionary(g => g.Key, g => g.ToList());
        var rawDuplicates = deliveries.Count - received.Count;
        var missing = logById.Keys.Where(id => !received.ContainsKey(id)).ToList();
        var extra = received.Keys.Where(id => !logById.ContainsKey(id)).ToList();
        if (missing.Count > 0)
        {
            Problem($"subscriber: {missing.Count} warning log events never received, e.g. {string.Join(", ", Few(missing.Select(id => $"#{logById[id].Sequence} {id}")))}");
        }
        if (extra.Count > 0)
        {
            Problem($"subscriber: {extra.Count} received events that are not in the warning log, e.g. {string.Join(", ", Few(extra))}");
        }
        // One log entry, one id: two distinct ids carrying the same (province, sequence) would be the same change twice.
        foreach (var twice in received.Values.Select(g => g[0]).Select(d => (d, Sequence: SequenceOf(d)))
                     .Where(x => x.Sequence is not null).GroupBy(x => x.Sequence!.Value).Where(g => g.Count() > 1).Take(5))
        {
            Problem($"subscriber: log sequence {twice.Key} arrived under {twice.Count()} distinct ids: {string.Join(", ", twice.Select(x => x.d.Id))}");
        }
        foreach (var (id, copies) in received.Where(kv => logById.ContainsKey(kv.Key)).Take(100_000))
        {
            if (SequenceOf(copies[0]) is { } sequence && sequence != logById[id].Sequence)
            {
                Problem($"subscriber: event {id} carries sequence {sequence}, the log has it at {logById[id].Sequence}");
                break;
            }
        }

        // 3. Grading's warnings are the fold of its log (the last entry of each warning).
        var fold = log.GroupBy(e => e.WarningId).ToDictionary(g => g.Key, g => g.MaxBy(e => e.Sequence)!);
        var warnings = (await db.RowsAsync("gradingdb", "SELECT id, household_id, grade, status, escalation_level FROM warnings", ct))
            .ToDictionary(r => (Guid)r[0]!, r => (Household: (Guid)r[1]!, Grade: Convert.ToInt32(r[2], CultureInfo.InvariantCulture),
                Status: Convert.ToInt32(r[3], CultureInfo.InvariantCulture), Escalation: Convert.ToInt32(r[4], CultureInfo.InvariantCulture)));
        var unlogged = warnings.Keys.Where(w => !fold.ContainsKey(w)).ToList();
        var vanished = fold.Keys.Where(w => !warnings.ContainsKey(w)).ToList();
        if (unlogged.Count > 0)
        {
            Problem($"grading: {unlogged.Count} warnings have no warning log entry, e.g. {string.Join(", ", Few(unlogged))}");
        }
        if (vanished.Count > 0)
        {
            Problem($"grading: {vanished.Count} warnings of the log are missing from the warnings table, e.g. {string.Join(", ", Few(vanished))}");
        }
        var differing = warnings.Where(kv => fold.TryGetValue(kv.Key, out var last)
                && (last.Grade, last.Status, last.EscalationLevel, last.HouseholdId) != (kv.Value.Grade, kv.Value.Status, kv.Value.Escalation, kv.Value.Household))
            .Select(kv => $"{kv.Key}: table grade {kv.Value.Grade} status {kv.Value.Status} level {kv.Value.Escalation}, log #{fold[kv.Key].Sequence} grade {fold[kv.Key].Grade} status {fold[kv.Key].Status} level {fold[kv.Key].EscalationLevel}")
            .ToList();
        if (differing.Count > 0)
        {
            Problem($"grading: {differing.Count} warnings differ from the fold of the log, e.g. {string.Join("; ", Few(differing))}");
        }

        // 4. Nothing lost between monitoring and grading: every RiskSignalsDetected consumed once, and grading's view of
        // each household's signals is monitoring's current evaluation.
        var signalEvents = (await db.RowsAsync("monitoringdb", "SELECT DISTINCT event_id FROM outbox_message WHERE event_type LIKE '%RiskSignalsDetected%'", ct)).Select(r => (Guid)r[0]!).ToHashSet();
        var gradingInbox = (await db.RowsAsync("gradingdb", "SELECT event_id FROM inbox_message WHERE consumer = 'grading.RiskSignalsDetected'", ct)).Select(r => (Guid)r[0]!).ToHashSet();
        SameSet(problems, "grading consumed RiskSignalsDetected", "published by monitoring", signalEvents, gradingInbox);
        var monitored = await SignalsAsync(db, "monitoringdb", "SELECT household_id, signal_codes FROM household_evaluations", ct);
        var graded = await SignalsAsync(db, "gradingdb", "SELECT household_id, signal_codes FROM household_facts", ct);
        var signalDiff = monitored.Keys.Union(graded.Keys)
            .Where(h => monitored.GetValueOrDefault(h, "") != graded.GetValueOrDefault(h, ""))
            .Select(h => $"{h}: monitoring [{monitored.GetValueOrDefault(h, "")}], grading [{graded.GetValueOrDefault(h, "")}]").ToList();
        if (signalDiff.Count > 0)
        {
            Problem($"signals: {signalDiff.Count} households differ between monitoring and grading, e.g. {string.Join("; ", Few(signalDiff))}");
        }

        // 5. Assistance and notification consumed every warning event once, and assistance's stored warnings are grading's.
        string[] names = ["", "WarningRaised", "WarningGradeChanged", "WarningEscalated", "WarningCleared"];
        foreach (var (service, types) in new[] { ("assistance", new[] { 1, 2, 4 }), ("notification", new[] { 1, 2, 3, 4 }) })
        {
            foreach (var type in types)
            {
                var consumed = (await db.RowsAsync(service + "db", $"SELECT event_id FROM inbox_message WHERE consumer = '{service}.{names[type]}'", ct)).Select(r => (Guid)r[0]!).ToHashSet();
                SameSet(problems, $"{service} consumed {names[type]}", "in grading's warning log", log.Where(e => e.EventType == type).Select(e => e.EventId).ToHashSet(), consumed);
            }
        }
        var latest = log.Where(e => e.EventType is 1 or 2 or 4).GroupBy(e => e.HouseholdId).ToDictionary(g => g.Key, g => g.MaxBy(e => e.Sequence)!);
        var stored = (await db.RowsAsync("assistancedb", "SELECT household_id, warning_id, grade, cleared_at IS NOT NULL FROM household_warnings", ct))
            .ToDictionary(r => (Guid)r[0]!, r => (Warning: (Guid)r[1]!, Grade: (string)r[2]!, Cleared: (bool)r[3]!));
        string[] grades = ["", "One", "Two", "Three"];
        var assistanceDiff = latest.Where(kv => !stored.TryGetValue(kv.Key, out var s) || s.Warning != kv.Value.WarningId || s.Cleared != (kv.Value.EventType == 4)
                || (kv.Value.EventType != 4 && s.Grade != grades[Math.Clamp(kv.Value.Grade, 0, 3)]))
            .Select(kv => stored.TryGetValue(kv.Key, out var s)
                ? $"{kv.Key}: assistance {s.Warning} {s.Grade}{(s.Cleared ? " cleared" : "")}, grading #{kv.Value.Sequence} {kv.Value.WarningId} grade {kv.Value.Grade} type {kv.Value.EventType}"
                : $"{kv.Key}: assistance has no warning, grading #{kv.Value.Sequence} {kv.Value.WarningId}").ToList();
        assistanceDiff.AddRange(stored.Keys.Where(h => !latest.ContainsKey(h)).Select(h => $"{h}: assistance has a warning grading never logged"));
        if (assistanceDiff.Count > 0)
        {
            Problem($"assistance: {assistanceDiff.Count} households' stored warnings differ from grading's, e.g. {string.Join("; ", Few(assistanceDiff))}");
        }

        // 6. Monitoring holds every sent feed row exactly once (the primary key forbids twice; none may be missing).
        var rows = await db.ScalarAsync("monitoringdb", "SELECT count(*) FROM feed_rows", ct);
        if (rows != expectedFeedRows)
        {
            Problem($"monitoring: {rows:N0} feed rows stored, {expectedFeedRows:N0} sent");
        }
        var counted = await db.ScalarAsync("monitoringdb", "SELECT coalesce(sum(row_count),0) FROM feeds", ct);
        if (counted != expectedFeedRows)
        {
            Problem($"monitoring: the feeds count {counted:N0} rows, {expectedFeedRows:N0} sent");
        }
        var byOutcome = await db.ScalarAsync("monitoringdb",
            "SELECT count(*) FROM feeds f WHERE row_count <> applied_rows + unchanged_rows + duplicate_rows + invalid_rows + unmatched_rows + outside_scope_rows", ct);
        if (byOutcome > 0)
        {
            Problem($"monitoring: {byOutcome} feeds whose outcome counts do not add up to their rows");
        }
        return new Reconciliation(problems, rawDuplicates, log.Count, monitored.Keys.Union(graded.Keys).Count());
    }

    private static void SameSet(List<string> problems, string what, string against, HashSet<Guid> expected, HashSet<Guid> actual)
    {
        var missing = expected.Where(e => !actual.Contains(e)).ToList();
        var extra = actual.Where(a => !expected.Contains(a)).ToList();
        if (missing.Count > 0 || extra.Count > 0)
        {
            problems.Add($"{what}: {actual.Count} events, {expected.Count} {against}: {missing.Count} missing (e.g. {string.Join(", ", missing.Take(3))}), {extra.Count} extra (e.g. {string.Join(", ", extra.Take(3))})");
        }
    }

    private static async Task<Dictionary<Guid, string>> SignalsAsync(SuiteDatabases db, string database, string sql, CancellationToken ct) =>
        (await db.RowsAsync(database, sql, ct))
            .Select(r => (Household: (Guid)r[0]!, Codes: string.Join(",", ((string[]?)r[1] ?? []).Order(StringComparer.Ordinal))))
            .Where(x => x.Codes.Length > 0)
            .ToDictionary(x => x.Household, x => x.Codes);

    private static long? SequenceOf(Delivery delivery) =>
        delivery.Event.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object
        && data.TryGetProperty("sequence", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetInt64() : null;

    private sealed record LogEntry(string Province, long Sequence, Guid EventId, int EventType, Guid WarningId, Guid HouseholdId, int Grade, int Status, int EscalationLevel);
}
