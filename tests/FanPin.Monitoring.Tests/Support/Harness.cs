using System.Collections.Concurrent;
using FanPin.Monitoring.Application.Evaluation;
using FanPin.Monitoring.Application.Feeds;
using FanPin.Monitoring.Application.Registry;
using FanPin.Monitoring.Domain;
using FanPin.Monitoring.Infrastructure;
using FanPin.Policies;
using FanPin.ServiceDefaults.Authentication;
using FanPin.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace FanPin.Monitoring.Tests.Support;

/// <summary>
/// Monitoring wired as in the service (the real use cases, DbContext and migrations) against the test class's own
/// PostgreSQL database, with a manual clock. Each <see cref="Run{TUseCase, TResult}"/> uses a fresh scope, as a
/// request would.
/// </summary>
public sealed class Harness : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<string, Lazy<Task>> Migrated = new();

    private readonly ServiceProvider _services;

    private Harness(ServiceProvider services, ManualTime time, string connectionString)
    {
        _services = services;
        Time = time;
        ConnectionString = connectionString;
    }

    /// <summary>The clock.</summary>
    public ManualTime Time { get; }

    /// <summary>The database.</summary>
    public string ConnectionString { get; }

    /// <summary>Today as the clock says.</summary>
    public DateOnly Today => DateOnly.FromDateTime(Time.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).DateTime);

    /// <summary>The shared ID hash (development key, as the registry's).</summary>
    public IdNumberHasher Hasher => _services.GetRequiredService<IdNumberHasher>();

    /// <summary>Builds the harness on the fixture's database; migrates it once per database.</summary>
    public static async Task<Harness> CreateAsync(IsolatedInfrastructure infrastructure, DateOnly today, string? policyDirectory = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"ConnectionStrings:{MonitoringServices.DatabaseName}"] = infrastructure.PostgresConnectionString,
            [MonitoringServices.PolicyDirectoryKey] = policyDirectory,
        }).Build();
        var time = new ManualTime(today);
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddLogging();
        services.AddMonitoring(configuration, isDevelopment: true);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        await Migrated.GetOrAdd(infrastructure.DatabaseName, _ => new Lazy<Task>(() => provider.MigrateMonitoringDatabaseAsync())).Value;
        return new Harness(provider, time, infrastructure.PostgresConnectionString);
    }

    /// <summary>Runs a use case in its own scope.</summary>
    public async Task<TResult> Run<TUseCase, TResult>(Func<TUseCase, Task<TResult>> run)
        where TUseCase : notnull
    {
        await using var scope = _services.CreateAsyncScope();
        return await run(scope.ServiceProvider.GetRequiredService<TUseCase>());
    }

    /// <summary>Registers a household with members through the read-model use cases (as the registry's events would).</summary>
    public async Task<Guid> RegisterAsync(string village, HouseholdCategory category, params Member[] members)
    {
        var household = Guid.CreateVersion7();
        var at = Time.GetUtcNow();
        await Run<ApplyHouseholdFacts, ReadModelResult>(u => u.HandleAsync(new HouseholdFactsChange(household, village, category, HouseholdStatus.Monitored, at)));
        foreach (var member in members)
        {
            await AddMemberAsync(household, village, member);
        }
        return household;
    }

    /// <summary>Adds a member (registered with the household, or joined/left on dates).</summary>
    public async Task<Guid> AddMemberAsync(Guid household, string village, Member member)
    {
        var id = Guid.CreateVersion7();
        var at = Time.GetUtcNow();
        var hash = Hasher.Hash(member.Id);
        await Run<ApplyMemberChange, ReadModelResult>(u => u.HandleAsync(new MemberChange(id, household, village, hash,
            member.JoinedOn is null ? MembershipChange.Registered : MembershipChange.Joined, member.JoinedOn, member.LabourAbility, at)));
        if (member.LeftOn is { } left)
        {
            await Run<ApplyMemberChange, ReadModelResult>(u => u.HandleAsync(new MemberChange(id, household, village, hash, MembershipChange.Left, left, null, at)));
        }
        return id;
    }

    /// <summary>Works off the evaluation queue.</summary>
    public Task<EvaluateQueuedResult> EvaluateAsync() =>
        Run<EvaluateQueuedHouseholds, EvaluateQueuedResult>(u => u.HandleAsync(new EvaluateQueuedRequest()));

    /// <summary>Imports rows as a feed.</summary>
    public Task<ImportFeedResult> ImportAsync(Caller caller, ImportFeedRequest request, IEnumerable<FeedRow> rows, IProgress<ImportProgress>? progress = null) =>
        Run<ImportFeed, ImportFeedResult>(u => u.HandleAsync(caller, request, ToAsync(rows), progress));

    /// <summary>Integration events of a type in the outbox (bus rows), for a household or (feed events) a region code, in outbox order.</summary>
    public async Task<List<string>> EventsAsync(string type, Guid? household = null, string? region = null)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT payload FROM outbox_message
            WHERE destination = 0 AND event_type = @type
              AND (@household::uuid IS NULL OR (payload::jsonb->>'householdId')::uuid = @household)
              AND (@region::text IS NULL OR payload::jsonb->>'regionCode' = @region)
            ORDER BY id
            """, connection);
        command.Parameters.AddWithValue("type", "FanPin.IntegrationEvents." + type);
        command.Parameters.Add(new NpgsqlParameter("household", NpgsqlTypes.NpgsqlDbType.Uuid) { Value = (object?)household ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("region", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)region ?? DBNull.Value });
        var result = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            result.Add(reader.GetString(0));
        }
        return result;
    }

    /// <summary>A scalar query.</summary>
    public async Task<T> ScalarAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _services.DisposeAsync();

    private static async IAsyncEnumerable<FeedRow> ToAsync(IEnumerable<FeedRow> rows)
    {
        foreach (var row in rows)
        {
            yield return row;
        }
        await Task.CompletedTask;
    }
}

/// <summary>A member to register: ID number, membership dates, labour ability.</summary>
public sealed record Member(IdNumber Id, DateOnly? JoinedOn = null, DateOnly? LeftOn = null, LabourAbility? LabourAbility = Policies.LabourAbility.Full)
{
    /// <summary>A fresh member registered with the household.</summary>
    public static Member New(LabourAbility ability = Policies.LabourAbility.Full) => new(TestData.NewId(), LabourAbility: ability);
}
