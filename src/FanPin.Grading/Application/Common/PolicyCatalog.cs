using FanPin.Policies;
using Npgsql;

namespace FanPin.Grading.Application.Common;

/// <summary>
/// The province policies grading applies: every published version in <c>policy_versions</c>, with the built-in
/// default for provinces that published none. Cached per process and reloaded when the publication order moves
/// (one indexed query per use), so every instance sees a publication as soon as it commits.
/// </summary>
public sealed class PolicyCatalog(NpgsqlDataSource dataSource)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private (long Order, PolicySet Set)? _cached;

    /// <summary>The current set.</summary>
    public async Task<PolicySet> GetAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        long order;
        await using (var command = new NpgsqlCommand("SELECT coalesce(max(publication_order), 0) FROM policy_versions", connection))
        {
            order = (long)(await command.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
        }
        if (_cached is { } hit && hit.Order == order)
        {
            return hit.Set;
        }
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_cached is { } again && again.Order >= order)
            {
                return again.Set;
            }
            var policies = new List<ProvincePolicy>();
            long loadedOrder = 0;
            await using (var command = new NpgsqlCommand("SELECT province, version, document, publication_order FROM policy_versions ORDER BY province, version", connection))
            await using (var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    policies.Add(PolicyDocument.Parse(reader.GetString(2), $"{reader.GetString(0)} v{reader.GetInt32(1)}"));
                    loadedOrder = Math.Max(loadedOrder, reader.GetInt64(3));
                }
            }
            var set = new PolicySet(policies.GroupBy(p => p.Province).Select(g => PolicyHistory.Of(g)));
            _cached = (loadedOrder, set);
            return set;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The version in force for <paramref name="province"/> on <paramref name="date"/>.</summary>
    public async Task<ProvincePolicy> AtAsync(string province, DateOnly date, CancellationToken ct) =>
        InForce(await GetAsync(ct).ConfigureAwait(false), province, date);

    /// <summary>
    /// The version in force, or the built-in default before the province's first version takes effect: a province
    /// publishing its first version for a later day is graded by the default until then.
    /// </summary>
    public static ProvincePolicy InForce(PolicySet set, string province, DateOnly date)
    {
        ArgumentNullException.ThrowIfNull(set);
        return set.HistoryOf(province).TryAt(date) ?? DefaultPolicy.Policy;
    }
}
