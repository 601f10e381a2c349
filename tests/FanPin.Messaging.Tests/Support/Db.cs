using FanPin.Messaging.TestHost;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace FanPin.Messaging.Tests.Support;

/// <summary>Direct SQL against a test database, for assertions that must not go through the code under test.</summary>
internal static class Db
{
    public static async Task<long> CountAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public static ScenarioDbContext Context(string connectionString) =>
        new(new DbContextOptionsBuilder<ScenarioDbContext>().UseNpgsql(connectionString).Options);

    /// <summary>Commits events through the outbox in transactions of <paramref name="perTransaction"/>.</summary>
    public static async Task CommitAsync(string connectionString, IReadOnlyList<IntegrationEvents.IntegrationEvent> events, int perTransaction = 100)
    {
        for (var start = 0; start < events.Count; start += perTransaction)
        {
            await using var db = Context(connectionString);
            await using var transaction = await db.Database.BeginTransactionAsync();
            foreach (var e in events.Skip(start).Take(perTransaction))
            {
                db.AddIntegrationEvent(e);
            }
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
        }
    }

    public static Task<long> PendingAsync(string connectionString) =>
        CountAsync(connectionString, "SELECT count(*) FROM outbox_message WHERE published_at IS NULL");
}

internal static class DbDiagnostics
{
    /// <summary>A one-line picture of the outbox and side effects, for timeout messages.</summary>
    public static async Task<string> DescribeAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT (SELECT count(*) FROM outbox_message WHERE published_at IS NULL),
                   (SELECT count(*) FROM outbox_message WHERE published_at IS NOT NULL),
                   (SELECT count(*) FROM side_effect),
                   (SELECT count(*) FROM inbox_message),
                   (SELECT max(last_error) FROM outbox_message WHERE published_at IS NULL),
                   (SELECT max(attempts) FROM outbox_message)
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return $"pending {reader.GetInt64(0)}, published {reader.GetInt64(1)}, side effects {reader.GetInt64(2)}, inbox {reader.GetInt64(3)}, " +
            $"max attempts {reader.GetInt32(5)}, last error {(reader.IsDBNull(4) ? "-" : reader.GetString(4))}";
    }
}
