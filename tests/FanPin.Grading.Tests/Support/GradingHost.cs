using FanPin.Grading.Application.Grading;
using FanPin.Grading.Domain;
using FanPin.Grading.Infrastructure;
using FanPin.Policies;
using FanPin.ServiceDefaults.Authentication;
using FanPin.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace FanPin.Grading.Tests.Support;

/// <summary>
/// Grading's services against a real PostgreSQL database and Redis key prefix of the test class's own
/// (<see cref="IsolatedInfrastructure"/>), with a manual clock and no background services: tests call the use
/// cases (and the sweeps) themselves.
/// </summary>
public class GradingHost : IAsyncLifetime
{
    private ServiceProvider? _services;

    /// <summary>The class's database and key prefix.</summary>
    public IsolatedInfrastructure Infrastructure { get; } = new();

    /// <summary>The clock every use case reads.</summary>
    public ManualClock Clock { get; } = new();

    /// <summary>The root provider.</summary>
    public IServiceProvider Services => _services ?? throw new InvalidOperationException("not initialized");

    /// <summary>Whether the Redis projection is configured.</summary>
    protected virtual bool WithCache => true;

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        await Infrastructure.InitializeAsync();
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:gradingdb"] = Infrastructure.PostgresConnectionString,
            ["Cache:KeyPrefix"] = Infrastructure.RedisKeyPrefix,
            ["Grading:BackgroundServices"] = "false",
            ["Grading:Watch:PollInterval"] = "00:00:00.250",
            ["Grading:Watch:BatchSize"] = "7",
        };
        if (WithCache)
        {
            settings["ConnectionStrings:cache"] = Infrastructure.RedisConfiguration;
        }
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(Clock);
        services.AddApplicationServices(configuration);
        ConfigureServices(services);
        _services = services.BuildServiceProvider();
        await _services.MigrateGradingDatabaseAsync();
    }

    /// <summary>What a derived host adds to grading's services (an in-memory bus, say).</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }
        await Infrastructure.DisposeAsync();
    }

    /// <summary>Runs a use case in its own scope (as one request would).</summary>
    public async Task<TResult> Run<TUseCase, TResult>(Func<TUseCase, Task<TResult>> call)
        where TUseCase : notnull
    {
        await using var scope = Services.CreateAsyncScope();
        return await call(scope.ServiceProvider.GetRequiredService<TUseCase>());
    }

    /// <summary>A fresh context for checks.</summary>
    public async Task<T> Db<T>(Func<GradingDbContext, Task<T>> query)
    {
        await using var scope = Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<GradingDbContext>());
    }

    /// <summary>Runs SQL returning one value.</summary>
    public async Task<T> Scalar<T>(string sql)
    {
        await using var connection = await Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Registry facts for a household (a monitored household with a risk type unless told otherwise).</summary>
    public HouseholdFactsChanged Facts(Guid household, string region, LabourProfile labour, MonitoringStatus status = MonitoringStatus.Monitored,
        IReadOnlyList<RiskType>? riskTypes = null, HouseholdCategory category = HouseholdCategory.PovertyAlleviated) =>
        new(Guid.CreateVersion7(), Clock.GetUtcNow(), household, region, category, status,
            status == MonitoringStatus.Monitored ? MonitoringType.UnstablePostPoverty : null,
            riskTypes ?? [RiskType.Illness], Members(labour));

    /// <summary>Monitoring's signals for a household.</summary>
    public RiskSignalsReceived Signals(Guid household, string region, params ReceivedRiskSignal[] signals) =>
        new(Guid.CreateVersion7(), Clock.GetUtcNow(), household, region, "00/1", signals);

    /// <summary>Applies facts.</summary>
    public Task<ApplyFactsResult> ApplyFacts(HouseholdFactsChanged facts) => Run<ApplyHouseholdFacts, ApplyFactsResult>(u => u.HandleAsync(facts));

    /// <summary>Applies signals.</summary>
    public Task<ApplyFactsResult> ApplySignals(RiskSignalsReceived signals) => Run<ApplyRiskSignals, ApplyFactsResult>(u => u.HandleAsync(signals));

    /// <summary>A household of <paramref name="region"/> graded <paramref name="grade"/> (none: flagged but ungraded).</summary>
    public async Task<Guid> Graded(string region, WarningGrade? grade)
    {
        // Real time passes between two requests; warning ids (UUIDv7) carry it, and lists sort by them.
        Clock.Advance(TimeSpan.FromMilliseconds(1));
        var household = Guid.CreateVersion7();
        var labour = grade switch
        {
            WarningGrade.One => new LabourProfile(0, 0, 1, 1),
            WarningGrade.Three => new LabourProfile(0, 1, 0, 1),
            _ => new LabourProfile(0, 0, 0, 2),
        };
        await ApplyFacts(Facts(household, region, labour));
        if (grade == WarningGrade.Two)
        {
            await ApplySignals(Signals(household, region, Signal.TransfersOnly));
        }
        return household;
    }

    private static List<LabourAbility> Members(LabourProfile labour) =>
    [
        .. Enumerable.Repeat(LabourAbility.Full, labour.Full),
        .. Enumerable.Repeat(LabourAbility.Partial, labour.Partial),
        .. Enumerable.Repeat(LabourAbility.Lost, labour.Lost),
        .. Enumerable.Repeat(LabourAbility.None, labour.None),
    ];
}

/// <summary>The same host without Redis: counts come from PostgreSQL.</summary>
public sealed class GradingHostWithoutCache : GradingHost
{
    /// <inheritdoc />
    protected override bool WithCache => false;
}

/// <summary>Signals as monitoring sends them (amounts in CNY).</summary>
public static class Signal
{
    private static readonly Dictionary<string, decimal> None = [];

    /// <summary>Per-capita income below the line.</summary>
    public static ReceivedRiskSignal LowIncome(decimal perCapitaCny) =>
        new("IncomeBelowLine", new Dictionary<string, decimal> { ["perCapitaIncome"] = perCapitaCny }, new Dictionary<string, decimal> { ["monitoringLine"] = 6500m });

    /// <summary>Income only from transfers (with income above the grade I limit).</summary>
    public static ReceivedRiskSignal TransfersOnly =>
        new("TransferIncomeOnly", new Dictionary<string, decimal> { ["transferIncomeShare"] = 1m, ["perCapitaIncome"] = 7000m }, None);

    /// <summary>Unstable income.</summary>
    public static ReceivedRiskSignal Unstable => new("UnstableIncome", None, None);
}

/// <summary>Callers of each role.</summary>
public static class Callers
{
    /// <summary>Provincial staff.</summary>
    public static Caller Province(string province = "62") => new("prov-admin", CallerRole.Province, RegionPrefix.Parse(province), null);

    /// <summary>A county dispatch centre.</summary>
    public static Caller County(string county) => new("county-" + county, CallerRole.County, RegionPrefix.Parse(county), null);

    /// <summary>A township office.</summary>
    public static Caller Township(string township) => new("township-" + township, CallerRole.Township, RegionPrefix.Parse(township), null);

    /// <summary>A department of a county.</summary>
    public static Caller Department(string county, string department) => new("dept-" + department, CallerRole.Department, RegionPrefix.Parse(county), department);

    /// <summary>A downstream system.</summary>
    public static Caller Downstream(string prefix) => new("downstream", CallerRole.Downstream, RegionPrefix.Parse(prefix), null);
}

/// <summary>Small query helpers.</summary>
public static class Queries
{
    /// <summary>The open warning of a household.</summary>
    public static Task<Warning> OpenWarning(this GradingHost host, Guid household) =>
        host.Db(db => db.Warnings.AsNoTracking().SingleAsync(w => w.HouseholdId == household && w.Status != WarningStatus.Cleared));
}
