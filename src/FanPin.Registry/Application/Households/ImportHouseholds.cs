using System.Text.Json;
using System.Text.RegularExpressions;
using FanPin.Policies;
using FanPin.Registry.Application.Common;
using FanPin.Registry.Domain;
using FanPin.Registry.Infrastructure;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace FanPin.Registry.Application.Households;

/// <summary>One household of an import; <see cref="RowNumber"/> 0 means "its position in the stream" (1-based).</summary>
public sealed record ImportHouseholdRow(
    int RowNumber,
    string? RegionCode,
    HouseholdCategory? Category,
    bool MinimumLivingGuarantee,
    bool ExtremePovertySupport,
    IReadOnlyList<MemberInput>? Members);

/// <summary>A batch: the client's id (idempotency key) and the rows as they stream in.</summary>
public sealed record ImportHouseholdsRequest(string? BatchId, IAsyncEnumerable<ImportHouseholdRow> Rows);

/// <summary>Why a row was refused: row number, field (e.g. <c>members[1].id_number</c>) and reason.</summary>
public sealed record RowError(int RowNumber, string Field, string Reason);

/// <summary>
/// The batch's outcome. <see cref="Replayed"/> is true when the batch id was imported before: nothing was
/// read or written, the first outcome is returned.
/// </summary>
public sealed record ImportHouseholdsResult(string BatchId, int Received, int Accepted, int Rejected, IReadOnlyList<RowError> Errors, bool Replayed);

/// <summary>
/// Bulk import (client-streaming ImportHouseholds): idempotent by batch id; rows are validated as they arrive,
/// valid ones streamed with binary COPY into a staging table, then checked set-based (an ID number twice in
/// the batch, or already a current member elsewhere) and merged with three INSERT … SELECT statements. Invalid
/// rows are reported and never block valid ones. All in one transaction: a batch is imported whole or not at
/// all (an oversize batch writes nothing). HouseholdRegistered events are staged set-based in the same transaction.
/// </summary>
public sealed partial class ImportHouseholds(RegistryDbContext db, IdNumberProtector ids, RegistryClock clock, IDomainEventStaging staging)
{
    /// <summary>Most rows in one batch; a larger batch is refused whole.</summary>
    public const int MaxRows = 200_000;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Runs the use case.</summary>
    public async Task<ImportHouseholdsResult> HandleAsync(Caller caller, ImportHouseholdsRequest request, CancellationToken ct = default)
    {
        RegionScope.DemandRole(caller, "import households", RegistryAccess.ImportHouseholds);
        var batchId = request.BatchId?.Trim() ?? "";
        if (!BatchIdPattern().IsMatch(batchId))
        {
            throw new ValidationFailedException("batch_id", "must be 1 to 100 characters of letters, digits, '.', '_', ':' or '-'");
        }
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct).ConfigureAwait(false);
        try
        {
            await using var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            // Claiming the batch id first serialises concurrent sends of one batch: the second waits for the
            // first to commit, then finds it done.
            if (await ClaimAsync(connection, batchId, caller.Subject, ct).ConfigureAwait(false) is { } earlier)
            {
                return earlier;
            }
            var now = clock.Now;
            var villages = await LoadVillagesAsync(connection, caller.Scope, ct).ConfigureAwait(false);
            await ExecuteAsync(connection, StageTableSql, ct).ConfigureAwait(false);
            var errors = new List<RowError>();
            var received = await StageAsync(connection, request.Rows, villages, errors, ct).ConfigureAwait(false);
            // Rows refused on validation were never staged; rows in conflict are staged and removed before the merge.
            var conflicts = await FindConflictsAsync(connection, ct).ConfigureAwait(false);
            errors.AddRange(conflicts);
            var rejectedRows = conflicts.Select(e => e.RowNumber).Distinct().ToArray();
            var accepted = await MergeAsync(connection, batchId, now, rejectedRows, ct).ConfigureAwait(false);
            var result = new ImportHouseholdsResult(batchId, received, accepted, received - accepted,
                errors.OrderBy(e => e.RowNumber).ThenBy(e => e.Field, StringComparer.Ordinal).ToList(), false);
            await CompleteAsync(connection, result, now, ct).ConfigureAwait(false);
            await transaction.CommitAsync(ct).ConfigureAwait(false);
            return result;
        }
        finally
        {
            await db.Database.CloseConnectionAsync().ConfigureAwait(false);
        }
    }

    [GeneratedRegex("^[A-Za-z0-9._:-]{1,100}$")]
    private static partial Regex BatchIdPattern();

    private static async Task<ImportHouseholdsResult?> ClaimAsync(NpgsqlConnection connection, string batchId, string subject, CancellationToken ct)
    {
        await using var claim = BulkCommand("""
            INSERT INTO import_batches (batch_id, requested_by, completed_at, row_count, accepted, rejected, result)
            VALUES (@id, @by, now(), 0, 0, 0, '{}') ON CONFLICT (batch_id) DO NOTHING
            """, connection);
        claim.Parameters.AddWithValue("id", batchId);
        claim.Parameters.AddWithValue("by", subject);
        if (await claim.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 1)
        {
            return null;
        }
        await using var read = BulkCommand("SELECT result::text FROM import_batches WHERE batch_id = @id", connection);
        read.Parameters.AddWithValue("id", batchId);
        var stored = JsonSerializer.Deserialize<ImportHouseholdsResult>((string)(await read.ExecuteScalarAsync(ct).ConfigureAwait(false))!, Json)!;
        return stored with { Replayed = true };
    }

    private static async Task<HashSet<string>> LoadVillagesAsync(NpgsqlConnection connection, RegionPrefix scope, CancellationToken ct)
    {
        var villages = new HashSet<string>(StringComparer.Ordinal);
        await using var command = BulkCommand("SELECT code FROM regions WHERE code LIKE @prefix AND level = 5", connection);
        command.Parameters.AddWithValue("prefix", scope.Value + "%");
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            villages.Add(reader.GetString(0));
        }
        return villages;
    }

    private const string StageTableSql = """
        CREATE TEMP TABLE import_stage (
            row_number int NOT NULL, member_index int NOT NULL, household_id uuid NOT NULL, region_code varchar(12) COLLATE "C" NOT NULL,
            category text NOT NULL, minimum_living_guarantee boolean NOT NULL, extreme_poverty_support boolean NOT NULL,
            member_id uuid NOT NULL, name text NOT NULL, id_number_cipher bytea NOT NULL, id_number_hash bytea NOT NULL,
            id_number_masked varchar(18) NOT NULL, birth_date date NOT NULL, sex text NOT NULL, relation text NOT NULL,
            labour_ability text NOT NULL, health text NOT NULL, disability_grade int, schooling text NOT NULL,
            employment_location text NOT NULL, employment_months int NOT NULL, medical_insured boolean NOT NULL, pension_insured boolean NOT NULL
        ) ON COMMIT DROP
        """;

    private async Task<int> StageAsync(NpgsqlConnection connection, IAsyncEnumerable<ImportHouseholdRow> rows, HashSet<string> villages, List<RowError> errors, CancellationToken ct)
    {
        var today = clock.Today;
        var received = 0;
        var seenRows = new HashSet<int>();
        await using var copy = await connection.BeginBinaryImportAsync("""
            COPY import_stage (row_number, member_index, household_id, region_code, category, minimum_living_guarantee, extreme_poverty_support,
                member_id, name, id_number_cipher, id_number_hash, id_number_masked, birth_date, sex, relation, labour_ability, health,
                disability_grade, schooling, employment_location, employment_months, medical_insured, pension_insured) FROM STDIN (FORMAT BINARY)
            """, ct).ConfigureAwait(false);
        await foreach (var row in rows.WithCancellation(ct).ConfigureAwait(false))
        {
            received++;
            if (received > MaxRows)
            {
                // Leaving without completing the COPY and the transaction rolls everything back.
                throw new ValidationFailedException("rows", $"the batch has more than {MaxRows} rows; split it into batches of at most {MaxRows}");
            }
            var rowNumber = row.RowNumber > 0 ? row.RowNumber : received;
            if (!seenRows.Add(rowNumber))
            {
                errors.Add(new RowError(rowNumber, "row_number", "is used by an earlier row of this batch"));
                continue;
            }
            var fieldErrors = new FieldErrors();
            var village = HouseholdInputRules.ValidateVillage(row.RegionCode, "region_code", fieldErrors);
            if (village is { } v && !villages.Contains(v.Value))
            {
                fieldErrors.Add("region_code", $"village {v} does not exist or is outside the caller's scope");
            }
            fieldErrors.Require(row.Category is not null, "category", "is required");
            var members = HouseholdInputRules.ValidateMembers(row.Members, "members", today, fieldErrors);
            if (fieldErrors.Count > 0)
            {
                errors.AddRange(fieldErrors.Violations.Select(e => new RowError(rowNumber, e.Field, e.Description)));
                continue;
            }
            var householdId = Guid.CreateVersion7();
            for (var i = 0; i < members.Count; i++)
            {
                var m = members[i];
                var p = ids.Protect(m.IdNumber);
                var f = m.Facts;
                await copy.StartRowAsync(ct).ConfigureAwait(false);
                await copy.WriteAsync(rowNumber, NpgsqlDbType.Integer, ct).ConfigureAwait(false);
                await copy.WriteAsync(i, NpgsqlDbType.Integer, ct).ConfigureAwait(false);
                await copy.WriteAsync(householdId, NpgsqlDbType.Uuid, ct).ConfigureAwait(false);
                await copy.WriteAsync(village!.Value.Value, NpgsqlDbType.Varchar, ct).ConfigureAwait(false);
                await copy.WriteAsync(row.Category!.Value.ToString(), NpgsqlDbType.Text, ct).ConfigureAwait(false);
                await copy.WriteAsync(row.MinimumLivingGuarantee, NpgsqlDbType.Boolean, ct).ConfigureAwait(false);
                await copy.WriteAsync(row.ExtremePovertySupport, NpgsqlDbType.Boolean, ct).ConfigureAwait(false);
                await copy.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid, ct).ConfigureAwait(false);
                await copy.WriteAsync(f.Name, NpgsqlDbType.Text, ct).ConfigureAwait(false);
                await copy.WriteAsync(p.Cipher, NpgsqlDbType.Bytea, ct).ConfigureAwait(false);
                await copy.WriteAsync(p.Hash, NpgsqlDbType.Bytea, ct).ConfigureAwait(false);
                await copy.WriteAsync(p.Masked, NpgsqlDbType.Varchar, ct).ConfigureAwait(false);
                await copy.WriteAsync(p.BirthDate, NpgsqlDbType.Date, ct).ConfigureAwait(false);
                await copy.WriteAsync(p.Sex.ToString(), NpgsqlDbType.Text, ct).ConfigureAwait(false);
                await copy.WriteAsync(f.Relation.ToString(), NpgsqlDbType.Text, ct).ConfigureAwait(false);
                await copy.WriteAsync(f.LabourAbility.ToString(), NpgsqlDbType.Text, ct).ConfigureAwait(false);
                await copy.WriteAsync(f.Health.ToString(), NpgsqlDbType.Text, ct).ConfigureAwait(false);
                if (f.DisabilityGrade is { } grade)
                {
                    await copy.WriteAsync(grade, NpgsqlDbType.Integer, ct).ConfigureAwait(false);
                }
                else
                {
                    await copy.WriteNullAsync(ct).ConfigureAwait(false);
                }
                await copy.WriteAsync(f.Schooling.ToString(), NpgsqlDbType.Text, ct).ConfigureAwait(false);
                await copy.WriteAsync(f.EmploymentLocation.ToString(), NpgsqlDbType.Text, ct).ConfigureAwait(false);
                await copy.WriteAsync(f.EmploymentMonths, NpgsqlDbType.Integer, ct).ConfigureAwait(false);
                await copy.WriteAsync(f.MedicalInsured, NpgsqlDbType.Boolean, ct).ConfigureAwait(false);
                await copy.WriteAsync(f.PensionInsured, NpgsqlDbType.Boolean, ct).ConfigureAwait(false);
            }
        }
        await copy.CompleteAsync(ct).ConfigureAwait(false);
        return received;
    }

    private static async Task<List<RowError>> FindConflictsAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await ExecuteAsync(connection, "CREATE INDEX ON import_stage (id_number_hash); ANALYZE import_stage", ct).ConfigureAwait(false);
        var errors = new List<RowError>();
        await using var command = BulkCommand("""
            SELECT row_number, member_index, 'is the same ID number as row ' || first_row || ' of this batch'
            FROM (SELECT row_number, member_index,
                         first_value(row_number) OVER w AS first_row, row_number() OVER w AS n
                  FROM import_stage WINDOW w AS (PARTITION BY id_number_hash ORDER BY row_number, member_index)) d
            WHERE n > 1
            UNION ALL
            SELECT s.row_number, s.member_index, 'belongs to a current member of another household'
            FROM import_stage s JOIN members m ON m.id_number_hash = s.id_number_hash AND m.left_on IS NULL
            """, connection);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            errors.Add(new RowError(reader.GetInt32(0), $"members[{reader.GetInt32(1)}].id_number", reader.GetString(2)));
        }
        return errors;
    }

    private async Task<int> MergeAsync(NpgsqlConnection connection, string batchId, DateTimeOffset now, int[] rejectedRows, CancellationToken ct)
    {
        await using var command = BulkCommand($"""
            DELETE FROM import_stage WHERE row_number = ANY(@rejected);
            INSERT INTO households (id, region_code, category, minimum_living_guarantee, extreme_poverty_support, status, risk_type_mask,
                                    member_count, head_name, created_at, updated_at, import_batch_id)
            SELECT household_id, min(region_code), min(category), bool_or(minimum_living_guarantee), bool_or(extreme_poverty_support),
                   'NotMonitored', 0, count(*), coalesce(min(name) FILTER (WHERE relation = 'Head'), ''), @now, @now, @batch_id
            FROM import_stage GROUP BY household_id;
            INSERT INTO members (id, household_id, name, id_number_cipher, id_number_hash, id_number_masked, birth_date, sex, relation,
                                 labour_ability, health, disability_grade, schooling, employment_location, employment_months,
                                 medical_insured, pension_insured, joined_on)
            SELECT member_id, household_id, name, id_number_cipher, id_number_hash, id_number_masked, birth_date, sex, relation,
                   labour_ability, health, disability_grade, schooling, employment_location, employment_months,
                   medical_insured, pension_insured, @today
            FROM import_stage;
            {staging.StageImportSql};
            """, connection);
        command.Parameters.AddWithValue("rejected", rejectedRows);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("today", clock.Today);
        command.Parameters.AddWithValue("batch_id", batchId);
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        await using var count = BulkCommand("SELECT count(*) FROM households WHERE import_batch_id = @batch_id", connection);
        count.Parameters.AddWithValue("batch_id", batchId);
        return (int)(long)(await count.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
    }

    private static async Task CompleteAsync(NpgsqlConnection connection, ImportHouseholdsResult result, DateTimeOffset now, CancellationToken ct)
    {
        await using var command = BulkCommand("""
            UPDATE import_batches SET completed_at = @now, row_count = @received, accepted = @accepted, rejected = @rejected, result = @result::jsonb
            WHERE batch_id = @id
            """, connection);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("received", result.Received);
        command.Parameters.AddWithValue("accepted", result.Accepted);
        command.Parameters.AddWithValue("rejected", result.Rejected);
        command.Parameters.AddWithValue("result", JsonSerializer.Serialize(result, Json));
        command.Parameters.AddWithValue("id", result.BatchId);
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// A statement of the import, without the default 30 s command timeout: merging 200,000 households on a busy
    /// server can take longer (seen at load 64), and the call's own deadline or cancellation bounds it already.
    /// </summary>
    private static NpgsqlCommand BulkCommand(string sql, NpgsqlConnection connection) => new(sql, connection) { CommandTimeout = 0 };

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = BulkCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }
}
