using FanPin.Monitoring;
using FanPin.Monitoring.Grpc;
using FanPin.Monitoring.Infrastructure;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddGrpcTransport();
// Use cases, DbContext, ID hashing, policies, messaging (outbox, registry consumers) and health checks, then the background workers.
builder.AddMonitoring();
builder.Services.AddMonitoringWorkers(builder.Configuration);

var app = builder.Build();
// The schema is the service's own: it is brought up to date before the first call.
await app.Services.MigrateMonitoringDatabaseAsync().ConfigureAwait(false);
app.MapDefaultEndpoints();
app.MapGrpcService<RecordGrpcService>();
app.MapGrpcService<GuaranteeGrpcService>();
app.MapGrpcService<VisitGrpcService>();
app.MapGrpcService<FeedGrpcService>();
app.MapGrpcService<SignalGrpcService>();
app.MapGrpcHealthService();
await app.RunAsync().ConfigureAwait(false);

/// <summary>The monitoring service host (public for in-process host tests).</summary>
public partial class Program;
