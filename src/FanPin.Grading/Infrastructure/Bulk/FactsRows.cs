using FanPin.Grading.Domain;
using FanPin.Policies;
using Npgsql;

namespace FanPin.Grading.Infrastructure.Bulk;

/// <summary>A household read for a bulk pass: its facts and, when asked, its open warning.</summary>
internal sealed record FactsRow(HouseholdFacts Facts, Warning? OpenWarning);

/// <summary>
/// Reads a province's households in household-id order, a page at a time, straight from the data reader (no change
/// tracking: the bulk re-grade and the what-if walk hundreds of thousands of rows). The same columns become the
/// same <see cref="GradingFacts"/> as <see cref="HouseholdFacts.ToGradingFacts"/> gives on the single path.
/// </summary>
internal static class FactsRows
{
    private const string Select = """
        SELECT f.household_id, f.region_code, f.category, f.status, f.dissolved, f.risk_type_mask,
               f.members_full, f.members_partial, f.members_lost, f.members_none, f.signal_codes,
               f.per_capita_income_fen, f.last_year_income_fen, f.rigid_expenditure_fen, f.income_drop_share,
               f.transfer_income_share, f.income_unstable, f.grade, f.grade_rule_id, f.grade_version, f.open_warning_id
        """;

    private const string WarningColumns = """
        , w.grade, w.status, w.escalation_level, w.rule_id, w.policy_province, w.policy_version, w.raised_at, w.raised_on,
          w.due_on, w.dispatched_township, w.version, w.region_code
        """;

    /// <summary>
    /// Up to <paramref name="limit"/> households of <paramref name="province"/> after <paramref name="after"/>, without
    /// locks and without their warnings (a plain snapshot read: the what-if, and the bulk re-grade's first pass).
    /// </summary>
    public static async Task<List<FactsRow>> ReadAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string province, Guid after, int limit,
        CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"{Select} FROM household_facts f WHERE f.province = @province AND f.household_id > @after ORDER BY f.household_id LIMIT @limit",
            connection, transaction);
        command.Parameters.AddWithValue("province", province);
        command.Parameters.AddWithValue("after", after);
        command.Parameters.AddWithValue("limit", limit);
        return await ReadRowsAsync(command, province, false, limit, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The named households, locked (in household order, like every other bulk lock, so two bulk transactions never
    /// deadlock), with their open warnings.
    /// </summary>
    public static async Task<List<FactsRow>> LockAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string province, IReadOnlyList<Guid> households,
        CancellationToken ct)
    {
        var ids = households.ToArray();
        // Lock first, read after, in two statements: a locking read that waited for a concurrent writer returns
        // that writer's version of the locked row but the old version of a joined row (the open warning); the
        // second statement's fresh snapshot sees both as committed.
        await using (var lockRows = new NpgsqlCommand(
            "SELECT household_id FROM household_facts WHERE household_id = ANY(@ids) ORDER BY household_id FOR UPDATE", connection, transaction))
        {
            lockRows.Parameters.AddWithValue("ids", ids);
            await lockRows.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        await using var command = new NpgsqlCommand(
            $"{Select}{WarningColumns} FROM household_facts f LEFT JOIN warnings w ON w.id = f.open_warning_id WHERE f.household_id = ANY(@ids) ORDER BY f.household_id",
            connection, transaction);
        command.Parameters.AddWithValue("ids", ids);
        return await ReadRowsAsync(command, province, true, households.Count, ct).ConfigureAwait(false);
    }

    private static async Task<List<FactsRow>> ReadRowsAsync(NpgsqlCommand command, string province, bool withWarnings, int limit, CancellationToken ct)
    {
        var rows = new List<FactsRow>(limit);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            var facts = new HouseholdFacts
            {
                HouseholdId = reader.GetGuid(0),
                RegionCode = reader.GetString(1),
                Province = province,
                Category = (HouseholdCategory)reader.GetInt16(2),
                Status = (MonitoringStatus)reader.GetInt16(3),
                Dissolved = reader.GetBoolean(4),
                RiskTypeMask = reader.GetInt32(5),
                MembersFull = reader.GetInt32(6),
                MembersPartial = reader.GetInt32(7),
                MembersLost = reader.GetInt32(8),
                MembersNone = reader.GetInt32(9),
                SignalCodes = [.. reader.GetFieldValue<string[]>(10)],
                PerCapitaIncomeFen = reader.IsDBNull(11) ? null : reader.GetInt64(11),
                LastYearIncomeFen = reader.IsDBNull(12) ? null : reader.GetInt64(12),
                RigidExpenditureFen = reader.IsDBNull(13) ? null : reader.GetInt64(13),
                IncomeDropShare = reader.IsDBNull(14) ? null : reader.GetDecimal(14),
                TransferIncomeShare = reader.IsDBNull(15) ? null : reader.GetDecimal(15),
                IncomeUnstable = reader.GetBoolean(16),
                Grade = reader.IsDBNull(17) ? null : (WarningGrade)reader.GetInt16(17),
                GradeRuleId = reader.IsDBNull(18) ? null : reader.GetString(18),
                GradeVersion = reader.GetInt64(19),
                OpenWarningId = reader.IsDBNull(20) ? null : reader.GetGuid(20),
            };
            Warning? open = null;
            if (withWarnings && facts.OpenWarningId is { } warningId && !reader.IsDBNull(21))
            {
                open = Warning.Restore(warningId, facts.HouseholdId, reader.GetString(32),
                    grade: (WarningGrade)reader.GetInt16(21),
                    status: (WarningStatus)reader.GetInt16(22),
                    escalationLevel: reader.GetInt32(23),
                    ruleId: reader.GetString(24),
                    policyProvince: reader.GetString(25),
                    policyVersion: reader.GetInt32(26),
                    raisedAt: reader.GetFieldValue<DateTimeOffset>(27),
                    raisedOn: reader.GetFieldValue<DateOnly>(28),
                    dueOn: reader.IsDBNull(29) ? null : reader.GetFieldValue<DateOnly>(29),
                    dispatchedTownship: reader.IsDBNull(30) ? null : reader.GetString(30),
                    version: reader.GetInt32(31));
            }
            rows.Add(new FactsRow(facts, open));
        }
        return rows;
    }
}
