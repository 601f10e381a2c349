using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace FanPin.AppHost.Hosting;

/// <summary>One row of the status view.</summary>
public sealed record ResourceStatus(string Name, string Kind, string State, string Endpoint, string Health, int? ProcessId, int Restarts);

/// <summary>The AppHost's status page (HTML at <c>/</c>, JSON at <c>/status</c>) on a loopback port.</summary>
public static class StatusServer
{
    /// <summary>Starts the page; <paramref name="snapshot"/> is called per request.</summary>
    public static async Task<WebApplication> StartAsync(int port, Func<CancellationToken, Task<IReadOnlyList<ResourceStatus>>> snapshot)
    {
        var builder = WebApplication.CreateBuilder();
        // Nothing from files or the environment: a service's appsettings.json (Kestrel endpoints) in the
        // output folder or ASPNETCORE_URLS must not move the status page.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        app.MapGet("/status", async (CancellationToken ct) => Results.Json(await snapshot(ct)));
        app.MapGet("/", async (CancellationToken ct) => Results.Content(Html(await snapshot(ct)), "text/html; charset=utf-8"));
        await app.StartAsync();
        return app;
    }

    /// <summary>Fetches a running AppHost's status.</summary>
    public static async Task<IReadOnlyList<ResourceStatus>> FetchAsync(Uri statusUrl, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var response = await http.GetAsync(new Uri(statusUrl, "status"), cancellationToken);
        response.EnsureSuccessStatusCode();
        var json = await response.Content.ReadAsStringAsync(cancellationToken);
        return JsonSerializer.Deserialize<List<ResourceStatus>>(json, new JsonSerializerOptions(JsonSerializerDefaults.Web)) ?? [];
    }

    /// <summary>The status as a fixed-width table.</summary>
    public static string Table(IEnumerable<ResourceStatus> rows)
    {
        var text = new StringBuilder();
        text.AppendLine($"{"resource",-14} {"kind",-11} {"state",-11} {"health",-10} {"pid",-8} {"restarts",-8} endpoint");
        foreach (var r in rows)
        {
            text.AppendLine($"{r.Name,-14} {r.Kind,-11} {r.State,-11} {r.Health,-10} {r.ProcessId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-",-8} {r.Restarts,-8} {r.Endpoint}");
        }
        return text.ToString();
    }

    private static string Html(IEnumerable<ResourceStatus> rows)
    {
        var html = new StringBuilder("<!doctype html><meta charset=utf-8><meta http-equiv=refresh content=5><title>FanPin AppHost</title>")
            .Append("<style>body{font-family:sans-serif}td,th{padding:4px 10px;text-align:left}.Running{color:green}.Failed,.Unhealthy{color:red}</style>")
            .Append("<h1>FanPin AppHost</h1><table><tr><th>resource</th><th>kind</th><th>state</th><th>health</th><th>pid</th><th>restarts</th><th>endpoint</th></tr>");
        foreach (var r in rows)
        {
            html.Append(CultureInvariant($"<tr><td>{E(r.Name)}</td><td>{E(r.Kind)}</td><td class={E(r.State)}>{E(r.State)}</td><td>{E(r.Health)}</td><td>{r.ProcessId}</td><td>{r.Restarts}</td><td>{E(r.Endpoint)}</td></tr>"));
        }
        return html.Append("</table>").ToString();
    }

    private static string CultureInvariant(FormattableString text) => FormattableString.Invariant(text);

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
