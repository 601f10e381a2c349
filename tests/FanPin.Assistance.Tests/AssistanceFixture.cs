using System.Globalization;
using FanPin.Assistance.Application.Common;
using FanPin.Assistance.Application.Plans;
using FanPin.Assistance.Domain;
using FanPin.Policies;
using FanPin.ServiceDefaults.Authentication;
using FanPin.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace FanPin.Assistance.Tests;

/// <summary>Income summaries the test sets per household (the monitoring service's stand-in).</summary>
public sealed class FakeIncomeSummaries : IIncomeSummaries
{
    /// <summary>Summaries by household.</summary>
    public Dictionary<Guid, IncomeSummary> Summaries { get; } = [];

    /// <inheritdoc />
    public Task<IncomeSummary?> GetAsync(Guid householdId, string regionCode, CancellationToken ct) => Task.FromResult(Summaries.GetValueOrDefault(householdId));
}

/// <summary>An assistance service on its own PostgreSQL database (migrated, catalogue seeded), a Redis key prefix, a manual clock.</summary>
public sealed class AssistanceFixture : IsolatedInfrastructure, IAsyncLifetime
{
    private ServiceProvider? _services;

    /// <summary>The clock; starts on Monday 2025-03-03.</summary>
    public ManualTimeProvider Clock { get; } = new(new DateTimeOffset(2025, 3, 3, 2, 0, 0, TimeSpan.Zero));

    /// <summary>Income summaries.</summary>
    public FakeIncomeSummaries Incomes { get; } = new();

    /// <summary>The services.</summary>
    public IServiceProvider Services => _services ?? throw new InvalidOperationException("not initialized");

    /// <summary>The configuration given to the service.</summary>
    public IConfiguration Configuration { get; private set; } = null!;

    /// <summary>A village of 城关区.</summary>
    public const string Village = "620102001001";

    /// <summary>County user of 城关区.</summary>
    public static readonly Caller County = new("county-1", CallerRole.County, RegionPrefix.Parse("620102"), null);

    /// <summary>Township user of the village's township.</summary>
    public static readonly Caller Township = new("township-1", CallerRole.Township, RegionPrefix.Parse("620102001"), null);

    /// <summary>Another county's user.</summary>
    public static readonly Caller ForeignCounty = new("county-2", CallerRole.County, RegionPrefix.Parse("620121"), null);

    /// <summary>Province admin.</summary>
    public static readonly Caller Province = new("province-1", CallerRole.Province, RegionPrefix.Parse("62"), null);

    /// <summary>A department user.</summary>
    public static Caller Department(string name) => new($"dept-{name}", CallerRole.Department, RegionPrefix.Parse("620102"), name);

    /// <inheritdoc />
    public new async Task InitializeAsync()
    {
        await base.InitializeAsync().ConfigureAwait(false);
        Configuration = new ConfigurationBuilder().AddInMemoryCollection(ConnectionStringsFor(AssistanceServices.DatabaseName)).Build();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Clock);
        services.AddSingleton<IIncomeSummaries>(Incomes);
        services.AddLogging();
        services.AddAssistance(Configuration);
        _services = services.BuildServiceProvider();
        await _services.MigrateAssistanceDatabaseAsync().ConfigureAwait(false);
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

    /// <summary>Runs a use case in its own scope.</summary>
    public async Task<TResult> Run<TUseCase, TResult>(Func<TUseCase, Task<TResult>> call)
        where TUseCase : notnull
    {
        await using var scope = Services.CreateAsyncScope();
        return await call(scope.ServiceProvider.GetRequiredService<TUseCase>()).ConfigureAwait(false);
    }

    /// <summary>A scalar from the database.</summary>
    public async Task<long> CountAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(PostgresConnectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return Convert.ToInt64(await command.ExecuteScalarAsync().ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    /// <summary>Row counts of every written table.</summary>
    public async Task<string> SnapshotAsync()
    {
        var counts = new List<long>();
        foreach (var table in new[] { "measure_types", "household_warnings", "plans", "tasks", "outbox_message" })
        {
            counts.Add(await CountAsync($"SELECT count(*) FROM {table}").ConfigureAwait(false));
        }
        return string.Join(",", counts);
    }

    /// <summary>Records a warning for a new household of <paramref name="persons"/> members, first working, in <paramref name="village"/>.</summary>
    public async Task<Guid> WarnAsync(RiskType[] risks, int persons = 3, string village = Village, LabourAbility labour = LabourAbility.Full)
    {
        var household = Guid.NewGuid();
        var members = Enumerable.Range(0, persons).Select(i => i == 0 ? labour : LabourAbility.None).ToList();
        await Run<RecordWarning, IReadOnlyList<Recommendation>>(u => u.HandleAsync(County with { Scope = RegionPrefix.Parse(village[..6]) },
            new WarningInput(Guid.NewGuid(), household, RegionCode.Parse(village), WarningGrade.One, risks, members, HouseholdCategory.Ordinary))).ConfigureAwait(false);
        return household;
    }
}
