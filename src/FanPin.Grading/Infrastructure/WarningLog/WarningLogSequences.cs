using FanPin.Grading.Domain.Events;
using Npgsql;

namespace FanPin.Grading.Infrastructure.WarningLog;

/// <summary>
/// Gap-free sequence numbers per province for the warning log. A transaction that logs events increments the
/// province's counter row (<c>warning_log_counters</c>) and keeps it locked until it commits or rolls back, so:
/// numbers are never skipped (a rollback undoes its increment), never reused, and transactions of a province
/// commit in sequence order — a reader that sees the counter at N can read every entry up to N.
/// </summary>
internal static class WarningLogSequences
{
    /// <summary>The NOTIFY channel; the payload is the province.</summary>
    public const string Channel = "grading_warning_log";

    /// <summary>
    /// Assigns sequences to <paramref name="events"/> (in their order, per province) inside the open transaction.
    /// Provinces are locked in code order so that two transactions logging for the same provinces never deadlock.
    /// </summary>
    public static async Task AssignAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<WarningLogEvent> events, CancellationToken ct)
    {
        foreach (var group in events.GroupBy(e => e.Province).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var items = group.ToList();
            var first = await AllocateAsync(connection, transaction, group.Key, items.Count, ct).ConfigureAwait(false);
            for (var i = 0; i < items.Count; i++)
            {
                items[i].Sequence = first + i;
            }
        }
    }

    /// <summary>Reserves <paramref name="count"/> numbers for <paramref name="province"/>; returns the first.</summary>
    public static async Task<long> AllocateAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string province, int count, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            INSERT INTO warning_log_counters (province, last_sequence) VALUES (@province, 0) ON CONFLICT (province) DO NOTHING;
            UPDATE warning_log_counters SET last_sequence = last_sequence + @count WHERE province = @province RETURNING last_sequence;
            """, connection, transaction);
        command.Parameters.AddWithValue("province", province);
        command.Parameters.AddWithValue("count", (long)count);
        var last = (long)(await command.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
        return last - count + 1;
    }

    /// <summary>Wakes watchers of these provinces when the transaction commits (NOTIFY is delivered on commit).</summary>
    public static async Task NotifyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IEnumerable<string> provinces, CancellationToken ct)
    {
        foreach (var province in provinces.Distinct(StringComparer.Ordinal))
        {
            await using var command = new NpgsqlCommand("SELECT pg_notify(@channel, @province)", connection, transaction);
            command.Parameters.AddWithValue("channel", Channel);
            command.Parameters.AddWithValue("province", province);
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
    }
}
