using FanPin.AppHost.Hosting;
using YamlDotNet.Serialization;

namespace FanPin.AppHost.Publishing;

/// <summary>
/// Writes deployment manifests from the app model: the same environment keys as `run`, with in-cluster
/// addresses and the external PostgreSQL, RabbitMQ and Redis as connection-string parameters (secrets).
/// </summary>
public static class ManifestWriter
{
    /// <summary>Container port of every service's gRPC endpoint.</summary>
    public const int GrpcPort = 8080;

    /// <summary>Container port of every service's health endpoint.</summary>
    public const int HealthPort = 8081;

    /// <summary>The Secret (Kubernetes) holding every connection string and key.</summary>
    public const string SecretName = "fanpin-secrets";

    private static readonly ISerializer Yaml = new SerializerBuilder().DisableAliases().Build();

    /// <summary>Environment of a service in a deployment: (value, secret) by variable name.</summary>
    public static SortedDictionary<string, (string Value, bool Secret)> DeploymentEnvironment(ServiceResource service)
    {
        var env = AppModel.EnvironmentFor(service,
            name => $"<connection string of {name}>",
            reference => $"http://{reference.Name}:{GrpcPort}",
            _ => ($"http://0.0.0.0:{GrpcPort}", $"http://0.0.0.0:{HealthPort}"));
        env["ASPNETCORE_ENVIRONMENT"] = ("Production", false);
        env["Auth__SigningKey"] = ("<the province's signing key>", true);
        if (service.Infrastructure.Any(i => i.Name == "messaging"))
        {
            // A province's broker is a cluster: replicated queues. Decide before the first start (RabbitMQ will not
            // turn an existing classic queue into a quorum queue); local runs keep classic queues.
            env["Messaging__QuorumQueues"] = ("true", false);
        }
        return env;
    }

    /// <summary>Writes one YAML file per service plus the secret template; returns the file paths.</summary>
    public static IReadOnlyList<string> WriteKubernetes(AppModel model, string output)
    {
        Directory.CreateDirectory(output);
        var files = new List<string>();
        var secretKeys = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var service in model.Services)
        {
            var env = DeploymentEnvironment(service);
            var labels = new Dictionary<string, object> { ["app.kubernetes.io/name"] = service.Name, ["app.kubernetes.io/part-of"] = "fanpin" };
            var documents = new List<object>
            {
                new Dictionary<string, object>
                {
                    ["apiVersion"] = "v1",
                    ["kind"] = "ConfigMap",
                    ["metadata"] = Metadata($"{service.Name}-config", labels),
                    ["data"] = env.Where(e => !e.Value.Secret).ToDictionary(e => e.Key, e => (object)e.Value.Value),
                },
                Deployment(service, env, labels),
                new Dictionary<string, object>
                {
                    ["apiVersion"] = "v1",
                    ["kind"] = "Service",
                    ["metadata"] = Metadata(service.Name, labels),
                    ["spec"] = new Dictionary<string, object>
                    {
                        ["selector"] = labels,
                        ["ports"] = new List<object>
                        {
                            new Dictionary<string, object> { ["name"] = "grpc", ["port"] = GrpcPort, ["targetPort"] = "grpc", ["appProtocol"] = "kubernetes.io/h2c" },
                            new Dictionary<string, object> { ["name"] = "health", ["port"] = HealthPort, ["targetPort"] = "health" },
                        },
                    },
                },
                new Dictionary<string, object>
                {
                    ["apiVersion"] = "autoscaling/v2",
                    ["kind"] = "HorizontalPodAutoscaler",
                    ["metadata"] = Metadata(service.Name, labels),
                    ["spec"] = new Dictionary<string, object>
                    {
                        ["scaleTargetRef"] = new Dictionary<string, object> { ["apiVersion"] = "apps/v1", ["kind"] = "Deployment", ["name"] = service.Name },
                        ["minReplicas"] = 2,
                        ["maxReplicas"] = 10,
                        ["metrics"] = new List<object>
                        {
                            new Dictionary<string, object>
                            {
                                ["type"] = "Resource",
                                ["resource"] = new Dictionary<string, object>
                                {
                                    ["name"] = "cpu",
                                    ["target"] = new Dictionary<string, object> { ["type"] = "Utilization", ["averageUtilization"] = 70 },
                                },
                            },
                        },
                    },
                },
                new Dictionary<string, object>
                {
                    ["apiVersion"] = "policy/v1",
                    ["kind"] = "PodDisruptionBudget",
                    ["metadata"] = Metadata(service.Name, labels),
                    ["spec"] = new Dictionary<string, object> { ["minAvailable"] = 1, ["selector"] = new Dictionary<string, object> { ["matchLabels"] = labels } },
                },
            };
            foreach (var key in env.Where(e => e.Value.Secret).Select(e => e.Key))
            {
                secretKeys.Add(key);
            }
            var path = Path.Combine(output, $"{service.Name}.yaml");
            File.WriteAllText(path, string.Join("---\n", documents.Select(Yaml.Serialize)));
            files.Add(path);
        }
        var secret = new Dictionary<string, object>
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Secret",
            ["metadata"] = Metadata(SecretName, new Dictionary<string, object> { ["app.kubernetes.io/part-of"] = "fanpin" }),
            ["type"] = "Opaque",
            ["stringData"] = secretKeys.ToDictionary(k => k, k => (object)"<set me>"),
        };
        var secretPath = Path.Combine(output, "fanpin-secrets.example.yaml");
        File.WriteAllText(secretPath, "# Fill in and apply once per province; every Deployment reads its keys from this Secret.\n" + Yaml.Serialize(secret));
        files.Add(secretPath);
        return files;
    }

    /// <summary>Writes docker-compose.yaml for a single host, with the external servers as parameters in .env.</summary>
    public static IReadOnlyList<string> WriteCompose(AppModel model, string output)
    {
        Directory.CreateDirectory(output);
        var services = new Dictionary<string, object>();
        var parameters = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var service in model.Services)
        {
            var env = DeploymentEnvironment(service);
            var environment = new Dictionary<string, object>();
            foreach (var (key, (value, secret)) in env)
            {
                if (secret)
                {
                    var parameter = Parameter(key);
                    parameters.Add(parameter);
                    environment[key] = $"${{{parameter}:?set {parameter} in .env}}";
                }
                else
                {
                    environment[key] = value;
                }
            }
            var definition = new Dictionary<string, object>
            {
                ["image"] = $"fanpin/{service.Name}:latest",
                ["build"] = new Dictionary<string, object>
                {
                    ["context"] = "..",
                    ["dockerfile"] = "deploy/Dockerfile",
                    ["args"] = new Dictionary<string, object> { ["PROJECT"] = service.ProjectPath, ["ASSEMBLY"] = service.AssemblyName },
                },
                ["restart"] = "unless-stopped",
                ["environment"] = environment,
                ["healthcheck"] = new Dictionary<string, object>
                {
                    ["test"] = new List<object> { "CMD-SHELL", $"exec 3<>/dev/tcp/127.0.0.1/{HealthPort} && printf 'GET /health HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q ' 200 ' <&3" },
                    ["interval"] = "10s",
                    ["timeout"] = "5s",
                    ["retries"] = 6,
                },
            };
            if (service.References.Count > 0)
            {
                definition["depends_on"] = service.References.ToDictionary(r => r.Name, _ => (object)new Dictionary<string, object> { ["condition"] = "service_healthy" });
            }
            services[service.Name] = definition;
        }
        var compose = Path.Combine(output, "docker-compose.yaml");
        File.WriteAllText(compose, "# FanPin on one host. Put the external PostgreSQL/RabbitMQ/Redis connection strings and keys in .env (see .env.example).\n"
            + Yaml.Serialize(new Dictionary<string, object> { ["name"] = "fanpin", ["services"] = services }));
        var example = Path.Combine(output, ".env.example");
        File.WriteAllLines(example, parameters.Select(p => $"{p}="));
        return [compose, example];
    }

    /// <summary>The compose parameter for a secret variable: upper case, underscores.</summary>
    public static string Parameter(string variable) => variable.Replace("__", "_", StringComparison.Ordinal).ToUpperInvariant();

    private static Dictionary<string, object> Metadata(string name, Dictionary<string, object> labels) =>
        new() { ["name"] = name, ["labels"] = labels };

    private static Dictionary<string, object> Deployment(ServiceResource service, SortedDictionary<string, (string Value, bool Secret)> env, Dictionary<string, object> labels)
    {
        var probe = (string path, int delay) => new Dictionary<string, object>
        {
            ["httpGet"] = new Dictionary<string, object> { ["path"] = path, ["port"] = "health" },
            ["initialDelaySeconds"] = delay,
            ["periodSeconds"] = 10,
            ["failureThreshold"] = 3,
        };
        var container = new Dictionary<string, object>
        {
            ["name"] = service.Name,
            ["image"] = $"fanpin/{service.Name}:latest",
            ["ports"] = new List<object>
            {
                new Dictionary<string, object> { ["name"] = "grpc", ["containerPort"] = GrpcPort },
                new Dictionary<string, object> { ["name"] = "health", ["containerPort"] = HealthPort },
            },
            ["envFrom"] = new List<object> { new Dictionary<string, object> { ["configMapRef"] = new Dictionary<string, object> { ["name"] = $"{service.Name}-config" } } },
            ["env"] = env.Where(e => e.Value.Secret).Select(e => (object)new Dictionary<string, object>
            {
                ["name"] = e.Key,
                ["valueFrom"] = new Dictionary<string, object> { ["secretKeyRef"] = new Dictionary<string, object> { ["name"] = SecretName, ["key"] = e.Key } },
            }).ToList(),
            ["readinessProbe"] = probe("/health", 5),
            ["livenessProbe"] = probe("/alive", 10),
            ["resources"] = new Dictionary<string, object>
            {
                ["requests"] = new Dictionary<string, object> { ["cpu"] = "250m", ["memory"] = "256Mi" },
                ["limits"] = new Dictionary<string, object> { ["memory"] = "1Gi" },
            },
        };
        return new Dictionary<string, object>
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "Deployment",
            ["metadata"] = Metadata(service.Name, labels),
            ["spec"] = new Dictionary<string, object>
            {
                ["replicas"] = 2,
                ["selector"] = new Dictionary<string, object> { ["matchLabels"] = labels },
                ["template"] = new Dictionary<string, object>
                {
                    ["metadata"] = new Dictionary<string, object> { ["labels"] = labels },
                    ["spec"] = new Dictionary<string, object>
                    {
                        ["terminationGracePeriodSeconds"] = 30,
                        ["containers"] = new List<object> { container },
                    },
                },
            },
        };
    }
}
