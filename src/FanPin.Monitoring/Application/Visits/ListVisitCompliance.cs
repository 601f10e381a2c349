using FanPin.Monitoring.Application.Common;
using FanPin.Monitoring.Domain;
using FanPin.Monitoring.Infrastructure;
using FanPin.ServiceDefaults.Authentication;
using Npgsql;

namespace FanPin.Monitoring.Application.Visits;

/// <summary>
/// Asks for visit compliance of the monitored households in a region for a month, as of a day.
/// </summary>
/// <param name="Region">Region prefix; default the caller's whole scope.</param>
/// <param name="Month">"yyyy-MM"; default the current month.</param>
/// <param name="AsOf">The day compliance is judged on; default today (or the month's last day for a past month).</param>
/// <param name="OverdueOnly">Only households behind their visits (the overdue list).</param>
/// <param name="PageSize">Page size.</param>
/// <param name="PageToken">Next page token.</param>
public sealed record ListVisitComplianceRequest(string? Region = null, string? Month = null, DateOnly? AsOf = null, bool OverdueOnly = false,
    int PageSize = 0, string? PageToken = null);

/// <summary>One household's visits against the policy.</summary>
/// <param name="HouseholdId">The household.</param>
/// <param name="RegionCode">Its village.</param>
/// <param name="VisitsMade">Visits in the month up to the day judged.</param>
/// <param name="VisitsDue">Visits due by that day (policy <c>visits.per_month</c>, spread over the month).</param>
/// <param name="VisitsPerMonth">The policy's frequency.</param>
/// <param name="Overdue">Fewer visits made than due.</param>
/// <param name="LastVisitedOn">The latest visit on or before the day judged, if any.</param>
public sealed record VisitComplianceView(Guid HouseholdId, string RegionCode, int VisitsMade, int VisitsDue, int VisitsPerMonth, bool Overdue, DateOnly? LastVisitedOn);

/// <summary>A page of compliance rows with the policy applied.</summary>
public sealed record ListVisitComplianceResult(string Month, DateOnly AsOf, int VisitsPerMonth, string PolicyProvince, int PolicyVersion,
    IReadOnlyList<VisitComplianceView> Households, string NextPageToken);

/// <summary>
/// Visit compliance of monitored households (helpers must visit <c>visits.per_month</c> times a month; the
/// k-th visit is due by the end of the k-th part of the month) and the overdue list. One query for the page.
/// </summary>
public sealed class ListVisitCompliance(MonitoringDbContext db, MonitoringClock clock, MonitoringPolicies policies)
{
    /// <summary>Lists a page.</summary>
    public async Task<ListVisitComplianceResult> HandleAsync(Caller caller, ListVisitComplianceRequest request, CancellationToken ct = default)
    {
        RegionScope.DemandRole(caller, "read visit compliance", MonitoringAccess.Read);
        var validator = new Validator();
        RegionPrefix? requested = null;
        if (!string.IsNullOrEmpty(request.Region))
        {
            validator.Require(RegionPrefix.TryParse(request.Region, out var p, out var error), "region", error);
            requested = p;
        }
        var month = clock.CurrentMonth;
        if (!string.IsNullOrEmpty(request.Month))
        {
            validator.Require(YearMonth.TryParse(request.Month, out month), "month", $"'{request.Month}' is not a month (yyyy-MM)");
        }
        var size = Paging.SizeOf(request.PageSize, validator);
        var key = Paging.KeyOf(request.PageToken, validator);
        string? afterRegion = null;
        Guid afterId = Guid.Empty;
        if (key is not null)
        {
            var parts = key.Split('|');
            validator.Require(parts.Length == 2 && Guid.TryParse(parts[1], out afterId), "page_token", "is not a page token returned by this list");
            afterRegion = parts[0];
        }
        validator.ThrowIfInvalid();
        var prefix = RegionScope.Narrow(caller, requested);
        var asOf = request.AsOf ?? (month < clock.CurrentMonth ? month.LastDay : clock.Today);
        // A prefix has at least the province's two digits: one policy serves the whole list.
        var policy = policies.InForce(prefix.Value, asOf);
        var perMonth = policy.Visits.PerMonth;
        var due = VisitSchedule.DueSoFar(month, perMonth, asOf);
        var connection = await Sql.ConnectionAsync(db, ct).ConfigureAwait(false);
        await using var command = Sql.Command(db, connection, $"""
            SELECT h.id, h.region_code, count(v.id)::int AS made,
                   (SELECT max(x.visited_on) FROM visits x WHERE x.household_id = h.id AND x.visited_on <= @asOf) AS last_visit
            FROM known_households h
            LEFT JOIN visits v ON v.household_id = h.id AND v.visited_on BETWEEN @first AND @asOf
            WHERE h.status = @monitored AND h.region_code LIKE @prefix
              AND (@afterRegion::text IS NULL OR (h.region_code, h.id) > (@afterRegion::text, @afterId))
            GROUP BY h.id, h.region_code
            {(request.OverdueOnly ? "HAVING count(v.id) < @due" : "")}
            ORDER BY h.region_code, h.id
            LIMIT @limit
            """);
        command.Parameters.Add(new NpgsqlParameter<DateOnly>("asOf", asOf));
        command.Parameters.Add(new NpgsqlParameter<DateOnly>("first", month.FirstDay));
        command.Parameters.Add(new NpgsqlParameter<short>("monitored", (short)HouseholdStatus.Monitored));
        command.Parameters.Add(new NpgsqlParameter<string>("prefix", prefix.Value + "%"));
        command.Parameters.Add(new NpgsqlParameter("afterRegion", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)afterRegion ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter<Guid>("afterId", afterId));
        command.Parameters.Add(new NpgsqlParameter<int>("due", due));
        command.Parameters.Add(new NpgsqlParameter<int>("limit", size + 1));
        var rows = new List<VisitComplianceView>();
        await using (var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                var made = reader.GetInt32(2);
                rows.Add(new VisitComplianceView(reader.GetGuid(0), reader.GetString(1), made, due, perMonth, made < due,
                    reader.IsDBNull(3) ? null : reader.GetFieldValue<DateOnly>(3)));
            }
        }
        var next = rows.Count > size ? Paging.Token($"{rows[size - 1].RegionCode}|{rows[size - 1].HouseholdId}") : "";
        return new ListVisitComplianceResult(month.ToString(), asOf, perMonth, policy.Province, policy.Version, rows.Take(size).ToList(), next);
    }
}
