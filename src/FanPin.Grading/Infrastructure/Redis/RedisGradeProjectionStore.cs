using System.Globalization;
using FanPin.Grading.Application.Common;
using FanPin.Grading.Domain;
using StackExchange.Redis;

namespace FanPin.Grading.Infrastructure.Redis;

/// <summary>
/// The projection on StackExchange.Redis 1.2.6 (the only version on this feed), all behind
/// <see cref="IGradeProjectionStore"/>. Keys (prefix from <c>Cache:KeyPrefix</c>, default <c>fanpin:</c>):
/// <list type="bullet">
/// <item><c>{prefix}grading:grades:{province}</c>: hash household id → <c>grade|version|region</c> (grade 0: none, kept
/// so that a late older update cannot resurrect a grade)</item>
/// <item><c>{prefix}grading:counts:{regionPrefix}</c>: hash <c>1</c>/<c>2</c>/<c>3</c> → households, for every prefix
/// length (2, 4, 6, 9, 12 digits)</item>
/// <item><c>{prefix}grading:countkeys:{province}</c>: set of the count keys of a province (to reset it without KEYS)</item>
/// <item><c>{prefix}grading:built:{province}</c>: present once the province was rebuilt from PostgreSQL; gone when Redis
/// lost its data, so readers fall back to PostgreSQL and the re-grade service rebuilds it</item>
/// </list>
/// Updates run as one Lua script per batch, so counts and grades never disagree, even under concurrent writers.
/// The script computes key names itself: fine on one Redis server, not on a cluster.
/// </summary>
public sealed class RedisGradeProjectionStore(ConnectionMultiplexer redis, string keyPrefix) : IGradeProjectionStore
{
    /// <summary>Households per script call: large enough to amortise round trips, small enough not to block Redis.</summary>
    public const int BatchSize = 500;

    private const string ApplyScript = """
        local p = ARGV[1]
        local applied = 0
        local lengths = {2, 4, 6, 9, 12}
        for i = 2, #ARGV, 4 do
          local household = ARGV[i]
          local region = ARGV[i + 1]
          local grade = tonumber(ARGV[i + 2])
          local version = tonumber(ARGV[i + 3])
          local province = string.sub(region, 1, 2)
          local gradesKey = p .. 'grading:grades:' .. province
          local current = redis.call('HGET', gradesKey, household)
          local oldGrade, oldVersion, oldRegion = 0, -1, region
          if current then
            local g, v, r = string.match(current, '^(%d+)|(%d+)|(%d+)$')
            oldGrade, oldVersion, oldRegion = tonumber(g), tonumber(v), r
          end
          if version > oldVersion then
            if oldGrade ~= grade or oldRegion ~= region then
              if oldGrade > 0 then
                for _, n in ipairs(lengths) do
                  redis.call('HINCRBY', p .. 'grading:counts:' .. string.sub(oldRegion, 1, n), tostring(oldGrade), -1)
                end
              end
              if grade > 0 then
                local setKey = p .. 'grading:countkeys:' .. province
                for _, n in ipairs(lengths) do
                  local key = p .. 'grading:counts:' .. string.sub(region, 1, n)
                  redis.call('HINCRBY', key, tostring(grade), 1)
                  redis.call('SADD', setKey, key)
                end
              end
            end
            redis.call('HSET', gradesKey, household, tostring(grade) .. '|' .. ARGV[i + 3] .. '|' .. region)
            applied = applied + 1
          end
        end
        return applied
        """;

    private const string ResetScript = """
        local p = ARGV[1]
        local setKey = p .. 'grading:countkeys:' .. ARGV[2]
        local keys = redis.call('SMEMBERS', setKey)
        for _, k in ipairs(keys) do
          redis.call('DEL', k)
        end
        redis.call('DEL', setKey, p .. 'grading:grades:' .. ARGV[2], p .. 'grading:built:' .. ARGV[2])
        return #keys
        """;

    /// <summary>The key prefix.</summary>
    public string KeyPrefix => keyPrefix;

    /// <inheritdoc />
    public bool IsConfigured => true;

    /// <inheritdoc />
    public async Task ApplyAsync(IReadOnlyList<GradeProjectionChange> changes, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var database = redis.GetDatabase();
        var pending = new List<Task>();
        foreach (var batch in changes.Chunk(BatchSize))
        {
            ct.ThrowIfCancellationRequested();
            var values = new RedisValue[1 + (batch.Length * 4)];
            values[0] = keyPrefix;
            for (var i = 0; i < batch.Length; i++)
            {
                var change = batch[i];
                values[1 + (i * 4)] = change.HouseholdId.ToString("N");
                values[2 + (i * 4)] = change.RegionCode;
                values[3 + (i * 4)] = change.Grade is { } grade ? (int)grade : 0;
                values[4 + (i * 4)] = change.Version.ToString(CultureInfo.InvariantCulture);
            }
            // Pipelined: batches go out without waiting for each other; Redis runs them one at a time.
            pending.Add(database.ScriptEvaluateAsync(ApplyScript, [], values));
        }
        await Task.WhenAll(pending).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<WarningGrade, long>> GetCountsAsync(RegionPrefix prefix, CancellationToken ct)
    {
        var entries = await redis.GetDatabase().HashGetAllAsync(keyPrefix + "grading:counts:" + prefix.Value).ConfigureAwait(false);
        var counts = new SortedDictionary<WarningGrade, long>();
        foreach (var entry in entries)
        {
            var grade = (WarningGrade)int.Parse(entry.Name.ToString(), CultureInfo.InvariantCulture);
            var count = (long)entry.Value;
            if (count != 0)
            {
                counts[grade] = count;
            }
        }
        return counts;
    }

    /// <inheritdoc />
    public async Task<(WarningGrade? Grade, long Version)?> GetGradeAsync(string regionCode, Guid householdId, CancellationToken ct)
    {
        var value = await redis.GetDatabase().HashGetAsync(keyPrefix + "grading:grades:" + regionCode[..2], householdId.ToString("N")).ConfigureAwait(false);
        if (value.IsNull)
        {
            return null;
        }
        var parts = value.ToString().Split('|');
        var grade = int.Parse(parts[0], CultureInfo.InvariantCulture);
        return (grade == 0 ? null : (WarningGrade)grade, long.Parse(parts[1], CultureInfo.InvariantCulture));
    }

    /// <inheritdoc />
    public async Task ResetProvinceAsync(string province, CancellationToken ct) =>
        await redis.GetDatabase().ScriptEvaluateAsync(ResetScript, [], [keyPrefix, province]).ConfigureAwait(false);

    /// <inheritdoc />
    public Task<bool> IsBuiltAsync(string province, CancellationToken ct) => redis.GetDatabase().KeyExistsAsync(keyPrefix + "grading:built:" + province);

    /// <inheritdoc />
    public Task MarkBuiltAsync(string province, CancellationToken ct) =>
        redis.GetDatabase().StringSetAsync(keyPrefix + "grading:built:" + province, DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
}
