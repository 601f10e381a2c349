using System.Collections.Concurrent;
using System.Globalization;
using FanPin.Assistance.Application.Common;
using FanPin.Assistance.Domain;
using FanPin.Grpc;
using FanPin.ServiceDefaults.Authentication;
using Pb = FanPin.Contracts.Monitoring.V1;

namespace FanPin.Assistance.Infrastructure;

/// <summary>
/// Short-lived bearer tokens the service calls other services with: read-only (<c>downstream</c> role), scoped to one
/// region (the household's village), signed with the shared key, cached per region until a minute before expiry.
/// </summary>
public sealed class ServiceTokens(TokenIssuer issuer, TimeProvider time)
{
    /// <summary>Subject of the tokens.</summary>
    public const string Subject = "service:assistance";

    /// <summary>Lifetime of a token.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    /// <summary>A cached token is renewed when it has less than this left.</summary>
    public static readonly TimeSpan RenewBefore = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, (string Token, DateTimeOffset Expires)> _tokens = new(StringComparer.Ordinal);

    /// <summary>A token scoped to <paramref name="region"/>.</summary>
    public string For(RegionCode region)
    {
        var now = time.GetUtcNow();
        var key = region.ToString();
        if (_tokens.TryGetValue(key, out var cached) && cached.Expires - now > RenewBefore)
        {
            return cached.Token;
        }
        var token = issuer.Issue(new Caller(Subject, CallerRole.Downstream, RegionPrefix.Parse(key), null), Lifetime);
        _tokens[key] = (token, now + Lifetime);
        return token;
    }
}

/// <summary>
/// The household's income summary from the monitoring service over gRPC: <c>RecordService.GetIncomeSummary</c>
/// (per-capita income of the policy's window for the current month, and the monitoring line) and
/// <c>GuaranteeService.GetGuaranteeStatus</c> (any gap of 两不愁三保障及饮水安全). Income counts as stable since the
/// first day of the income window (the whole window's per-capita income is what lies above the line). Null when
/// monitoring does not know the household or has no income for it; <see cref="IncomeSummaryUnavailableException"/>
/// when monitoring cannot be asked (unreachable, timed out, refused).
/// </summary>
/// <remarks>
/// The typed clients (<c>AddGrpcClient(&lt;client&gt;, "monitoring")</c>) are resolved per call, inside the error
/// handling: a missing address (<c>services__monitoring__grpc__0</c>) is reported like an unreachable service
/// instead of failing every use case that depends on this one.
/// </remarks>
public sealed class MonitoringIncomeSummaries(IServiceProvider services, ServiceTokens tokens) : IIncomeSummaries
{
    /// <summary>How long one call may take (a wall-clock deadline: the transport's, not the service's business clock).</summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);

    /// <inheritdoc />
    public async Task<IncomeSummary?> GetAsync(Guid householdId, string regionCode, CancellationToken ct)
    {
        var headers = new Metadata { { "authorization", "Bearer " + tokens.For(RegionCode.Parse(regionCode)) } };
        try
        {
            var records = services.GetRequiredService<Pb.RecordService.RecordServiceClient>();
            var guarantees = services.GetRequiredService<Pb.GuaranteeService.GuaranteeServiceClient>();
            using var incomeCall = records.GetIncomeSummaryAsync(new Pb.GetIncomeSummaryRequest { HouseholdId = householdId.ToString() }, headers,
                DateTime.UtcNow + CallTimeout, ct);
            var income = await incomeCall.ResponseAsync.ConfigureAwait(false);
            var summary = income.Summary;
            if (summary is null || !summary.HasPerCapitaIncomeFen || summary.IncomeMonthsRecorded == 0 || summary.IncomeWindow is null)
            {
                return null;
            }
            using var statusCall = guarantees.GetGuaranteeStatusAsync(new Pb.GetGuaranteeStatusRequest { HouseholdId = householdId.ToString() }, headers,
                DateTime.UtcNow + CallTimeout, ct);
            var status = await statusCall.ResponseAsync.ConfigureAwait(false);
            var stableSince = DateOnly.ParseExact(summary.IncomeWindow.First + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture);
            return new IncomeSummary(summary.PerCapitaIncomeFen, summary.MonitoringLineFen, status.Gaps.Count > 0, stableSince);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            return null;
        }
        catch (RpcException ex) when (!ct.IsCancellationRequested)
        {
            throw new IncomeSummaryUnavailableException($"the monitoring service did not answer ({ex.StatusCode}: {ex.Status.Detail})", ex);
        }
        catch (Exception ex) when (ex is HttpRequestException or InvalidOperationException && !ct.IsCancellationRequested)
        {
            throw new IncomeSummaryUnavailableException($"the monitoring service cannot be reached ({ex.Message})", ex);
        }
    }
}
