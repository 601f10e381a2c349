using FanPin.Testing;
using Npgsql;
using RabbitMQ.Client;

namespace FanPin.LocalInfrastructure.Tests;

/// <summary>Two slices of the same servers, used at the same time, never see each other's data.</summary>
public class IsolationTests
{
    [Fact]
    public async Task Parallel_slices_do_not_see_each_others_data_and_are_removed_afterwards()
    {
        var a = new IsolatedInfrastructure();
        var b = new IsolatedInfrastructure();
        await Task.WhenAll(a.InitializeAsync(), b.InitializeAsync());
        try
        {
            Assert.NotEqual(a.DatabaseName, b.DatabaseName);
            await Task.WhenAll(WriteAsync(a, "from-a"), WriteAsync(b, "from-b"));

            Assert.Equal(["from-a"], await ReadMarkersAsync(a));
            Assert.Equal(["from-b"], await ReadMarkersAsync(b));
            Assert.Equal(1u, await QueueDepthAsync(a));
            Assert.Equal(1u, await QueueDepthAsync(b));
            Assert.Equal("from-a", await RedisGetAsync(a, a.RedisKeyPrefix + "marker"));
            Assert.Equal("from-b", await RedisGetAsync(b, b.RedisKeyPrefix + "marker"));
        }
        finally
        {
            await a.DisposeAsync();
        }

        // a's database, vhost and keys are gone; b's are intact.
        await using (var admin = new NpgsqlConnection(b.Endpoints.PostgresAdmin))
        {
            await admin.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT datname FROM pg_database WHERE datname = ANY(@names)", admin);
            command.Parameters.AddWithValue("names", new[] { a.DatabaseName, b.DatabaseName });
            var names = new List<string>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                names.Add(reader.GetString(0));
            }
            Assert.Equal([b.DatabaseName], names);
        }
        using (var management = new RabbitMqManagement(b.Endpoints.RabbitMqManagement, "guest", "guest"))
        {
            var vhosts = await management.ListVhostsAsync(CancellationToken.None);
            Assert.DoesNotContain(a.VirtualHost, vhosts);
            Assert.Contains(b.VirtualHost, vhosts);
        }
        Assert.Null(await RedisGetAsync(b, a.RedisKeyPrefix + "marker"));
        Assert.Equal("from-b", await RedisGetAsync(b, b.RedisKeyPrefix + "marker"));
        await b.DisposeAsync();
    }

    private static async Task WriteAsync(IsolatedInfrastructure slice, string marker)
    {
        await using (var connection = new NpgsqlConnection(slice.PostgresConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("CREATE TABLE marker (value text); INSERT INTO marker VALUES (@v)", connection);
            command.Parameters.AddWithValue("v", marker);
            await command.ExecuteNonQueryAsync();
        }
        var factory = new ConnectionFactory { Uri = new Uri(slice.RabbitMqConnectionString) };
        await using (var rabbit = await factory.CreateConnectionAsync())
        await using (var channel = await rabbit.CreateChannelAsync())
        {
            await channel.QueueDeclareAsync("markers", durable: true, exclusive: false, autoDelete: false);
            await channel.BasicPublishAsync("", "markers", System.Text.Encoding.UTF8.GetBytes(marker));
        }
        var (host, port) = IsolatedInfrastructure.RedisHostPort(slice.RedisConfiguration);
        await RespClient.CommandAsync(host, port, ["SET", slice.RedisKeyPrefix + "marker", marker], CancellationToken.None);
    }

    private static async Task<List<string>> ReadMarkersAsync(IsolatedInfrastructure slice)
    {
        await using var connection = new NpgsqlConnection(slice.PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT value FROM marker", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetString(0));
        }
        return values;
    }

    private static async Task<uint> QueueDepthAsync(IsolatedInfrastructure slice)
    {
        var factory = new ConnectionFactory { Uri = new Uri(slice.RabbitMqConnectionString) };
        await using var rabbit = await factory.CreateConnectionAsync();
        await using var channel = await rabbit.CreateChannelAsync();
        var ok = await channel.QueueDeclarePassiveAsync("markers");
        return ok.MessageCount;
    }

    private static Task<string?> RedisGetAsync(IsolatedInfrastructure slice, string key)
    {
        var (host, port) = IsolatedInfrastructure.RedisHostPort(slice.RedisConfiguration);
        return RespClient.CommandAsync(host, port, ["GET", key], CancellationToken.None);
    }
}
