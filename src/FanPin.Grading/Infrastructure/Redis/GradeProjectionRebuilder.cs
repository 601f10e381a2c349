using FanPin.Grading.Application.Common;
using FanPin.Grading.Domain;
using Npgsql;

namespace FanPin.Grading.Infrastructure.Redis;

/// <summary>
/// Rebuilds a province's Redis projection from PostgreSQL: reset, then every household ever graded (households
/// without a grade too, so their version guards against late updates), then a catch-up pass over households graded
/// while the rebuild ran, then the built mark. Updates are version-guarded, so live grading may go on meanwhile.
/// </summary>
public sealed class GradeProjectionRebuilder(NpgsqlDataSource dataSource, IGradeProjectionStore store, GradingClock clock)
{
    private const int Batch = 5_000;

    /// <summary>Rebuilds <paramref name="province"/>; returns the households written.</summary>
    public async Task<int> RebuildAsync(string province, CancellationToken ct)
    {
        var started = clock.Now;
        await store.ResetProvinceAsync(province, ct).ConfigureAwait(false);
        var written = await ProjectAsync(province, null, ct).ConfigureAwait(false);
        // Households graded after the reset but before the scan reached them were applied twice (harmless); those
        // graded between the scan and now may have gone to keys the reset had already cleared: apply them again.
        await ProjectAsync(province, started.AddMinutes(-1), ct).ConfigureAwait(false);
        await store.MarkBuiltAsync(province, ct).ConfigureAwait(false);
        return written;
    }

    private async Task<int> ProjectAsync(string province, DateTimeOffset? gradedSince, CancellationToken ct)
    {
        var written = 0;
        var after = Guid.Empty;
        while (true)
        {
            var batch = new List<GradeProjectionChange>(Batch);
            await using (var connection = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false))
            await using (var command = new NpgsqlCommand("""
                SELECT household_id, region_code, grade, grade_version FROM household_facts
                WHERE province = @province AND grade_version > 0 AND household_id > @after
                  AND (@since::timestamptz IS NULL OR graded_at >= @since)
                ORDER BY household_id LIMIT @limit
                """, connection))
            {
                command.Parameters.AddWithValue("province", province);
                command.Parameters.AddWithValue("after", after);
                command.Parameters.Add(new NpgsqlParameter("since", NpgsqlTypes.NpgsqlDbType.TimestampTz) { Value = (object?)gradedSince ?? DBNull.Value });
                command.Parameters.AddWithValue("limit", Batch);
                await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    batch.Add(new GradeProjectionChange(reader.GetGuid(0), reader.GetString(1),
                        reader.IsDBNull(2) ? null : (WarningGrade)reader.GetInt16(2), reader.GetInt64(3)));
                }
            }
            if (batch.Count == 0)
            {
                return written;
            }
            await store.ApplyAsync(batch, ct).ConfigureAwait(false);
            written += batch.Count;
            after = batch[^1].HouseholdId;
        }
    }
}
