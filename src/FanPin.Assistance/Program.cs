using FanPin.Assistance;
using FanPin.Assistance.Grpc;
using FanPin.ServiceDefaults.HealthChecks;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddGrpcTransport();
builder.Services.AddAssistance(builder.Configuration).AddOverdueScanSchedule();
builder.Services.AddHealthChecks().AddPostgres(builder.Configuration.GetConnectionString(AssistanceServices.DatabaseName)!);

var app = builder.Build();
// The schema (and catalogue version 1) is the service's own: brought up to date before the first request.
await app.Services.MigrateAssistanceDatabaseAsync().ConfigureAwait(false);
app.UseAuthentication();
app.UseAuthorization();
app.MapDefaultEndpoints();
app.MapGrpcService<AssistanceGrpcService>();
app.MapGrpcHealthService();
await app.RunAsync().ConfigureAwait(false);

/// <summary>The assistance service host (public for in-process host tests).</summary>
public partial class Program;
