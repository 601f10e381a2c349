using FanPin.Testing;

namespace FanPin.Monitoring.Tests.Support;

/// <summary>The test class's own PostgreSQL database (and the rest of its slice), as a class fixture.</summary>
public sealed class MonitoringDatabase : IsolatedInfrastructure
{
    /// <summary>Uses the run's shared servers.</summary>
    public MonitoringDatabase()
    {
    }
}
