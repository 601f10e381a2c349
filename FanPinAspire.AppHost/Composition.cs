using FanPin.AppHost.Hosting;

namespace FanPin.AppHost;

/// <summary>
/// The composition, in the Aspire style: each service with its database, the services it calls and the
/// infrastructure it uses. `run` starts it locally; `publish` writes Kubernetes or compose manifests from it.
/// </summary>
public static class Composition
{
    /// <summary>The whole suite.</summary>
    public static AppModel Model { get; } = Build();

    private static AppModel Build()
    {
        var model = new AppModel();

        model.AddProject("registry", "src/FanPin.Registry/FanPin.Registry.csproj", grpcPort: 7101, healthPort: 7201)
            .WithDatabase("registrydb")
            .WithReference(model.Messaging)
            .WithReference(model.Cache)
            .WithSecret("Registry__IdNumbers__EncryptionKey", DevelopmentKeys.IdNumberEncryption)
            .WithSecret("Registry__IdNumbers__HashKey", DevelopmentKeys.IdNumberHash);

        model.AddProject("monitoring", "src/FanPin.Monitoring/FanPin.Monitoring.csproj", grpcPort: 7102, healthPort: 7202)
            .WithDatabase("monitoringdb")
            .WithReference(model.Messaging)
            .WithReference(model.Cache)
            .WithSecret("Monitoring__IdNumbers__HashKey", DevelopmentKeys.IdNumberHash);

        model.AddProject("grading", "src/FanPin.Grading/FanPin.Grading.csproj", grpcPort: 7103, healthPort: 7203)
            .WithDatabase("gradingdb")
            .WithReference(model.Messaging)
            .WithReference(model.Cache);

        model.AddProject("assistance", "src/FanPin.Assistance/FanPin.Assistance.csproj", grpcPort: 7104, healthPort: 7204)
            .WithDatabase("assistancedb")
            .WithReference(model.Messaging)
            .WithReference(model.Cache)
            .WithReference(model.Services.Single(s => s.Name == "monitoring"));

        model.AddProject("notification", "src/FanPin.Notification/FanPin.Notification.csproj", grpcPort: 7105, healthPort: 7205)
            .WithDatabase("notificationdb")
            .WithReference(model.Messaging)
            .WithReference(model.Cache)
            .WithSecret("Notification__Secrets__EncryptionKey", DevelopmentKeys.NotificationSecrets);

        return model;
    }
}
