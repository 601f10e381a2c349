namespace FanPin.Policies;

/// <summary>
/// The published versions of one province's policy, oldest first. Published versions never change: a
/// change is a new version effective from a later date, so a case opened under one version can always be
/// explained with the values then in force.
/// </summary>
public sealed class PolicyHistory
{
    private readonly ProvincePolicy[] _versions;

    private PolicyHistory(string province, ProvincePolicy[] versions) => (Province, _versions) = (province, versions);

    /// <summary>The province code.</summary>
    public string Province { get; }

    /// <summary>Every version, oldest first.</summary>
    public IReadOnlyList<ProvincePolicy> Versions => _versions;

    /// <summary>The latest version.</summary>
    public ProvincePolicy Latest => _versions[^1];

    /// <summary>A history of one version.</summary>
    public static PolicyHistory Of(ProvincePolicy first) => new PolicyHistory(first.Province, []).Publish(first);

    /// <summary>Builds a history from stored versions in any order; the same rules as publishing them one by one.</summary>
    public static PolicyHistory Of(IEnumerable<ProvincePolicy> versions)
    {
        var ordered = versions.OrderBy(v => v.Version).ToList();
        if (ordered.Count == 0)
        {
            throw new PolicyPublicationException("A policy history needs at least one version.");
        }
        var history = Of(ordered[0]);
        foreach (var version in ordered.Skip(1))
        {
            history = history.Publish(version);
        }
        return history;
    }

    /// <summary>
    /// A history with <paramref name="next"/> added. Publishing a version again with identical content is a
    /// no-op (safe to retry); the same version number with other content, a lower number, another province,
    /// or an effective date not after the latest's is refused.
    /// </summary>
    public PolicyHistory Publish(ProvincePolicy next)
    {
        if (PolicyDocument.Validate(next) is { Count: > 0 } errors)
        {
            throw new PolicyValidationException($"{next.Province} v{next.Version}", errors);
        }
        if (next.Province != Province)
        {
            throw new PolicyPublicationException($"Version {next.Version} is for province {next.Province}, not {Province}.");
        }
        if (_versions.FirstOrDefault(v => v.Version == next.Version) is { } existing)
        {
            return existing.Equals(next)
                ? this
                : throw new PolicyPublicationException(
                    $"Version {next.Version} of province {Province} is published and cannot change; publish version {Latest.Version + 1} with an effective date instead.");
        }
        if (_versions.Length > 0 && next.Version < Latest.Version)
        {
            throw new PolicyPublicationException($"Version {next.Version} is older than the latest version {Latest.Version} of province {Province}.");
        }
        if (_versions.Length > 0 && next.EffectiveFrom <= Latest.EffectiveFrom)
        {
            throw new PolicyPublicationException(
                $"Version {next.Version} takes effect {next.EffectiveFrom:yyyy-MM-dd}, not after version {Latest.Version} ({Latest.EffectiveFrom:yyyy-MM-dd}).");
        }
        return new PolicyHistory(Province, [.. _versions, next]);
    }

    /// <summary>The version in force on <paramref name="date"/>: the latest whose effective date is on or before it.</summary>
    public ProvincePolicy At(DateOnly date) =>
        TryAt(date) ?? throw new PolicyNotInForceException(Province, date, _versions[0].EffectiveFrom);

    /// <summary>The version in force on <paramref name="date"/>, or null before the first version.</summary>
    public ProvincePolicy? TryAt(DateOnly date)
    {
        for (var i = _versions.Length - 1; i >= 0; i--)
        {
            if (_versions[i].EffectiveFrom <= date)
            {
                return _versions[i];
            }
        }
        return null;
    }
}

/// <summary>No version of a province's policy is in force on a date (the date precedes the first version).</summary>
public sealed class PolicyNotInForceException(string province, DateOnly date, DateOnly firstEffective)
    : Exception($"No policy of province {province} is in force on {date:yyyy-MM-dd}; the first takes effect {firstEffective:yyyy-MM-dd}.")
{
    /// <summary>The province.</summary>
    public string Province { get; } = province;

    /// <summary>The date asked for.</summary>
    public DateOnly Date { get; } = date;
}

/// <summary>
/// The policies of every province a deployment serves, with the built-in default for provinces that
/// published none. Look-ups go by region: a household's province is the first two digits of its code.
/// </summary>
public sealed class PolicySet
{
    private readonly Dictionary<string, PolicyHistory> _histories;
    private readonly PolicyHistory _fallback;

    /// <summary>A set of histories; <paramref name="fallback"/> (default: the built-in default) covers other provinces.</summary>
    public PolicySet(IEnumerable<PolicyHistory> histories, PolicyHistory? fallback = null)
    {
        _histories = [];
        foreach (var history in histories)
        {
            if (!_histories.TryAdd(history.Province, history))
            {
                throw new PolicyPublicationException($"Province {history.Province} has two histories.");
            }
        }
        _fallback = fallback ?? PolicyHistory.Of(DefaultPolicy.Policy);
    }

    /// <summary>Only the built-in default, for every province.</summary>
    public static PolicySet DefaultOnly { get; } = new([]);

    /// <summary>
    /// Loads every <c>*.yaml</c>, <c>*.yml</c> and <c>*.json</c> file of a folder (any number of versions of any
    /// provinces). All problems of all files are reported together.
    /// </summary>
    public static PolicySet LoadDirectory(string directory)
    {
        var policies = new List<ProvincePolicy>();
        var errors = new List<PolicyError>();
        foreach (var file in Directory.EnumerateFiles(directory).Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase)
            || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".json", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal))
        {
            try
            {
                policies.Add(PolicyDocument.Load(file));
            }
            catch (PolicyValidationException ex)
            {
                errors.AddRange(ex.Errors.Select(e => e with { Path = $"{Path.GetFileName(file)}: {e.Path}" }));
            }
        }
        if (errors.Count > 0)
        {
            throw new PolicyValidationException(directory, errors);
        }
        return new PolicySet(policies.GroupBy(p => p.Province).Select(g => PolicyHistory.Of(g)));
    }

    /// <summary>The history of <paramref name="province"/>, or the fallback's.</summary>
    public PolicyHistory HistoryOf(string province) => _histories.GetValueOrDefault(province) ?? _fallback;

    /// <summary>The provinces with their own policies.</summary>
    public IReadOnlyCollection<string> Provinces => _histories.Keys;

    /// <summary>The policy in force for <paramref name="region"/> on <paramref name="date"/>.</summary>
    public ProvincePolicy At(RegionCode region, DateOnly date) => HistoryOf(region.Value[..2]).At(date);

    /// <summary>The policy in force for <paramref name="province"/> (2 digits) on <paramref name="date"/>.</summary>
    public ProvincePolicy At(string province, DateOnly date) => HistoryOf(province).At(date);
}
