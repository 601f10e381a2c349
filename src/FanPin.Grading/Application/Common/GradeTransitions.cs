using FanPin.Grading.Domain;

namespace FanPin.Grading.Application.Common;

/// <summary>How many households moved from one grade to another (null: no grade), e.g. I→II, none→III.</summary>
public sealed record GradeTransitionCount(WarningGrade? From, WarningGrade? To, int Households)
{
    /// <summary>"I→II", "none→III".</summary>
    public string Label => $"{Name(From)}→{Name(To)}";

    private static string Name(WarningGrade? grade) => grade switch
    {
        WarningGrade.One => "I",
        WarningGrade.Two => "II",
        WarningGrade.Three => "III",
        _ => "none",
    };
}

/// <summary>A county's households, how many changed grade, and how.</summary>
/// <param name="CountyCode">The county's 6-digit prefix.</param>
/// <param name="Households">Households of the county looked at.</param>
/// <param name="Changed">Households whose grade changes.</param>
/// <param name="Transitions">The changes by from→to, in a stable order.</param>
public sealed record CountyGradeTransitions(string CountyCode, int Households, int Changed, IReadOnlyList<GradeTransitionCount> Transitions);

/// <summary>Counts grade transitions per county (what-if and re-grade report the same shape, so they compare).</summary>
public sealed class GradeTransitionTally
{
    private readonly SortedDictionary<string, (int Households, Dictionary<(WarningGrade?, WarningGrade?), int> Moves)> _counties = new(StringComparer.Ordinal);

    /// <summary>Households looked at.</summary>
    public int Households { get; private set; }

    /// <summary>Households whose grade changes.</summary>
    public int Changed { get; private set; }

    /// <summary>Counts one household.</summary>
    public void Add(string regionCode, WarningGrade? from, WarningGrade? to)
    {
        ArgumentNullException.ThrowIfNull(regionCode);
        var county = regionCode[..6];
        (int Households, Dictionary<(WarningGrade?, WarningGrade?), int> Moves) entry =
            _counties.TryGetValue(county, out var existing) ? existing : (0, new Dictionary<(WarningGrade?, WarningGrade?), int>());
        entry.Households++;
        Households++;
        if (from != to)
        {
            entry.Moves[(from, to)] = entry.Moves.GetValueOrDefault((from, to)) + 1;
            Changed++;
        }
        _counties[county] = entry;
    }

    /// <summary>The counties, by code, with their transitions ordered by from then to (none last).</summary>
    public IReadOnlyList<CountyGradeTransitions> ByCounty() => _counties
        .Select(c => new CountyGradeTransitions(c.Key, c.Value.Households, c.Value.Moves.Values.Sum(),
            c.Value.Moves.OrderBy(m => Order(m.Key.Item1)).ThenBy(m => Order(m.Key.Item2))
                .Select(m => new GradeTransitionCount(m.Key.Item1, m.Key.Item2, m.Value)).ToList()))
        .ToList();

    private static int Order(WarningGrade? grade) => grade is { } g ? (int)g : 9;
}
