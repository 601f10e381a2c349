using FanPin.Grading;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.Services.AddApplicationServices(builder.Configuration);

var app = builder.Build();
await app.Services.MigrateGradingDatabaseAsync().ConfigureAwait(false);
app.UseAuthentication();
app.UseAuthorization();
app.MapDefaultEndpoints();
await app.RunAsync().ConfigureAwait(false);

/// <summary>The grading service host (public for in-process host tests).</summary>
public partial class Program;
