using FanPin.Registry;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.Services.AddRegistry(builder.Configuration, builder.Environment.IsDevelopment());

var app = builder.Build();
await app.Services.MigrateRegistryDatabaseAsync().ConfigureAwait(false);
app.UseAuthentication();
app.UseAuthorization();
app.MapDefaultEndpoints();
await app.RunAsync().ConfigureAwait(false);

/// <summary>The registry service host (public for in-process host tests).</summary>
public partial class Program;
