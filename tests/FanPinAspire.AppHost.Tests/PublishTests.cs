using FanPin.AppHost;
using FanPin.AppHost.Hosting;
using FanPin.AppHost.Publishing;
using YamlDotNet.RepresentationModel;

namespace FanPinAspire.AppHost.Tests;

/// <summary>The published manifests parse, name every service and set every key the service gets in a local run.</summary>
public class PublishTests : IDisposable
{
    private readonly string _output = Path.Combine(Path.GetTempPath(), $"fanpin-publish-{Guid.NewGuid():N}");

    [Fact]
    public void Kubernetes_manifests_cover_every_service_with_probes_and_every_key()
    {
        var model = Composition.Model;
        Assert.NotEmpty(model.Services);
        ManifestWriter.WriteKubernetes(model, _output);
        foreach (var service in model.Services)
        {
            var documents = Load(Path.Combine(_output, $"{service.Name}.yaml"));
            var byKind = documents.ToDictionary(d => Scalar(d, "kind"));
            Assert.Equal(["ConfigMap", "Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget", "Service"], byKind.Keys.Order());

            var container = (YamlMappingNode)Sequence(At(byKind["Deployment"], "spec", "template", "spec"), "containers").Single();
            Assert.Equal("/health", Scalar(At(container, "readinessProbe", "httpGet"), "path"));
            Assert.Equal("/alive", Scalar(At(container, "livenessProbe", "httpGet"), "path"));
            Assert.NotNull(At(container, "resources", "requests"));

            var plain = ((YamlMappingNode)byKind["ConfigMap"]["data"]).Children.Keys.Select(k => k.ToString());
            var secret = Sequence(container, "env").Cast<YamlMappingNode>().Select(e => Scalar(e, "name"));
            var published = plain.Concat(secret).ToHashSet();
            Assert.Superset(LocalKeys(service), published);
            foreach (var name in Sequence(container, "env").Cast<YamlMappingNode>())
            {
                Assert.Equal(ManifestWriter.SecretName, Scalar(At(name, "valueFrom", "secretKeyRef"), "name"));
            }
        }
        var secretTemplate = Load(Path.Combine(_output, "fanpin-secrets.example.yaml")).Single();
        var secretKeys = ((YamlMappingNode)secretTemplate["stringData"]).Children.Keys.Select(k => k.ToString()).ToHashSet();
        Assert.Contains("Auth__SigningKey", secretKeys);
        Assert.All(model.Services.Where(s => s.Database is not null), s => Assert.Contains($"ConnectionStrings__{s.Database}", secretKeys));
    }

    [Fact]
    public void Compose_file_covers_every_service_and_every_key()
    {
        var model = Composition.Model;
        ManifestWriter.WriteCompose(model, _output);
        var compose = Load(Path.Combine(_output, "docker-compose.yaml")).Single();
        var services = (YamlMappingNode)compose["services"];
        Assert.Equal(model.Services.Select(s => s.Name).Order(), services.Children.Keys.Select(k => k.ToString()).Order());
        var parameters = File.ReadAllLines(Path.Combine(_output, ".env.example")).Select(l => l.TrimEnd('=')).ToHashSet();
        foreach (var service in model.Services)
        {
            var environment = (YamlMappingNode)((YamlMappingNode)services[service.Name])["environment"];
            var keys = environment.Children.Keys.Select(k => k.ToString()).ToHashSet();
            Assert.Superset(LocalKeys(service), keys);
            foreach (var (key, value) in environment.Children)
            {
                var text = value.ToString();
                if (text.StartsWith("${", StringComparison.Ordinal))
                {
                    Assert.Contains(ManifestWriter.Parameter(key.ToString()), parameters);
                }
            }
        }
    }

    /// <summary>The keys a service gets when the AppHost runs it locally (ports and addresses differ, not keys).</summary>
    private static HashSet<string> LocalKeys(ServiceResource service) =>
        AppModel.EnvironmentFor(service, _ => "x", _ => "x", _ => ("x", "x")).Keys.ToHashSet();

    private static List<YamlMappingNode> Load(string path)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(path);
        stream.Load(reader);
        return stream.Documents.Select(d => (YamlMappingNode)d.RootNode).ToList();
    }

    private static YamlMappingNode At(YamlMappingNode node, params string[] keys) =>
        keys.Aggregate(node, (current, key) => (YamlMappingNode)current[key]);

    private static string Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node[key]).Value!;

    private static YamlSequenceNode Sequence(YamlMappingNode node, string key) => (YamlSequenceNode)node[key];

    public void Dispose()
    {
        if (Directory.Exists(_output))
        {
            Directory.Delete(_output, recursive: true);
        }
        GC.SuppressFinalize(this);
    }
}
