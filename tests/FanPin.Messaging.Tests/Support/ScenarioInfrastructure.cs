using FanPin.Messaging.TestHost;
using FanPin.Testing;

namespace FanPin.Messaging.Tests.Support;

/// <summary>A test class's own database (migrated like a service's) and vhost on the run's shared servers.</summary>
public sealed class ScenarioInfrastructure : IsolatedInfrastructure, IAsyncLifetime
{
    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        await ScenarioHost.MigrateAsync(PostgresConnectionString);
    }

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync();
}
