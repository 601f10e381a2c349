using System.Globalization;

namespace FanPin.Cli.Datagen;

/// <summary>A region as written to <c>regions.csv</c> (the columns of the reference data and of ImportRegions).</summary>
/// <param name="Code">12-digit code.</param>
/// <param name="Name">Name.</param>
/// <param name="Level">province, city, county, township or village.</param>
/// <param name="ParentCode">Parent's code; empty for the province.</param>
public sealed record RegionNode(string Code, string Name, string Level, string ParentCode);

/// <summary>A village and the county it lies in.</summary>
public sealed record VillageNode(string Code, string CountyCode);

/// <summary>
/// The region tree of a synthetic province: the real province, cities, counties and townships of the bundled
/// reference data (National Bureau of Statistics codes, 2022), with villages synthesised under each township
/// (<c>TTT</c> + <c>001</c>…<c>NNN</c>, 6 to 18 per township, deterministic by seed).
/// </summary>
public sealed class RegionTree
{
    private const string Resource = "FanPin.Cli.Datagen.regions-62-gansu-to-township.csv";

    /// <summary>Fewest and most villages synthesised under a township.</summary>
    public const int MinVillages = 6, MaxVillages = 18;

    private RegionTree(IReadOnlyList<RegionNode> regions, IReadOnlyList<VillageNode> villages, IReadOnlyList<string> counties)
    {
        Regions = regions;
        Villages = villages;
        Counties = counties;
    }

    /// <summary>Every region, by code (a parent always before its children).</summary>
    public IReadOnlyList<RegionNode> Regions { get; }

    /// <summary>The villages, by code.</summary>
    public IReadOnlyList<VillageNode> Villages { get; }

    /// <summary>The 12-digit codes of the counties included.</summary>
    public IReadOnlyList<string> Counties { get; }

    /// <summary>Provinces with bundled reference data.</summary>
    public static IReadOnlyList<string> Provinces { get; } = ["62"];

    /// <summary>
    /// Builds the tree of <paramref name="province"/> (2 digits), optionally only <paramref name="counties"/>
    /// (6- or 12-digit county codes). Throws <see cref="ArgumentException"/> naming what is unknown.
    /// </summary>
    public static RegionTree Build(string province, IReadOnlyList<string>? counties, long seed)
    {
        if (!Provinces.Contains(province))
        {
            throw new ArgumentException($"province {province} has no bundled region data; available: {string.Join(", ", Provinces)} (Gansu)");
        }
        var all = Load();
        var byCode = all.ToDictionary(r => r.Code, StringComparer.Ordinal);
        var allCounties = all.Where(r => r.Level == "county").Select(r => r.Code).ToList();
        List<string> selected;
        if (counties is { Count: > 0 })
        {
            selected = [];
            foreach (var c in counties)
            {
                var code = c.Trim().Length == 6 ? c.Trim() + "000000" : c.Trim();
                if (!byCode.TryGetValue(code, out var node) || node.Level != "county")
                {
                    throw new ArgumentException($"county {c} is not a county of province {province}");
                }
                if (!selected.Contains(code))
                {
                    selected.Add(code);
                }
            }
            selected.Sort(StringComparer.Ordinal);
        }
        else
        {
            selected = allCounties;
        }
        var keep = new SortedDictionary<string, RegionNode>(StringComparer.Ordinal);
        foreach (var county in selected)
        {
            for (var node = byCode[county]; ; node = byCode[node.ParentCode])
            {
                keep[node.Code] = node;
                if (node.ParentCode.Length == 0)
                {
                    break;
                }
            }
        }
        var villages = new List<VillageNode>();
        var selectedSet = selected.ToHashSet(StringComparer.Ordinal);
        foreach (var township in all.Where(r => r.Level == "township" && selectedSet.Contains(r.ParentCode)))
        {
            keep[township.Code] = township;
            var rng = Rng.For(seed, 1, long.Parse(township.Code, CultureInfo.InvariantCulture));
            var count = rng.Next(MinVillages, MaxVillages + 1);
            for (var v = 1; v <= count; v++)
            {
                var code = string.Concat(township.Code.AsSpan(0, 9), v.ToString("D3", CultureInfo.InvariantCulture));
                keep[code] = new RegionNode(code, $"{township.Name}{v}村", "village", township.Code);
                villages.Add(new VillageNode(code, township.ParentCode));
            }
        }
        villages.Sort((a, b) => string.CompareOrdinal(a.Code, b.Code));
        return new RegionTree(keep.Values.ToList(), villages, selected);
    }

    private static List<RegionNode> Load()
    {
        using var stream = typeof(RegionTree).Assembly.GetManifestResourceStream(Resource)
            ?? throw new InvalidOperationException($"The region data {Resource} is missing from the CLI.");
        using var reader = new StreamReader(stream);
        var list = new List<RegionNode>();
        reader.ReadLine();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }
            var parts = line.Split(',');
            list.Add(new RegionNode(parts[0], parts[1], parts[2], parts.Length > 3 ? parts[3] : ""));
        }
        return list;
    }
}
