using Npgsql;

namespace FanPin.Testing.Suite;

/// <summary>
/// Read-only access to the services' own databases of a running suite (the AppHost's PostgreSQL connection string
/// with Database=&lt;service&gt;db, as FanPinAspire.AppHost/Hosting/AppModel.cs names them), for the province driver's
/// stage times, counts and reconciliation. Tests of behaviour use the public APIs; this is bookkeeping.
/// </summary>
public sealed class SuiteDatabases(SuiteProcess suite)
{
    /// <summary>Every service database.</summary>
    public static IReadOnlyList<string> All { get; } = ["registrydb", "monitoringdb", "gradingdb", "assistancedb", "notificationdb"];

    /// <summary>The connection string of <paramref name="database"/>.</summary>
    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder(suite.ConnectionStrings["postgres"]) { Database = database, Pooling = false, Timeout = 10, CommandTimeout = 300 }.ConnectionString;

    /// <summary>A number (count, sum) from <paramref name="database"/>; 0 for NULL.</summary>
    public async Task<long> ScalarAsync(string database, string sql, CancellationToken ct = default)
    {
        var value = await ValueAsync(database, sql, ct);
        return value is null or DBNull ? 0 : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A timestamp from <paramref name="database"/>, or null.</summary>
    public async Task<DateTimeOffset?> TimeAsync(string database, string sql, CancellationToken ct = default) =>
        await ValueAsync(database, sql, ct) switch
        {
            DateTime t => new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)),
            DateTimeOffset t => t,
            _ => null,
        };

    /// <summary>Every row of <paramref name="sql"/>, each as its column values.</summary>
    public async Task<List<object?[]>> RowsAsync(string database, string sql, CancellationToken ct = default)
    {
        await using var connection = new NpgsqlConnection(ConnectionString(database));
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<object?[]>();
        while (await reader.ReadAsync(ct))
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }
            rows.Add(row);
        }
        return rows;
    }

    private async Task<object?> ValueAsync(string database, string sql, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(ConnectionString(database));
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync(ct);
    }
}
