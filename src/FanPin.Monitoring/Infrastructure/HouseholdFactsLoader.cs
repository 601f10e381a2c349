using FanPin.Monitoring.Domain;
using FanPin.Policies;
using Npgsql;
using NpgsqlTypes;

namespace FanPin.Monitoring.Infrastructure;

/// <summary>What is loaded about a household before evaluation; the category may still be unknown.</summary>
internal sealed record LoadedHousehold(
    Guid Id,
    string RegionCode,
    HouseholdCategory? Category,
    List<MemberSpan> Members,
    MonthlyLedger Ledger,
    GuaranteeIndicators Guarantees,
    List<ExclusionFactView> Exclusions)
{
    /// <summary>The facts to evaluate, with the category to use.</summary>
    public HouseholdFacts Facts(HouseholdCategory category) => new(Id, RegionCode, category, Members, Ledger, Guarantees, Exclusions);
}

/// <summary>
/// Loads the facts of a batch of households set-based: five queries for the whole batch (households, members,
/// monthly sums of current records, the current guarantee indicators, exclusion facts), never one per household.
/// </summary>
internal static class HouseholdFactsLoader
{
    public static async Task<Dictionary<Guid, LoadedHousehold>> LoadAsync(MonitoringDbContext db, IReadOnlyCollection<Guid> ids, MonthRange span,
        DateOnly asOf, CancellationToken ct)
    {
        var result = new Dictionary<Guid, LoadedHousehold>(ids.Count);
        if (ids.Count == 0)
        {
            return result;
        }
        var connection = await Sql.ConnectionAsync(db, ct).ConfigureAwait(false);
        var idArray = ids.ToArray();

        await using (var command = Sql.Command(db, connection, "SELECT id, region_code, category FROM known_households WHERE id = ANY(@ids)"))
        {
            command.Parameters.Add(Ids(idArray));
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                var id = reader.GetGuid(0);
                result[id] = new LoadedHousehold(id, reader.GetString(1), reader.IsDBNull(2) ? null : (HouseholdCategory)reader.GetInt16(2),
                    [], MonthlyLedger.Empty, GuaranteeIndicators.None, []);
            }
        }

        await using (var command = Sql.Command(db, connection,
            "SELECT household_id, joined_on, left_on, labour_ability FROM known_members WHERE household_id = ANY(@ids)"))
        {
            command.Parameters.Add(Ids(idArray));
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                if (result.TryGetValue(reader.GetGuid(0), out var household))
                {
                    household.Members.Add(new MemberSpan(
                        reader.IsDBNull(1) ? null : reader.GetFieldValue<DateOnly>(1),
                        reader.IsDBNull(2) ? null : reader.GetFieldValue<DateOnly>(2),
                        reader.IsDBNull(3) ? null : (LabourAbility)reader.GetInt16(3)));
                }
            }
        }

        await using (var command = Sql.Command(db, connection, """
            SELECT household_id, category, month, sum(amount_fen)::bigint
            FROM records
            WHERE household_id = ANY(@ids) AND superseded_by_id IS NULL AND month BETWEEN @from AND @to
            GROUP BY household_id, category, month
            """))
        {
            command.Parameters.Add(Ids(idArray));
            command.Parameters.Add(new NpgsqlParameter<DateOnly>("from", span.First.FirstDay));
            command.Parameters.Add(new NpgsqlParameter<DateOnly>("to", span.Last.FirstDay));
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                if (result.TryGetValue(reader.GetGuid(0), out var household))
                {
                    household.Ledger.Add((RecordCategory)reader.GetInt16(1), YearMonth.Of(reader.GetFieldValue<DateOnly>(2)), reader.GetInt64(3));
                }
            }
        }

        // Field by field, the latest snapshot (observed on or before asOf) that assessed the field.
        await using (var command = Sql.Command(db, connection, """
            SELECT household_id,
                (array_agg(food_and_clothing_secure ORDER BY observed_on DESC, recorded_at DESC) FILTER (WHERE food_and_clothing_secure IS NOT NULL))[1],
                (array_agg(out_of_school_children ORDER BY observed_on DESC, recorded_at DESC) FILTER (WHERE out_of_school_children IS NOT NULL))[1],
                (array_agg(uninsured_members ORDER BY observed_on DESC, recorded_at DESC) FILTER (WHERE uninsured_members IS NOT NULL))[1],
                (array_agg(housing_grade ORDER BY observed_on DESC, recorded_at DESC) FILTER (WHERE housing_grade IS NOT NULL))[1],
                (array_agg(water_litres_per_person_per_day ORDER BY observed_on DESC, recorded_at DESC) FILTER (WHERE water_litres_per_person_per_day IS NOT NULL))[1],
                (array_agg(water_quality_meets_standard ORDER BY observed_on DESC, recorded_at DESC) FILTER (WHERE water_quality_meets_standard IS NOT NULL))[1],
                (array_agg(water_fetch_round_trip_minutes ORDER BY observed_on DESC, recorded_at DESC) FILTER (WHERE water_fetch_round_trip_minutes IS NOT NULL))[1],
                (array_agg(water_supply_rate ORDER BY observed_on DESC, recorded_at DESC) FILTER (WHERE water_supply_rate IS NOT NULL))[1]
            FROM guarantee_snapshots
            WHERE household_id = ANY(@ids) AND observed_on <= @asOf
            GROUP BY household_id
            """))
        {
            command.Parameters.Add(Ids(idArray));
            command.Parameters.Add(new NpgsqlParameter<DateOnly>("asOf", asOf));
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                if (result.TryGetValue(reader.GetGuid(0), out var household))
                {
                    result[household.Id] = household with
                    {
                        Guarantees = new GuaranteeIndicators(
                            reader.IsDBNull(1) ? null : reader.GetBoolean(1),
                            reader.IsDBNull(2) ? null : reader.GetInt32(2),
                            reader.IsDBNull(3) ? null : reader.GetInt32(3),
                            reader.IsDBNull(4) ? null : (HousingSafetyGrade)reader.GetInt16(4),
                            reader.IsDBNull(5) ? null : reader.GetInt32(5),
                            reader.IsDBNull(6) ? null : reader.GetBoolean(6),
                            reader.IsDBNull(7) ? null : reader.GetInt32(7),
                            reader.IsDBNull(8) ? null : reader.GetDecimal(8)),
                    };
                }
            }
        }

        await using (var command = Sql.Command(db, connection,
            "SELECT household_id, kind, department, month, amount_fen, reference FROM exclusion_facts WHERE household_id = ANY(@ids)"))
        {
            command.Parameters.Add(Ids(idArray));
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                if (result.TryGetValue(reader.GetGuid(0), out var household))
                {
                    household.Exclusions.Add(new ExclusionFactView((ExclusionKind)reader.GetInt16(1), reader.GetString(2),
                        YearMonth.Of(reader.GetFieldValue<DateOnly>(3)), reader.IsDBNull(4) ? null : reader.GetInt64(4), reader.GetString(5)));
                }
            }
        }
        return result;
    }

    private static NpgsqlParameter Ids(Guid[] ids) => new("ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = ids };
}
