using System.Net;
using System.Net.Http.Headers;
using FanPin.LocalInfrastructure;
using FanPin.ServiceDefaults.Authentication;
using FanPin.ServiceDefaults.HealthChecks;
using FanPin.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FanPinAspire.ServiceDefaults.Tests;

/// <summary>A real host with the service defaults, on a loopback port.</summary>
public class HostTests
{
    [Fact]
    public async Task Health_turns_unhealthy_when_PostgreSQL_stops_and_alive_stays_up()
    {
        var state = Path.Combine(Path.GetTempPath(), $"fanpin-health-{Guid.NewGuid():N}");
        var endpoints = await SharedInfrastructure.StartAsync(new Dictionary<string, string>(), state, new HashSet<string> { LocalInfrastructureOptions.Postgres });
        try
        {
            await using var app = await StartAsync(b => b.Services.AddHealthChecks().AddPostgres(endpoints.PostgresAdmin));
            using var http = Client(app);

            using (var healthy = await http.GetAsync("/health"))
            {
                Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
                Assert.Contains("\"postgres\":{\"status\":\"Healthy\"", await healthy.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }

            await endpoints.Owned!.Postgres!.StopAsync();

            using (var unhealthy = await http.GetAsync("/health"))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, unhealthy.StatusCode);
                Assert.Contains("\"postgres\":{\"status\":\"Unhealthy\",\"description\":\"PostgreSQL:", await unhealthy.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }
            using var alive = await http.GetAsync("/alive");
            Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        }
        finally
        {
            await SharedInfrastructure.StopAsync(endpoints);
            Directory.Delete(state, recursive: true);
        }
    }

    [Fact]
    public async Task Health_covers_RabbitMQ_and_Redis_through_their_real_clients()
    {
        var slice = new IsolatedInfrastructure();
        await slice.InitializeAsync();
        try
        {
            await using var app = await StartAsync(b =>
            {
                b.Services.AddSingleton<StackExchange.Redis.IConnectionMultiplexer>(_ => StackExchange.Redis.ConnectionMultiplexer.Connect(slice.RedisConfiguration));
                b.Services.AddHealthChecks().AddRabbitMq(slice.RabbitMqConnectionString).AddRedis();
            });
            using var http = Client(app);
            using var response = await http.GetAsync("/health");
            var body = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("\"rabbitmq\":{\"status\":\"Healthy\"", body, StringComparison.Ordinal);
            Assert.Contains("\"redis\":{\"status\":\"Healthy\"", body, StringComparison.Ordinal);
        }
        finally
        {
            await slice.DisposeAsync();
        }
    }

    [Fact]
    public async Task The_caller_comes_from_a_valid_bearer_token_and_bad_tokens_say_why()
    {
        await using var app = await StartAsync(_ => { }, web => web.MapGet("/whoami", async (HttpContext context) =>
        {
            var (caller, error) = await context.AuthenticateCallerAsync();
            return caller is null ? Results.Text(error, statusCode: 401) : Results.Text($"{caller.Role} {caller.Scope}");
        }));
        using var http = Client(app);
        var issuer = app.Services.GetRequiredService<TokenIssuer>();

        Assert.Equal((HttpStatusCode.Unauthorized, "no bearer token (authorization: Bearer <token>)"), await WhoAmI(http, null));

        var good = issuer.Issue(new Caller("c", CallerRole.County, FanPin.RegionPrefix.Parse("620102"), null), TimeSpan.FromMinutes(5));
        Assert.Equal((HttpStatusCode.OK, "County 620102"), await WhoAmI(http, good));

        var expired = issuer.Issue(new Caller("c", CallerRole.County, FanPin.RegionPrefix.Parse("620102"), null), TimeSpan.FromMinutes(-5));
        var (status, text) = await WhoAmI(http, expired);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.StartsWith("invalid token", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Outside_Development_a_missing_signing_key_stops_the_service_at_start()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        var error = Assert.Throws<InvalidOperationException>(() => builder.AddServiceDefaults());
        Assert.Contains("Auth:SigningKey is not configured", error.Message, StringComparison.Ordinal);
    }

    private static async Task<(HttpStatusCode, string)> WhoAmI(HttpClient http, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/whoami");
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<WebApplication> StartAsync(Action<WebApplicationBuilder> configure, Action<WebApplication>? map = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Warning" });
        builder.AddServiceDefaults();
        configure(builder);
        var app = builder.Build();
        app.MapDefaultEndpoints();
        map?.Invoke(app);
        await app.StartAsync();
        return app;
    }

    private static HttpClient Client(WebApplication app)
    {
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new HttpClient { BaseAddress = new Uri(address) };
    }
}
