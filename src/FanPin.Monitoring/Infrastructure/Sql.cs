using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace FanPin.Monitoring.Infrastructure;

/// <summary>
/// Raw Npgsql on the context's own connection (and transaction, when one is open), for the set-based paths:
/// bulk COPY, the feed merge and the batch loads of the evaluation. EF stays the unit of work around them.
/// </summary>
internal static class Sql
{
    /// <summary>The context's connection, opened (EF closes it when the context is disposed).</summary>
    public static async Task<NpgsqlConnection> ConnectionAsync(MonitoringDbContext db, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct).ConfigureAwait(false);
        return (NpgsqlConnection)db.Database.GetDbConnection();
    }

    /// <summary>A command on the context's connection, in its current transaction.</summary>
    public static NpgsqlCommand Command(MonitoringDbContext db, NpgsqlConnection connection, string sql)
    {
        var command = new NpgsqlCommand(sql, connection)
        {
            Transaction = db.Database.CurrentTransaction?.GetDbTransaction() as NpgsqlTransaction,
            CommandTimeout = 0,
        };
        return command;
    }

    /// <summary>Runs a statement; returns rows affected.</summary>
    public static async Task<int> ExecuteAsync(MonitoringDbContext db, NpgsqlConnection connection, string sql, CancellationToken ct,
        params NpgsqlParameter[] parameters)
    {
        await using var command = Command(db, connection, sql);
        command.Parameters.AddRange(parameters);
        return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }
}
