namespace FanPin.AppHost.Hosting;

/// <summary>An infrastructure resource the services reference by connection-string name.</summary>
public sealed record InfrastructureResource(string Name, string Kind);

/// <summary>
/// A FanPin service: its project, ports, database and what it references. The same description drives
/// `run` (local processes) and `publish` (Kubernetes and compose manifests), so both set the same keys.
/// </summary>
public sealed class ServiceResource(string name, string projectPath, int grpcPort, int healthPort)
{
    private readonly List<ServiceResource> _references = [];
    private readonly List<InfrastructureResource> _infrastructure = [];
    private readonly Dictionary<string, string> _settings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _secrets = new(StringComparer.Ordinal);

    /// <summary>Service name as used in <c>services__&lt;name&gt;__grpc__0</c> and in manifests.</summary>
    public string Name { get; } = name;

    /// <summary>The .csproj, relative to the repository root.</summary>
    public string ProjectPath { get; } = projectPath;

    /// <summary>The assembly the project builds (its file name without extension).</summary>
    public string AssemblyName => Path.GetFileNameWithoutExtension(ProjectPath);

    /// <summary>Preferred gRPC (HTTP/2 cleartext) port for local runs.</summary>
    public int GrpcPort { get; } = grpcPort;

    /// <summary>Preferred health (HTTP/1.1) port for local runs.</summary>
    public int HealthPort { get; } = healthPort;

    /// <summary>This service's own database, if any.</summary>
    public string? Database { get; private set; }

    /// <summary>Services this one calls over gRPC (started first).</summary>
    public IReadOnlyList<ServiceResource> References => _references;

    /// <summary>Infrastructure this one uses (messaging, cache).</summary>
    public IReadOnlyList<InfrastructureResource> Infrastructure => _infrastructure;

    /// <summary>Plain settings (environment variable name → development value).</summary>
    public IReadOnlyDictionary<string, string> Settings => _settings;

    /// <summary>Secret settings (environment variable name → development value; a Secret in Kubernetes).</summary>
    public IReadOnlyDictionary<string, string> Secrets => _secrets;

    /// <summary>Gives the service its own PostgreSQL database (<c>ConnectionStrings__&lt;database&gt;</c>).</summary>
    public ServiceResource WithDatabase(string database)
    {
        Database = database;
        return this;
    }

    /// <summary>Adds a gRPC dependency (<c>services__&lt;name&gt;__grpc__0</c>).</summary>
    public ServiceResource WithReference(ServiceResource service)
    {
        _references.Add(service);
        return this;
    }

    /// <summary>Adds an infrastructure dependency (<c>ConnectionStrings__&lt;name&gt;</c>).</summary>
    public ServiceResource WithReference(InfrastructureResource resource)
    {
        _infrastructure.Add(resource);
        return this;
    }

    /// <summary>Adds a plain setting.</summary>
    public ServiceResource WithSetting(string variable, string developmentValue)
    {
        _settings[variable] = developmentValue;
        return this;
    }

    /// <summary>Adds a secret setting with its development value.</summary>
    public ServiceResource WithSecret(string variable, string developmentValue)
    {
        _secrets[variable] = developmentValue;
        return this;
    }
}

/// <summary>The whole composition: infrastructure plus services, in the Aspire builder style.</summary>
public sealed class AppModel
{
    private readonly List<ServiceResource> _services = [];

    /// <summary>PostgreSQL: one server, one database per service.</summary>
    public InfrastructureResource Postgres { get; } = new("postgres", "postgresql");

    /// <summary>RabbitMQ, connection string <c>messaging</c>.</summary>
    public InfrastructureResource Messaging { get; } = new("messaging", "rabbitmq");

    /// <summary>Redis, connection string <c>cache</c>.</summary>
    public InfrastructureResource Cache { get; } = new("cache", "redis");

    /// <summary>Services in declaration order.</summary>
    public IReadOnlyList<ServiceResource> Services => _services;

    /// <summary>Declares a service project.</summary>
    public ServiceResource AddProject(string name, string projectPath, int grpcPort, int healthPort)
    {
        var service = new ServiceResource(name, projectPath, grpcPort, healthPort);
        _services.Add(service);
        return service;
    }

    /// <summary>Services ordered so that every service comes after the ones it references.</summary>
    public IReadOnlyList<ServiceResource> StartOrder()
    {
        var ordered = new List<ServiceResource>();
        var visiting = new HashSet<ServiceResource>();
        void Visit(ServiceResource s)
        {
            if (ordered.Contains(s))
            {
                return;
            }
            if (!visiting.Add(s))
            {
                throw new InvalidOperationException($"services reference each other in a cycle through {s.Name}");
            }
            foreach (var r in s.References)
            {
                Visit(r);
            }
            ordered.Add(s);
        }
        _services.ForEach(Visit);
        return ordered;
    }

    /// <summary>
    /// The environment a service gets, by variable name. <paramref name="connectionString"/> and
    /// <paramref name="grpcAddress"/> resolve names to values (local addresses in `run`, placeholders in `publish`).
    /// </summary>
    public static SortedDictionary<string, (string Value, bool Secret)> EnvironmentFor(
        ServiceResource service, Func<string, string> connectionString, Func<ServiceResource, string> grpcAddress, Func<ServiceResource, (string Grpc, string Health)> ownUrls)
    {
        var env = new SortedDictionary<string, (string, bool)>(StringComparer.Ordinal);
        if (service.Database is { } database)
        {
            env[$"ConnectionStrings__{database}"] = (connectionString(database), true);
        }
        foreach (var infrastructure in service.Infrastructure)
        {
            env[$"ConnectionStrings__{infrastructure.Name}"] = (connectionString(infrastructure.Name), true);
        }
        foreach (var reference in service.References)
        {
            env[$"services__{reference.Name}__grpc__0"] = (grpcAddress(reference), false);
        }
        var (grpc, health) = ownUrls(service);
        env["Kestrel__Endpoints__grpc__Url"] = (grpc, false);
        env["Kestrel__Endpoints__grpc__Protocols"] = ("Http2", false);
        env["Kestrel__Endpoints__health__Url"] = (health, false);
        env["Kestrel__Endpoints__health__Protocols"] = ("Http1", false);
        env["OTEL_SERVICE_NAME"] = (service.Name, false);
        foreach (var (key, value) in service.Settings)
        {
            env[key] = (value, false);
        }
        foreach (var (key, value) in service.Secrets)
        {
            env[key] = (value, true);
        }
        return env;
    }
}
