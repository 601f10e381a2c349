using FanPin.AppHost;
using FanPin.AppHost.Hosting;

// The composition, in the Aspire style: each service with its database, the services it calls and the
// infrastructure it uses. `run` starts it locally; `publish` writes Kubernetes or compose manifests from it.
var model = new AppModel();

return await AppHost.RunAsync(model, args);
