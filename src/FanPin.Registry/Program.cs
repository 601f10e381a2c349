using FanPin.Registry;
using FanPin.Registry.Grpc;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddRegistry();
builder.AddGrpcTransport();

var app = builder.Build();
// The schema is the service's own: it is brought up to date before the first call.
await app.Services.MigrateRegistryDatabaseAsync().ConfigureAwait(false);
app.MapDefaultEndpoints();
app.MapGrpcService<RegionGrpcService>();
app.MapGrpcService<HouseholdGrpcService>();
app.MapGrpcService<IdentificationGrpcService>();
app.MapGrpcService<ClosingGrpcService>();
app.MapGrpcService<LedgerGrpcService>();
app.MapGrpcHealthService();
await app.RunAsync().ConfigureAwait(false);

/// <summary>The registry service host (public for in-process host tests).</summary>
public partial class Program;
