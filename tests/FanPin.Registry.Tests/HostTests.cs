using System.Net;
using System.Security.Cryptography;
using FanPin.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace FanPin.Registry.Tests;

/// <summary>A database of the run's servers (IsolatedInfrastructure has two constructors; xunit fixtures need one).</summary>
public sealed class EmptyDatabase : IsolatedInfrastructure;

public class HostTests(EmptyDatabase infrastructure) : IClassFixture<EmptyDatabase>
{
    [Fact]
    public async Task The_service_migrates_its_database_at_start_and_reports_healthy()
    {
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Production");
            b.UseSetting($"ConnectionStrings:{RegistryServices.DatabaseName}", infrastructure.PostgresConnectionString);
            b.UseSetting("ConnectionStrings:messaging", infrastructure.RabbitMqConnectionString);
            b.UseSetting("Auth:SigningKey", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            b.UseSetting("Registry:IdNumbers:EncryptionKey", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            b.UseSetting("Registry:IdNumbers:HashKey", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        });
        using var http = factory.CreateClient();
        // Ready once the database answers and the bus is connected (the host does not wait for the broker at start).
        var (status, report) = await HealthAsync(http);
        for (var attempt = 0; status != HttpStatusCode.OK && attempt < 300; attempt++)
        {
            await Task.Delay(200);
            (status, report) = await HealthAsync(http);
        }
        Assert.True(status == HttpStatusCode.OK, report);
        Assert.Contains("\"masstransit-bus\":{\"status\":\"Healthy\"", report, StringComparison.Ordinal);
        Assert.Contains("\"postgres\":{\"status\":\"Healthy\"", report, StringComparison.Ordinal);
        Assert.Contains("\"rabbitmq\":{\"status\":\"Healthy\"", report, StringComparison.Ordinal);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM \"__ef_migrations_history\" WHERE \"MigrationId\" = '20261123090000_Initial'"));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM \"__ef_migrations_history\" WHERE \"MigrationId\" = '20261124090000_Outbox'"));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM outbox_message"));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM households"));
    }

    [Fact]
    public async Task In_development_the_id_keys_come_from_appsettings_Development_json()
    {
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Development");
            b.UseSetting($"ConnectionStrings:{RegistryServices.DatabaseName}", infrastructure.PostgresConnectionString);
            b.UseSetting("ConnectionStrings:messaging", infrastructure.RabbitMqConnectionString);
        });
        var keys = factory.Services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>().GetSection("Registry:IdNumbers");
        Assert.Equal(32, Convert.FromBase64String(keys["EncryptionKey"]!).Length);
        Assert.Equal(32, Convert.FromBase64String(keys["HashKey"]!).Length);
        using var http = factory.CreateClient();
        using var alive = await http.GetAsync("/alive");
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
    }

    [Fact]
    public void Outside_development_the_id_keys_are_required()
    {
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Production");
            b.UseSetting($"ConnectionStrings:{RegistryServices.DatabaseName}", infrastructure.PostgresConnectionString);
            b.UseSetting("ConnectionStrings:messaging", infrastructure.RabbitMqConnectionString);
            b.UseSetting("Auth:SigningKey", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        });
        var ex = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains("Registry:IdNumbers:EncryptionKey", ex.ToString(), StringComparison.Ordinal);
        factory.Dispose();
    }

    private static async Task<(HttpStatusCode Status, string Report)> HealthAsync(HttpClient http)
    {
        using var health = await http.GetAsync("/health");
        return (health.StatusCode, await health.Content.ReadAsStringAsync());
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(infrastructure.PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
