using FanPin.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace FanPin.LocalInfrastructure.Tests;

/// <summary>Servers that die or are missing explain themselves instead of hanging a test run.</summary>
public class FaultTests
{
    [Fact]
    public async Task A_server_killed_with_SIGKILL_surfaces_as_a_clear_fixture_failure()
    {
        var state = Path.Combine(Path.GetTempPath(), $"fanpin-kill-{Guid.NewGuid():N}");
        var endpoints = await SharedInfrastructure.StartAsync(
            new Dictionary<string, string>(), state, new HashSet<string> { LocalInfrastructureOptions.Postgres, LocalInfrastructureOptions.Cache });
        try
        {
            var postgres = endpoints.Owned!.Postgres!;
            var pid = postgres.ServerProcessId ?? throw new InvalidOperationException("no postmaster pid");
            System.Diagnostics.Process.GetProcessById(pid).Kill();

            var failure = await Assert.ThrowsAsync<LocalServerFailedException>(async () =>
            {
                var deadline = DateTime.UtcNow.AddSeconds(20);
                while (DateTime.UtcNow < deadline)
                {
                    var slice = IsolatedInfrastructure.On(endpoints);
                    await slice.InitializeAsync().WaitAsync(TimeSpan.FromSeconds(40));
                    await Task.Delay(200);
                }
            }).WaitAsync(TimeSpan.FromSeconds(90));
            Assert.Equal("PostgreSQL 15", failure.Server);
            Assert.Contains("PostgreSQL 15 on port", failure.Message, StringComparison.Ordinal);
            Assert.Contains(postgres.LogPath, failure.Message, StringComparison.Ordinal);
            Assert.False(postgres.IsRunning);
            Assert.True(endpoints.Owned!.Redis!.IsRunning); // the other server is untouched
        }
        finally
        {
            await SharedInfrastructure.StopAsync(endpoints);
        }
        Assert.Empty(await ProcessTable.WaitUntilGoneAsync(ProcessTable.OwnedBy(state), TimeSpan.FromSeconds(30)));
        Directory.Delete(state, recursive: true);
    }

    [Fact]
    public void A_missing_binary_names_the_Debian_package_and_the_install_command()
    {
        var server = new PostgresServer(Path.Combine(Path.GetTempPath(), "fanpin-missing"), durable: false, NullLogger.Instance, binDirectory: "/nonexistent/bin");
        var error = Assert.Throws<MissingPrerequisiteException>(server.CheckPrerequisites);
        Assert.Equal("postgresql-15", error.DebianPackage);
        Assert.Contains("apt-get install -y postgresql-15", error.Message, StringComparison.Ordinal);
        Assert.Contains("/nonexistent/bin/postgres", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Configured_connection_strings_are_used_and_nothing_is_started()
    {
        var configured = new Dictionary<string, string>
        {
            [LocalInfrastructureOptions.Postgres] = "Host=db.example;Username=u;Password=p",
            [LocalInfrastructureOptions.Messaging] = "amqp://u:p@mq.example/",
            [LocalInfrastructureOptions.Cache] = "cache.example:6379",
        };
        var state = Path.Combine(Path.GetTempPath(), $"fanpin-configured-{Guid.NewGuid():N}");
        await using var infrastructure = await LocalInfrastructure.StartAsync(new LocalInfrastructureOptions { StateDirectory = state, Configured = configured });
        Assert.Empty(infrastructure.StartedServers);
        Assert.Equal(configured, infrastructure.ConnectionStrings);
        Assert.Equal("amqp://u:p@mq.example/", infrastructure.EnvironmentVariables["ConnectionStrings__messaging"]);
        Assert.False(Directory.Exists(Path.Combine(state, "postgres")));
    }

    [Fact]
    public async Task A_state_folder_has_one_owner_at_a_time()
    {
        var state = Path.Combine(Path.GetTempPath(), $"fanpin-lock-{Guid.NewGuid():N}");
        var only = new HashSet<string> { LocalInfrastructureOptions.Cache };
        await using (await LocalInfrastructure.StartAsync(new LocalInfrastructureOptions { StateDirectory = state, Servers = only }))
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
                LocalInfrastructure.StartAsync(new LocalInfrastructureOptions { StateDirectory = state, Servers = only }));
            Assert.Contains("in use by another FanPin process", error.Message, StringComparison.Ordinal);
        }
        // Once released, the folder can be used again.
        await using var again = await LocalInfrastructure.StartAsync(new LocalInfrastructureOptions { StateDirectory = state, Servers = only });
        Assert.True(again.Redis!.IsRunning);
    }

    [Fact]
    public async Task A_stopped_server_starts_again_on_the_same_port_with_its_data()
    {
        var state = Path.Combine(Path.GetTempPath(), $"fanpin-restart-{Guid.NewGuid():N}");
        var endpoints = await SharedInfrastructure.StartAsync(new Dictionary<string, string>(), state, new HashSet<string> { LocalInfrastructureOptions.Postgres });
        try
        {
            var postgres = endpoints.Owned!.Postgres!;
            await Execute(postgres.ConnectionString, "CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)");
            var port = postgres.Port;
            await postgres.StopAsync();
            Assert.False(postgres.IsRunning);
            await postgres.StartAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
            Assert.Equal(port, postgres.Port);
            Assert.Equal(42, await Execute(postgres.ConnectionString, "SELECT v FROM kept"));
        }
        finally
        {
            await SharedInfrastructure.StopAsync(endpoints);
            Directory.Delete(state, recursive: true);
        }
    }

    [Fact]
    public async Task A_server_that_died_is_started_again_by_its_owner_on_the_same_port_and_counted()
    {
        var state = Path.Combine(Path.GetTempPath(), $"fanpin-revive-{Guid.NewGuid():N}");
        var only = new HashSet<string> { LocalInfrastructureOptions.Postgres, LocalInfrastructureOptions.Cache };
        await using (var infrastructure = await LocalInfrastructure.StartAsync(new LocalInfrastructureOptions { StateDirectory = state, Servers = only }))
        {
            Assert.Empty(await infrastructure.RestartDeadServersAsync(TimeSpan.FromSeconds(60), CancellationToken.None)); // all alive: nothing to do
            var postgres = infrastructure.Postgres!;
            await Execute(postgres.ConnectionString, "CREATE TABLE kept (v int); INSERT INTO kept VALUES (7)");
            var (port, pid) = (postgres.Port, postgres.ServerProcessId!.Value);
            System.Diagnostics.Process.GetProcessById(pid).Kill();
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (postgres.IsRunning && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
            Assert.False(postgres.IsRunning);

            var restarted = await infrastructure.RestartDeadServersAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
            Assert.Equal([postgres], restarted);
            Assert.True(postgres.IsRunning);
            Assert.Equal(port, postgres.Port);
            Assert.NotEqual(pid, postgres.ServerProcessId);
            Assert.Equal(7, await Execute(postgres.ConnectionString, "SELECT v FROM kept"));
            Assert.Equal((1, 0), (infrastructure.Restarts(postgres), infrastructure.Restarts(infrastructure.Redis!)));
        }
        Assert.Empty(await ProcessTable.WaitUntilGoneAsync(ProcessTable.OwnedBy(state), TimeSpan.FromSeconds(30)));
        Directory.Delete(state, recursive: true);
    }

    private static async Task<object?> Execute(string connectionString, string sql)
    {
        Npgsql.NpgsqlConnection.ClearAllPools();
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
