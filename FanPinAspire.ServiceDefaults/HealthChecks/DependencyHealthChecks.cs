using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using RabbitMQ.Client;
using StackExchange.Redis;

namespace FanPin.ServiceDefaults.HealthChecks;

/// <summary>PostgreSQL is ready when it answers <c>SELECT 1</c>.</summary>
public sealed class PostgresHealthCheck(string connectionString) : IHealthCheck
{
    private readonly string _connectionString = new NpgsqlConnectionStringBuilder(connectionString) { Timeout = 3 }.ConnectionString;

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = new NpgsqlConnection(_connectionString);
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException or System.Net.Sockets.SocketException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"PostgreSQL: {ex.Message}", ex);
        }
    }
}

/// <summary>RabbitMQ is ready when an AMQP connection is open (kept and reused between checks).</summary>
public sealed class RabbitMqHealthCheck(string amqpUri) : IHealthCheck, IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IConnection? _connection;

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_connection is not { IsOpen: true })
            {
                if (_connection is not null)
                {
                    await _connection.DisposeAsync().ConfigureAwait(false);
                }
                var factory = new ConnectionFactory
                {
                    Uri = new Uri(amqpUri),
                    RequestedConnectionTimeout = TimeSpan.FromSeconds(3),
                    AutomaticRecoveryEnabled = false,
                    ClientProvidedName = "health-check",
                };
                _connection = await factory.CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
            }
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is RabbitMQ.Client.Exceptions.BrokerUnreachableException or System.Net.Sockets.SocketException or IOException or TimeoutException or OperationCanceledException)
        {
            _connection = null;
            return new HealthCheckResult(context.Registration.FailureStatus, $"RabbitMQ: {ex.Message}", ex);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
        }
        _gate.Dispose();
    }
}

/// <summary>Redis is ready when it answers PING.</summary>
public sealed class RedisHealthCheck(IConnectionMultiplexer redis) : IHealthCheck
{
    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var latency = await redis.GetDatabase().PingAsync().WaitAsync(TimeSpan.FromSeconds(3), cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"PING {latency.TotalMilliseconds:0.0} ms");
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"Redis: {ex.Message}", ex);
        }
    }
}

/// <summary>Registration helpers: each service adds the checks of the dependencies it uses.</summary>
public static class DependencyHealthCheckExtensions
{
    /// <summary>Tag of checks that make up readiness (<c>/health</c>).</summary>
    public const string Ready = "ready";

    /// <summary>Adds a PostgreSQL readiness check.</summary>
    public static IHealthChecksBuilder AddPostgres(this IHealthChecksBuilder builder, string connectionString, string name = "postgres") =>
        builder.Add(new HealthCheckRegistration(name, _ => new PostgresHealthCheck(connectionString), HealthStatus.Unhealthy, [Ready], TimeSpan.FromSeconds(5)));

    /// <summary>Adds a RabbitMQ readiness check.</summary>
    public static IHealthChecksBuilder AddRabbitMq(this IHealthChecksBuilder builder, string amqpUri, string name = "rabbitmq")
    {
        builder.Services.AddSingleton(new RabbitMqHealthCheck(amqpUri));
        return builder.Add(new HealthCheckRegistration(name, sp => sp.GetRequiredService<RabbitMqHealthCheck>(), HealthStatus.Unhealthy, [Ready], TimeSpan.FromSeconds(5)));
    }

    /// <summary>Adds a Redis readiness check against the registered multiplexer.</summary>
    public static IHealthChecksBuilder AddRedis(this IHealthChecksBuilder builder, string name = "redis") =>
        builder.Add(new HealthCheckRegistration(name, sp => new RedisHealthCheck(sp.GetRequiredService<IConnectionMultiplexer>()), HealthStatus.Unhealthy, [Ready], TimeSpan.FromSeconds(5)));
}
