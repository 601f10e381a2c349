using System.Globalization;
using System.Runtime.CompilerServices;
using CsvHelper;

namespace FanPin.Cli.Datagen;

/// <summary>Relation to the head (the registry's names).</summary>
public enum GenRelation { Head, Spouse, Child, Parent, Grandchild, Other }

/// <summary>Labour ability (the registry's names).</summary>
public enum GenLabour { Full, Partial, Lost, None }

/// <summary>Health (the registry's names).</summary>
public enum GenHealth { Healthy, Chronic, SeriousIllness, Disability }

/// <summary>Schooling stage (the registry's names).</summary>
public enum GenSchooling { NotInSchool, Preschool, Compulsory, SeniorHigh, Vocational, University, Dropout }

/// <summary>Where a member works (the registry's names).</summary>
public enum GenEmployment { None, OutsideProvince, InsideProvince, InsideCounty }

/// <summary>One member line of <c>households.csv</c>, as read back.</summary>
public sealed record HouseholdCsvMember(
    string Name,
    string IdNumber,
    string Relation,
    string LabourAbility,
    string Health,
    int? DisabilityGrade,
    string Schooling,
    string EmploymentLocation,
    int EmploymentMonths,
    bool MedicalInsured,
    bool PensionInsured);

/// <summary>A household of <c>households.csv</c>: its number (the import's row number), village, category, flags and members.</summary>
public sealed record HouseholdCsvRow(
    int Household,
    string RegionCode,
    string Category,
    bool MinimumLivingGuarantee,
    bool ExtremePovertySupport,
    IReadOnlyList<HouseholdCsvMember> Members);

/// <summary>
/// <c>households.csv</c> (docs/datagen.md): UTF-8, header row, one line per member; the lines of a household are
/// consecutive and share its number and household columns. Enum values are the registry's names (Head, Full,
/// SeriousIllness, OutsideProvince, PovertyAlleviated...), booleans true/false, disability_grade empty unless the
/// health is Disability.
/// </summary>
public static class HouseholdCsv
{
    /// <summary>The columns, in file order.</summary>
    public static readonly IReadOnlyList<string> Columns =
    [
        "household", "region_code", "category", "minimum_living_guarantee", "extreme_poverty_support",
        "name", "id_number", "relation", "labour_ability", "health", "disability_grade", "schooling",
        "employment_location", "employment_months", "medical_insured", "pension_insured",
    ];

    /// <summary>The header line.</summary>
    public static string Header => string.Join(',', Columns);

    /// <summary>
    /// Reads households lazily (one at a time; a million-household file is never held in memory).
    /// <exception cref="FormatException">A missing column, an unreadable cell, or a household's lines that are not consecutive.</exception>
    /// </summary>
    public static async IAsyncEnumerable<HouseholdCsvRow> ReadAsync(Stream stream, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var csv = CsvReader.Create(stream, CsvReaderOptions.Default with { TrimWhitespace = true }, leaveOpen: true);
        await csv.ReadHeaderAsync(ct).ConfigureAwait(false);
        var header = csv.Headers.Select(h => h.Trim().ToLowerInvariant()).ToArray();
        if (Columns.FirstOrDefault(c => !header.Contains(c)) is { } missing)
        {
            throw new FormatException($"column '{missing}' is missing; expected: {Header}");
        }
        var at = Columns.ToDictionary(c => c, c => Array.IndexOf(header, c));
        HouseholdCsvRow? current = null;
        var members = new List<HouseholdCsvMember>();
        var seen = new HashSet<int>();
        while (await csv.ReadAsync(ct).ConfigureAwait(false))
        {
            var line = csv.RowNumber + 1;
            string Cell(string column) => csv.GetStringOrNull(at[column])?.Trim() ?? "";
            int Int(string column, int? fallback = null)
            {
                var text = Cell(column);
                if (text.Length == 0 && fallback is { } f)
                {
                    return f;
                }
                return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v)
                    ? v
                    : throw new FormatException($"line {line}: {column} '{text}' is not a whole number");
            }
            bool Bool(string column) => Cell(column).ToLowerInvariant() switch
            {
                "true" or "1" or "yes" => true,
                "false" or "0" or "no" or "" => false,
                var other => throw new FormatException($"line {line}: {column} '{other}' is not true or false"),
            };
            var number = Int("household");
            if (current is null || current.Household != number)
            {
                if (current is not null)
                {
                    yield return current with { Members = members };
                    members = [];
                }
                if (!seen.Add(number))
                {
                    throw new FormatException($"line {line}: the lines of household {number} are not consecutive");
                }
                current = new HouseholdCsvRow(number, Cell("region_code"), Cell("category"), Bool("minimum_living_guarantee"),
                    Bool("extreme_poverty_support"), members);
            }
            var disability = Cell("disability_grade");
            members.Add(new HouseholdCsvMember(Cell("name"), Cell("id_number"), Cell("relation"), Cell("labour_ability"), Cell("health"),
                disability.Length == 0 ? null : Int("disability_grade"), Cell("schooling"), Cell("employment_location"),
                Int("employment_months", 0), Bool("medical_insured"), Bool("pension_insured")));
        }
        if (current is not null)
        {
            yield return current with { Members = members };
        }
    }
}
