using FanPin.Monitoring.Application.Common;
using FanPin.Monitoring.Domain;
using FanPin.Monitoring.Domain.Events;
using FanPin.Monitoring.Infrastructure;
using Npgsql;

namespace FanPin.Monitoring.Application.Feeds;

/// <summary>An overdue feed found by the check.</summary>
public sealed record OverdueFeed(string Department, string RegionPrefix, string Period, DateOnly DueOn);

/// <summary>What the check announced.</summary>
public sealed record CheckFeedScheduleResult(IReadOnlyList<OverdueFeed> Announced);

/// <summary>
/// The feed schedule check (run by the worker, e.g. hourly): for every county that has registered households,
/// every department the province policy expects (<c>department_feeds.expected</c>) and every reporting month
/// whose due date (<c>department_feeds.due_day_of_month</c>, education only in its months) has passed, a feed
/// must have arrived whose region covers the county. A missing one raises <see cref="FeedOverdue"/> once per
/// department, county and month. The current and the previous reporting month are checked, so a check that did
/// not run for a while still catches up.
/// </summary>
public sealed class CheckFeedSchedule(MonitoringDbContext db, MonitoringClock clock, MonitoringPolicies policies)
{
    /// <summary>Runs the check.</summary>
    public async Task<CheckFeedScheduleResult> HandleAsync(CancellationToken ct = default)
    {
        var today = clock.Today;
        var now = clock.UtcNow;
        var connection = await Sql.ConnectionAsync(db, ct).ConfigureAwait(false);
        var counties = new List<string>();
        await using (var command = Sql.Command(db, connection, "SELECT DISTINCT left(region_code, 6) FROM known_households ORDER BY 1"))
        await using (var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                counties.Add(reader.GetString(0));
            }
        }
        var announced = new List<OverdueFeed>();
        await using var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        foreach (var province in counties.GroupBy(c => c[..2]))
        {
            var policy = policies.InForce(province.Key, today);
            foreach (var period in new[] { YearMonth.Of(today).AddMonths(-1), YearMonth.Of(today) })
            {
                foreach (var department in policy.DepartmentFeeds.Expected)
                {
                    if (policy.DepartmentFeeds.DueDate(department, period.Year, period.Month) is not { } due || due >= today)
                    {
                        continue;
                    }
                    await using var command = Sql.Command(db, connection, """
                        SELECT c.county FROM unnest(@counties) AS c(county)
                        WHERE NOT EXISTS (SELECT 1 FROM feeds f WHERE f.department = @department AND f.period = @period AND c.county LIKE f.region_prefix || '%')
                          AND NOT EXISTS (SELECT 1 FROM feed_overdue_notices n WHERE n.department = @department AND n.period = @period
                                          AND (c.county LIKE n.region_prefix || '%' OR n.region_prefix LIKE c.county || '%'))
                        ORDER BY 1
                        """);
                    command.Parameters.Add(new NpgsqlParameter<string[]>("counties", province.ToArray()));
                    command.Parameters.Add(new NpgsqlParameter<string>("department", department));
                    command.Parameters.Add(new NpgsqlParameter<DateOnly>("period", period.FirstDay));
                    var missing = new List<string>();
                    await using (var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false))
                    {
                        while (await reader.ReadAsync(ct).ConfigureAwait(false))
                        {
                            missing.Add(reader.GetString(0));
                        }
                    }
                    foreach (var county in missing)
                    {
                        db.FeedOverdueNotices.Add(new FeedOverdueNotice { Department = department, RegionPrefix = county, Period = period.FirstDay, DueOn = due, RaisedAt = now });
                        db.Raise(new FeedOverdue(department, period.ToString(), due, null)
                        {
                            OccurredAt = now,
                            RegionCode = ImportFeed.RegionCodeOf(county),
                            HouseholdId = null,
                        });
                        announced.Add(new OverdueFeed(department, county, period.ToString(), due));
                    }
                }
            }
        }
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return new CheckFeedScheduleResult(announced);
    }
}
