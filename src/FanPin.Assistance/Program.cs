using FanPin.Assistance;
using FanPin.Assistance.Grpc;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddGrpcTransport();
// Use cases, DbContext, policies, the monitoring client, the overdue scan, messaging and the health checks.
builder.AddAssistance();

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
