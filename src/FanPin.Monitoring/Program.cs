using FanPin.Monitoring;
using FanPin.Monitoring.Infrastructure;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.Services.AddMonitoring(builder.Configuration, builder.Environment.IsDevelopment());
builder.Services.AddMonitoringWorkers(builder.Configuration);

var app = builder.Build();
await app.Services.MigrateMonitoringDatabaseAsync().ConfigureAwait(false);
app.UseAuthentication();
app.UseAuthorization();
app.MapDefaultEndpoints();
await app.RunAsync().ConfigureAwait(false);

/// <summary>The monitoring service host (public for in-process host tests).</summary>
public partial class Program;
