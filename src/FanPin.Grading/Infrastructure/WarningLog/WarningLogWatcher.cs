using System.Runtime.CompilerServices;
using FanPin.Grading.Domain;
using Npgsql;

namespace FanPin.Grading.Infrastructure.WarningLog;

/// <summary>Tuning of <see cref="WarningLogWatcher"/> (section <c>Grading:Watch</c>).</summary>
public sealed class WarningWatchOptions
{
    /// <summary>Entries per read.</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>How long a watcher waits for a notification before it reads anyway.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);
}

/// <summary>
/// Replays a province's warning log from a sequence, then follows it live — the transport-independent core of
/// WatchWarnings (the gRPC method only forwards what this yields).
/// </summary>
/// <remarks>
/// One cursor, always advanced by what the database says, never by a notification: each read takes the
/// province's committed high-water mark H (<c>warning_log_counters</c>) and the matching entries in
/// [next, H]; every entry up to H is committed once H is (see <see cref="WarningLogSequences"/>), so nothing
/// between the cursor and H can appear later. Replay and live are the same loop, so there is no gap and no
/// duplicate across the switch, and a client that resumes from its last sequence + 1 continues exactly.
/// </remarks>
public sealed class WarningLogWatcher(NpgsqlDataSource dataSource, WarningLogNotifications notifications, WarningWatchOptions options)
{
    /// <summary>
    /// The entries of <paramref name="prefix"/> with sequence ≥ <paramref name="fromSequence"/>, in sequence
    /// order, forever (until <paramref name="ct"/> is cancelled).
    /// </summary>
    public async IAsyncEnumerable<WarningLogEntry> WatchAsync(RegionPrefix prefix, long fromSequence, [EnumeratorCancellation] CancellationToken ct)
    {
        var province = prefix.Value[..2];
        var next = Math.Max(fromSequence, 1);
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var woken = notifications.NextAsync(province);
            var (entries, highWater) = await ReadAsync(province, prefix, next, options.BatchSize, ct).ConfigureAwait(false);
            foreach (var entry in entries)
            {
                yield return entry;
            }
            if (entries.Count == options.BatchSize)
            {
                next = entries[^1].Sequence + 1;
                continue;
            }
            next = Math.Max(next, highWater + 1);
            try
            {
                await woken.WaitAsync(options.PollInterval, ct).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Poll: a notification may have been missed.
            }
        }
    }

    /// <summary>
    /// Up to <paramref name="limit"/> entries of <paramref name="prefix"/> in [<paramref name="from"/>, H] and H, the
    /// province's committed high-water mark (0 when nothing was ever logged).
    /// </summary>
    public async Task<(IReadOnlyList<WarningLogEntry> Entries, long HighWater)> ReadAsync(string province, RegionPrefix prefix, long from, int limit, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        long highWater;
        await using (var command = new NpgsqlCommand("SELECT last_sequence FROM warning_log_counters WHERE province = @province", connection))
        {
            command.Parameters.AddWithValue("province", province);
            highWater = await command.ExecuteScalarAsync(ct).ConfigureAwait(false) is long value ? value : 0;
        }
        var entries = new List<WarningLogEntry>();
        if (highWater < from)
        {
            return (entries, highWater);
        }
        await using (var command = new NpgsqlCommand($"""
            SELECT {Columns} FROM warning_log
            WHERE province = @province AND sequence >= @from AND sequence <= @high AND region_code LIKE @prefix
            ORDER BY sequence LIMIT @limit
            """, connection))
        {
            command.Parameters.AddWithValue("province", province);
            command.Parameters.AddWithValue("from", from);
            command.Parameters.AddWithValue("high", highWater);
            command.Parameters.AddWithValue("prefix", prefix.Value + "%");
            command.Parameters.AddWithValue("limit", limit);
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                entries.Add(Read(reader));
            }
        }
        return (entries, highWater);
    }

    internal const string Columns =
        "province, sequence, event_id, event_type, warning_id, household_id, region_code, grade, previous_grade, status, escalation_level, rule_id, due_on, occurred_at";

    internal static WarningLogEntry Read(NpgsqlDataReader reader) => new()
    {
        Province = reader.GetString(0),
        Sequence = reader.GetInt64(1),
        EventId = reader.GetGuid(2),
        EventType = (WarningLogEventType)reader.GetInt16(3),
        WarningId = reader.GetGuid(4),
        HouseholdId = reader.GetGuid(5),
        RegionCode = reader.GetString(6),
        Grade = (WarningGrade)reader.GetInt16(7),
        PreviousGrade = reader.IsDBNull(8) ? null : (WarningGrade)reader.GetInt16(8),
        Status = (WarningStatus)reader.GetInt16(9),
        EscalationLevel = reader.GetInt32(10),
        RuleId = reader.GetString(11),
        DueOn = reader.IsDBNull(12) ? null : reader.GetFieldValue<DateOnly>(12),
        OccurredAt = reader.GetFieldValue<DateTimeOffset>(13),
    };
}
