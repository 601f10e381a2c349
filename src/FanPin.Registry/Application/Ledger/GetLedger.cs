using FanPin.Policies;
using FanPin.Registry.Application.Common;
using FanPin.Registry.Domain;
using FanPin.Registry.Infrastructure;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace FanPin.Registry.Application.Ledger;

/// <summary>Counts for a region: no prefix means the caller's whole scope.</summary>
public sealed record GetLedgerRequest(string? RegionPrefix);

/// <summary>"x households, y persons".</summary>
public sealed record HouseholdCount(long Households, long Persons)
{
    /// <summary>Nothing.</summary>
    public static HouseholdCount Zero { get; } = new(0, 0);

    /// <summary>Sum.</summary>
    public static HouseholdCount operator +(HouseholdCount a, HouseholdCount b) => new(a.Households + b.Households, a.Persons + b.Persons);
}

/// <summary>Counts of one monitoring type: still monitored, and risk eliminated (still watched).</summary>
public sealed record MonitoringTypeCount(MonitoringType Type, HouseholdCount Monitored, HouseholdCount RiskEliminated);

/// <summary>Counts of one child region.</summary>
public sealed record RegionCount(string RegionPrefix, HouseholdCount All, HouseholdCount Monitored);

/// <summary>The ledger (台账) of a region as counties report it.</summary>
public sealed record GetLedgerResult(
    string RegionPrefix,
    HouseholdCount All,
    IReadOnlyDictionary<HouseholdCategory, HouseholdCount> ByCategory,
    IReadOnlyDictionary<MonitoringStatus, HouseholdCount> ByStatus,
    IReadOnlyList<MonitoringTypeCount> ByMonitoringType,
    IReadOnlyDictionary<RiskType, HouseholdCount> ByRiskTypeOfMonitored,
    IReadOnlyList<RegionCount> ByChildRegion);

/// <summary>
/// Counts households and persons below a region prefix by category, status, monitoring type, risk type and
/// child region. Two grouped queries over the covering index <c>ix_households_region</c> (index-only scans:
/// every counted column is in the index), so a county of 100,000 households needs no table scan.
/// </summary>
public sealed class GetLedger(RegistryDbContext db)
{
    /// <summary>Runs the use case.</summary>
    public async Task<GetLedgerResult> HandleAsync(Caller caller, GetLedgerRequest request, CancellationToken ct = default)
    {
        RegionScope.DemandRole(caller, "read ledgers", RegistryAccess.Read);
        RegionPrefix? requested = null;
        if (!string.IsNullOrEmpty(request.RegionPrefix))
        {
            if (!RegionPrefix.TryParse(request.RegionPrefix, out var p, out var error))
            {
                throw new ValidationFailedException("region_prefix", error);
            }
            requested = p;
        }
        var prefix = RegionScope.Narrow(caller, requested);
        var childLength = prefix.Level == RegionLevel.Village ? 12 : RegionCode.PrefixLengths[(int)prefix.Level];

        var groups = new List<(string Child, HouseholdCategory Category, MonitoringStatus Status, MonitoringType? Type, HouseholdCount Count)>();
        var risks = new Dictionary<RiskType, HouseholdCount>();
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct).ConfigureAwait(false);
        try
        {
            await using (var command = new NpgsqlCommand("""
                SELECT left(region_code, @len), category, status, monitoring_type, count(*), sum(member_count)
                FROM households WHERE region_code LIKE @prefix AND dissolved_on IS NULL
                GROUP BY 1, 2, 3, 4
                """, connection))
            {
                command.Parameters.AddWithValue("len", childLength);
                command.Parameters.AddWithValue("prefix", prefix.Value + "%");
                await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    groups.Add((reader.GetString(0), Enum.Parse<HouseholdCategory>(reader.GetString(1)), Enum.Parse<MonitoringStatus>(reader.GetString(2)),
                        reader.IsDBNull(3) ? null : Enum.Parse<MonitoringType>(reader.GetString(3)), new HouseholdCount(reader.GetInt64(4), reader.GetInt64(5))));
                }
            }
            await using (var command = new NpgsqlCommand("""
                SELECT b.bit, count(*), sum(h.member_count)
                FROM households h CROSS JOIN generate_series(0, 30) AS b(bit)
                WHERE h.region_code LIKE @prefix AND h.dissolved_on IS NULL AND h.status = 'Monitored' AND (h.risk_type_mask & (1 << b.bit)) <> 0
                GROUP BY b.bit
                """, connection))
            {
                command.Parameters.AddWithValue("prefix", prefix.Value + "%");
                await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    risks[(RiskType)(reader.GetInt32(0) + 1)] = new HouseholdCount(reader.GetInt64(1), reader.GetInt64(2));
                }
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync().ConfigureAwait(false);
        }
        return Summarise(prefix.Value, groups, risks);
    }

    /// <summary>Folds the grouped rows into the ledger (pure).</summary>
    public static GetLedgerResult Summarise(
        string prefix,
        IReadOnlyList<(string Child, HouseholdCategory Category, MonitoringStatus Status, MonitoringType? Type, HouseholdCount Count)> groups,
        IReadOnlyDictionary<RiskType, HouseholdCount> risks)
    {
        HouseholdCount Sum(Func<(string Child, HouseholdCategory Category, MonitoringStatus Status, MonitoringType? Type, HouseholdCount Count), bool> where) =>
            groups.Where(where).Aggregate(HouseholdCount.Zero, (a, g) => a + g.Count);
        return new GetLedgerResult(
            prefix,
            Sum(_ => true),
            Enum.GetValues<HouseholdCategory>().ToDictionary(c => c, c => Sum(g => g.Category == c)),
            Enum.GetValues<MonitoringStatus>().ToDictionary(s => s, s => Sum(g => g.Status == s)),
            Enum.GetValues<MonitoringType>().Select(t => new MonitoringTypeCount(t,
                Sum(g => g.Type == t && g.Status == MonitoringStatus.Monitored),
                Sum(g => g.Type == t && g.Status == MonitoringStatus.RiskEliminated))).ToList(),
            Enum.GetValues<RiskType>().ToDictionary(r => r, r => risks.GetValueOrDefault(r, HouseholdCount.Zero)),
            groups.Select(g => g.Child).Distinct().Order(StringComparer.Ordinal)
                .Select(child => new RegionCount(child, Sum(g => g.Child == child), Sum(g => g.Child == child && g.Status == MonitoringStatus.Monitored)))
                .ToList());
    }
}
