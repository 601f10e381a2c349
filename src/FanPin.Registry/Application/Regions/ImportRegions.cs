using FanPin.Registry.Application.Common;
using FanPin.Registry.Infrastructure;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace FanPin.Registry.Application.Regions;

/// <summary>One region of the tree: code, name and (optionally) the parent, which must agree with the code.</summary>
public sealed record RegionRow(string? Code, string? Name, string? ParentCode);

/// <summary>Bulk import of the region tree (all or nothing: reference data must be consistent).</summary>
public sealed record ImportRegionsRequest(IReadOnlyList<RegionRow> Regions);

/// <summary>How many regions were new and how many were renamed.</summary>
public sealed record ImportRegionsResult(int Inserted, int Renamed, int Unchanged);

/// <summary>Imports regions: codes validated (12 digits, parent consistent with the code, parent known), then upserted in one statement.</summary>
public sealed class ImportRegions(RegistryDbContext db)
{
    /// <summary>Most regions in one request (a province has tens of thousands of villages).</summary>
    public const int MaxRows = 200_000;

    /// <summary>Runs the use case.</summary>
    public async Task<ImportRegionsResult> HandleAsync(Caller caller, ImportRegionsRequest request, CancellationToken ct = default)
    {
        RegionScope.DemandRole(caller, "import regions", RegistryAccess.ImportRegions);
        var errors = new FieldErrors();
        if (request.Regions.Count == 0 || request.Regions.Count > MaxRows)
        {
            errors.Add("regions", request.Regions.Count == 0 ? "is empty" : $"has {request.Regions.Count} rows; at most {MaxRows} per request");
            errors.ThrowIfAny();
        }
        var rows = new Dictionary<string, (RegionCode Code, string Name)>();
        for (var i = 0; i < request.Regions.Count; i++)
        {
            var row = request.Regions[i];
            var path = $"regions[{i}]";
            if (!RegionCode.TryParse(row.Code, out var code, out var error))
            {
                errors.Add($"{path}.code", error);
                continue;
            }
            var name = row.Name?.Trim() ?? "";
            errors.Require(name.Length > 0, $"{path}.name", "is empty");
            var expectedParent = code.Parent?.Value;
            if (!string.IsNullOrEmpty(row.ParentCode) && row.ParentCode != expectedParent)
            {
                errors.Add($"{path}.parent_code", $"{row.ParentCode} is not the parent of {code}; the code says {expectedParent ?? "none (a province)"}");
            }
            if (!RegionScope.Allows(caller, code))
            {
                throw new AccessDeniedException($"region {code} is outside the caller's scope {caller.Scope}");
            }
            if (!rows.TryAdd(code.Value, (code, name)))
            {
                errors.Add($"{path}.code", $"{code} is listed twice");
            }
        }

        var parents = rows.Values.Select(r => r.Code.Parent?.Value).OfType<string>().Distinct().Where(p => !rows.ContainsKey(p)).ToList();
        var known = await db.Regions.Where(r => parents.Contains(r.Code)).Select(r => r.Code).ToListAsync(ct).ConfigureAwait(false);
        var missing = parents.Except(known).ToHashSet();
        for (var i = 0; i < request.Regions.Count; i++)
        {
            var parent = RegionCode.TryParse(request.Regions[i].Code, out var code, out _) ? code.Parent?.Value : null;
            if (parent is not null && missing.Contains(parent))
            {
                errors.Add($"regions[{i}].parent_code", $"parent {parent} is neither known nor in this import");
            }
        }
        errors.ThrowIfAny();

        var list = rows.Values.ToList();
        var existing = await CountExistingAsync(list, ct).ConfigureAwait(false);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct).ConfigureAwait(false);
        try
        {
            await using var command = new NpgsqlCommand("""
                INSERT INTO regions (code, name, level, parent_code)
                SELECT * FROM unnest(@codes, @names, @levels, @parents)
                ON CONFLICT (code) DO UPDATE SET name = excluded.name WHERE regions.name <> excluded.name
                """, connection);
            command.Parameters.AddWithValue("codes", list.Select(r => r.Code.Value).ToArray());
            command.Parameters.AddWithValue("names", list.Select(r => r.Name).ToArray());
            command.Parameters.AddWithValue("levels", list.Select(r => (short)r.Code.Level).ToArray());
            command.Parameters.AddWithValue("parents", list.Select(r => r.Code.Parent?.Value).ToArray());
            var written = await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            var inserted = list.Count - existing;
            return new ImportRegionsResult(inserted, written - inserted, list.Count - written);
        }
        finally
        {
            await db.Database.CloseConnectionAsync().ConfigureAwait(false);
        }
    }

    private async Task<int> CountExistingAsync(List<(RegionCode Code, string Name)> rows, CancellationToken ct)
    {
        var codes = rows.Select(r => r.Code.Value).ToList();
        return await db.Regions.CountAsync(r => codes.Contains(r.Code), ct).ConfigureAwait(false);
    }
}
