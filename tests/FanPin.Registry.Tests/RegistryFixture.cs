using System.Security.Cryptography;
using FanPin.Policies;
using FanPin.Registry.Application.Common;
using FanPin.Registry.Domain;
using FanPin.Registry.Infrastructure;
using FanPin.ServiceDefaults.Authentication;
using FanPin.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace FanPin.Registry.Tests;

/// <summary>
/// A registry on its own PostgreSQL database (migrated), with Gansu's region tree down to townships plus
/// three synthetic villages per township of 城关区 (620102) and 永登县 (620121), a manual clock, fresh ID keys,
/// and the sample policies of docs/policies (provinces 45 and 51) besides the default.
/// </summary>
public sealed class RegistryFixture : IsolatedInfrastructure, IAsyncLifetime
{
    private static int _sequence;
    private ServiceProvider? _services;

    /// <summary>The clock every use case reads; starts on Monday 2025-03-03.</summary>
    public ManualTimeProvider Clock { get; } = new(new DateTimeOffset(2025, 3, 3, 2, 0, 0, TimeSpan.Zero));

    /// <summary>The HMAC key of ID numbers (to check the hashes events carry).</summary>
    public byte[] IdHashKey { get; } = RandomNumberGenerator.GetBytes(32);

    /// <summary>The configuration the registry's services were built from (database, keys, policies), for a second host on the same database.</summary>
    public IConfiguration Configuration { get; private set; } = new ConfigurationBuilder().Build();

    /// <summary>The registry's services.</summary>
    public IServiceProvider Services => _services ?? throw new InvalidOperationException("not initialized");

    /// <summary>A county-level village of 城关区 used by most tests.</summary>
    public const string Village = "620102001001";

    /// <summary>Another village of the same township.</summary>
    public const string OtherVillage = "620102001002";

    /// <summary>A village in province 51, whose sample policy skips the public notice.</summary>
    public const string Province51Village = "510104001001";

    /// <summary>A village of another county (永登县).</summary>
    public const string ForeignVillage = "620121100001";

    /// <inheritdoc />
    public new async Task InitializeAsync()
    {
        await base.InitializeAsync().ConfigureAwait(false);
        var configuration = Configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"ConnectionStrings:{RegistryServices.DatabaseName}"] = PostgresConnectionString,
            ["Registry:IdNumbers:EncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Registry:IdNumbers:HashKey"] = Convert.ToBase64String(IdHashKey),
            [RegistryServices.PolicyDirectoryKey] = Path.Combine(AppContext.BaseDirectory, "policies"),
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Clock);
        services.AddLogging();
        services.AddRegistry(configuration, isDevelopment: false);
        _services = services.BuildServiceProvider();
        await _services.MigrateRegistryDatabaseAsync().ConfigureAwait(false);
        await TestDatabase.SeedRegionsAsync(PostgresConnectionString).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public new async Task DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync().ConfigureAwait(false);
        }
        await base.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Runs a use case in its own scope (a fresh DbContext, as a request would).</summary>
    public async Task<TResult> Run<TUseCase, TResult>(Func<TUseCase, Task<TResult>> call)
        where TUseCase : notnull
    {
        await using var scope = Services.CreateAsyncScope();
        return await call(scope.ServiceProvider.GetRequiredService<TUseCase>()).ConfigureAwait(false);
    }

    /// <summary>A scalar from the database, for asserting what was (not) written.</summary>
    public Task<long> CountAsync(string sql, params (string Name, object Value)[] parameters) => TestDatabase.CountAsync(PostgresConnectionString, sql, parameters);

    /// <summary>Rows of every table that use cases write, to prove a failed call changed nothing.</summary>
    public Task<string> SnapshotAsync() => TestDatabase.SnapshotAsync(PostgresConnectionString);

    /// <summary>A new valid ID number no other test of the run uses (born 1960–1999).</summary>
    public static string NewIdNumber(DateOnly? birth = null)
    {
        var n = Interlocked.Increment(ref _sequence);
        var date = birth ?? new DateOnly(1960, 1, 1).AddDays(n / 1000 * 7 % 14000);
        return IdNumber.Create("620102", date, n % 1000).Value;
    }

    /// <summary>A valid member input.</summary>
    public static MemberInput Member(string name, Relation relation, string? idNumber = null, LabourAbility labour = LabourAbility.Full) =>
        new(name, idNumber ?? NewIdNumber(), relation, labour, HealthCondition.Healthy, null, SchoolingStage.NotInSchool, EmploymentLocation.InsideCounty, 8, true, true);
}

/// <summary>Callers of each role, as tokens would give them.</summary>
public static class Callers
{
    /// <summary>A village cadre.</summary>
    public static Caller Village(string village = RegistryFixture.Village) => new("village-cadre", CallerRole.Village, RegionPrefix.Parse(village), null);

    /// <summary>A township office.</summary>
    public static Caller Township(string township = "620102001") => new("township-office", CallerRole.Township, RegionPrefix.Parse(township), null);

    /// <summary>A county office.</summary>
    public static Caller County(string county = "620102") => new("county-office", CallerRole.County, RegionPrefix.Parse(county), null);

    /// <summary>Provincial staff.</summary>
    public static Caller Province(string province = "62") => new("province-it", CallerRole.Province, RegionPrefix.Parse(province), null);

    /// <summary>A department.</summary>
    public static Caller Department(string scope = "620102", string department = Departments.CivilAffairs) => new("dept-user", CallerRole.Department, RegionPrefix.Parse(scope), department);

    /// <summary>A downstream system.</summary>
    public static Caller Downstream(string scope = "62") => new("dashboard", CallerRole.Downstream, RegionPrefix.Parse(scope), null);
}
