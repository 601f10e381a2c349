using FanPin.Notification;
using FanPin.Notification.Grpc;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddNotification();
builder.AddGrpcTransport();

var app = builder.Build();
// The schema (and the seeded default rules) is the service's own: brought up to date before the first call.
await app.Services.MigrateNotificationDatabaseAsync().ConfigureAwait(false);
app.MapDefaultEndpoints();
app.MapGrpcService<NotificationGrpcService>();
app.MapGrpcHealthService();
await app.RunAsync().ConfigureAwait(false);

/// <summary>The notification service host (public for in-process host tests).</summary>
public partial class Program;
