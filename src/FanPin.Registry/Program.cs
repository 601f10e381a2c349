using FanPin.Registry;
using FanPin.ServiceDefaults.HealthChecks;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddGrpcTransport();
builder.Services.AddRegistry(builder.Configuration, builder.Environment.IsDevelopment());
builder.Services.AddHealthChecks().AddPostgres(builder.Configuration.GetConnectionString(RegistryServices.DatabaseName)!);

var app = builder.Build();
// The schema is the service's own: it is brought up to date before the first request.
await app.Services.MigrateRegistryDatabaseAsync().ConfigureAwait(false);
app.UseAuthentication();
app.UseAuthorization();
app.MapDefaultEndpoints();
app.MapGrpcHealthService();
await app.RunAsync().ConfigureAwait(false);

/// <summary>The registry service host (public for in-process host tests).</summary>
public partial class Program;
