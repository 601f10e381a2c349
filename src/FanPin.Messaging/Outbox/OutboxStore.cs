using FanPin.Messaging.Persistence;
using Npgsql;
using NpgsqlTypes;

namespace FanPin.Messaging.Outbox;

/// <summary>The relay's SQL against one outbox table. Plain Npgsql: the claim needs row locks EF cannot express.</summary>
public sealed class OutboxStore(string outboxTable, string inboxTable)
{
    /// <summary>
    /// Claims up to <paramref name="batchSize"/> due rows, locked until the transaction ends (other relays skip
    /// them), and returns those that may be published now: a row is returned only if every earlier unpublished
    /// row of its partition (same destination and household) is also in this claim. So a household's events go
    /// out in order even with several relays, and a row in backoff holds back the rows behind it.
    /// </summary>
    public async Task<IReadOnlyList<OutboxRecord>> ClaimAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, int batchSize, CancellationToken cancellationToken)
    {
        var sql = $"""
            WITH candidate AS MATERIALIZED (
                SELECT id, destination, partition_key
                FROM {outboxTable}
                WHERE published_at IS NULL AND next_attempt_at <= now()
                ORDER BY id
                LIMIT @batch
                FOR UPDATE SKIP LOCKED
            ),
            partition_head AS (
                SELECT p.destination, p.partition_key,
                       (SELECT min(e.id) FROM {outboxTable} e
                         WHERE e.published_at IS NULL
                           AND e.destination = p.destination AND e.partition_key = p.partition_key
                           AND e.id < p.last_id
                           AND e.id NOT IN (SELECT id FROM candidate)) AS blocked_from
                FROM (SELECT destination, partition_key, max(id) AS last_id FROM candidate GROUP BY destination, partition_key) p
            )
            SELECT o.id, o.event_id, o.event_type, o.destination, o.partition_key, o.routing_key, o.payload, o.correlation_id, o.created_at, o.attempts
            FROM candidate c
            JOIN partition_head h ON h.destination = c.destination AND h.partition_key = c.partition_key
            JOIN {outboxTable} o ON o.id = c.id
            WHERE h.blocked_from IS NULL OR c.id < h.blocked_from
            ORDER BY o.id
            """;
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<int>("batch", batchSize));
        var records = new List<OutboxRecord>(batchSize);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            records.Add(new OutboxRecord(
                reader.GetInt64(0),
                reader.GetGuid(1),
                reader.GetString(2),
                (OutboxDestination)reader.GetInt16(3),
                reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.GetString(6),
                reader.GetGuid(7),
                reader.GetFieldValue<DateTimeOffset>(8),
                reader.GetInt32(9)));
        }
        return records;
    }

    /// <summary>Marks published rows and records failures with their next attempt time, in the claim's transaction.</summary>
    public async Task CompleteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyCollection<long> published,
        IReadOnlyCollection<OutboxFailure> failed, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection, transaction);
        if (published.Count > 0)
        {
            var mark = new NpgsqlBatchCommand($"UPDATE {outboxTable} SET published_at = now(), last_error = NULL WHERE id = ANY(@ids)");
            mark.Parameters.Add(new NpgsqlParameter<long[]>("ids", [.. published]));
            batch.BatchCommands.Add(mark);
        }
        if (failed.Count > 0)
        {
            var fail = new NpgsqlBatchCommand($"""
                UPDATE {outboxTable} o
                SET attempts = o.attempts + 1, next_attempt_at = f.next_attempt_at, last_error = f.error
                FROM unnest(@ids, @next, @errors) AS f(id, next_attempt_at, error)
                WHERE o.id = f.id
                """);
            fail.Parameters.Add(new NpgsqlParameter<long[]>("ids", [.. failed.Select(f => f.Id)]));
            fail.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]>("next", [.. failed.Select(f => f.NextAttemptAt)]) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
            fail.Parameters.Add(new NpgsqlParameter<string[]>("errors", [.. failed.Select(f => f.Error)]));
            batch.BatchCommands.Add(fail);
        }
        if (batch.BatchCommands.Count > 0)
        {
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Unpublished rows and the oldest one's insert time.</summary>
    public async Task<(long Pending, DateTimeOffset? Oldest)> BacklogAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"SELECT count(*), min(created_at) FROM {outboxTable} WHERE published_at IS NULL", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return (reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetFieldValue<DateTimeOffset>(1));
    }

    /// <summary>Deletes published outbox rows and inbox rows older than their cut-offs, in chunks (short locks).</summary>
    public async Task<long> PruneAsync(NpgsqlConnection connection, DateTimeOffset publishedBefore, DateTimeOffset processedBefore, CancellationToken cancellationToken)
    {
        long total = 0;
        foreach (var sql in new[]
        {
            $"DELETE FROM {outboxTable} WHERE id IN (SELECT id FROM {outboxTable} WHERE created_at < @cutoff AND published_at < @cutoff LIMIT 5000)",
            $"DELETE FROM {inboxTable} WHERE ctid IN (SELECT ctid FROM {inboxTable} WHERE processed_at < @cutoff LIMIT 5000)",
        })
        {
            var cutoff = sql.StartsWith($"DELETE FROM {outboxTable}", StringComparison.Ordinal) ? publishedBefore : processedBefore;
            while (true)
            {
                await using var command = new NpgsqlCommand(sql, connection);
                command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("cutoff", cutoff));
                var deleted = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                total += deleted;
                if (deleted < 5000)
                {
                    break;
                }
            }
        }
        return total;
    }
}

/// <summary>A failed publish: when to try again and why it failed.</summary>
public sealed record OutboxFailure(long Id, DateTimeOffset NextAttemptAt, string Error);
