using FanPin.Grading;
using FanPin.Grading.Grpc;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddGrpcTransport();
builder.AddGrading();

var app = builder.Build();
// The schema is the service's own: it is brought up to date before the first call.
await app.Services.MigrateGradingDatabaseAsync().ConfigureAwait(false);
app.MapDefaultEndpoints();
app.MapGrpcService<PolicyGrpcService>();
app.MapGrpcService<WarningGrpcService>();
app.MapGrpcHealthService();
await app.RunAsync().ConfigureAwait(false);

/// <summary>The grading service host (public for in-process host tests).</summary>
public partial class Program;
