using System.Globalization;
using Npgsql;

namespace FanPin.Registry.Tests;

/// <summary>Direct database access for fixtures and assertions: seeding regions, counting rows, snapshots.</summary>
public static class TestDatabase
{
    /// <summary>Tables the use cases write (the region tree is reference data, written only by ImportRegions).</summary>
    public static readonly string[] WrittenTables =
        ["households", "members", "member_changes", "identification_cases", "closing_cases", "case_transitions", "import_batches", "outbox_message", "inbox_message"];

    /// <summary>
    /// SQL counting the outbox rows (bus destination) of integration event <paramref name="type"/> about household
    /// <c>@h</c>, optionally with a condition on the payload (<c>p</c>, jsonb).
    /// </summary>
    public static string EventCount(string type, string? payloadCondition = null) =>
        $"SELECT count(*) FROM outbox_message o CROSS JOIN LATERAL (SELECT o.payload::jsonb AS p) x WHERE o.destination = 0 " +
        $"AND o.event_type = 'FanPin.IntegrationEvents.{type}' AND (x.p->>'householdId')::uuid = @h" + (payloadCondition is null ? "" : $" AND ({payloadCondition})");

    /// <summary>A scalar from the database.</summary>
    public static async Task<long> CountAsync(string connectionString, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return Convert.ToInt64(await command.ExecuteScalarAsync().ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    /// <summary>Row counts of every written table plus content hashes of the aggregates: equal snapshots, nothing written.</summary>
    public static async Task<string> SnapshotAsync(string connectionString)
    {
        var counts = new List<long>();
        foreach (var table in WrittenTables)
        {
            counts.Add(await CountAsync(connectionString, $"SELECT count(*) FROM {table}").ConfigureAwait(false));
        }
        counts.Add(await CountAsync(connectionString, "SELECT coalesce(sum(hashtext(h::text)), 0) FROM households h").ConfigureAwait(false));
        counts.Add(await CountAsync(connectionString, "SELECT coalesce(sum(hashtext(m::text)), 0) FROM members m").ConfigureAwait(false));
        counts.Add(await CountAsync(connectionString, "SELECT coalesce(sum(hashtext(c::text)), 0) FROM identification_cases c").ConfigureAwait(false));
        counts.Add(await CountAsync(connectionString, "SELECT coalesce(sum(hashtext(c::text)), 0) FROM closing_cases c").ConfigureAwait(false));
        return string.Join(",", counts);
    }

    /// <summary>
    /// Gansu's region tree down to townships, three synthetic villages per township of 城关区 (620102) and 永登县
    /// (620121), and one village of province 51 (whose sample policy skips the public notice).
    /// </summary>
    public static async Task SeedRegionsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        var rows = File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Data", "regions-62-gansu-to-township.csv")).Skip(1)
            .Select(line => line.Split(','))
            .Select(p => (Code: p[0], Name: p[1]))
            .ToList();
        var villages = rows.Where(r => r.Code.StartsWith("620102", StringComparison.Ordinal) || r.Code.StartsWith("620121", StringComparison.Ordinal))
            .Where(r => RegionCode.Parse(r.Code).Level == RegionLevel.Township)
            .SelectMany(t => Enumerable.Range(1, 3).Select(i => (Code: t.Code[..9] + i.ToString("D3", CultureInfo.InvariantCulture), Name: $"{t.Name}{i}村")))
            .ToList();
        villages.AddRange([("510000000000", "四川省"), ("510100000000", "成都市"), ("510104000000", "锦江区"), ("510104001000", "春熙路街道"), (RegistryFixture.Province51Village, "春熙路1社区")]);
        var all = rows.Concat(villages).Select(r => RegionCode.Parse(r.Code)).Zip(rows.Concat(villages).Select(r => r.Name)).ToList();
        await using var command = new NpgsqlCommand("""
            INSERT INTO regions (code, name, level, parent_code) SELECT * FROM unnest(@codes, @names, @levels, @parents)
            """, connection);
        command.Parameters.AddWithValue("codes", all.Select(a => a.First.Value).ToArray());
        command.Parameters.AddWithValue("names", all.Select(a => a.Second).ToArray());
        command.Parameters.AddWithValue("levels", all.Select(a => (short)a.First.Level).ToArray());
        command.Parameters.AddWithValue("parents", all.Select(a => a.First.Parent?.Value).ToArray());
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }
}
