using FanPin.Monitoring.Application.Common;
using FanPin.Monitoring.Domain;
using FanPin.Monitoring.Domain.Events;
using FanPin.Monitoring.Infrastructure;
using FanPin.Policies;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace FanPin.Monitoring.Application.Feeds;

/// <summary>Which feed is imported.</summary>
/// <param name="FeedId">The department's id of this feed (1–100 characters); importing it again applies only new rows.</param>
/// <param name="Department">Department name (<c>medical-insurance</c>); a department caller may only send its own.</param>
/// <param name="Period">Reporting month "yyyy-MM" (the month the feed is due in, by the policy's due day).</param>
/// <param name="Region">Region prefix the feed covers; default the caller's scope.</param>
/// <param name="Backfill">
/// Part of a back-fill of past months: the households it touches are evaluated when the back-fill ends
/// (<see cref="EndBackfill"/>) or its hold lapses, not after this feed.
/// </param>
public sealed record ImportFeedRequest(string FeedId, string Department, string Period, string? Region = null, bool Backfill = false);

/// <summary>Where an import is.</summary>
public enum FeedImportPhase
{
    /// <summary>Receiving and checking rows, copying them into staging.</summary>
    Receiving = 1,
    /// <summary>Matching persons to households.</summary>
    Matching = 2,
    /// <summary>Applying records, snapshots and facts.</summary>
    Applying = 3,
    /// <summary>Committed.</summary>
    Done = 4,
}

/// <summary>Progress of a running import.</summary>
/// <param name="Phase">The phase.</param>
/// <param name="RowsReceived">Rows received so far.</param>
/// <param name="Step">Steps of the merge done (0–5) in the matching and applying phases.</param>
public sealed record ImportProgress(FeedImportPhase Phase, int RowsReceived, int Step = 0);

/// <summary>A row that was not applied, and why.</summary>
public sealed record RowRejection(int RowNumber, FeedRowOutcome Outcome, string Reason);

/// <summary>The outcome of an import.</summary>
/// <param name="FeedKey">Internal key of the feed.</param>
/// <param name="FeedId">The department's feed id.</param>
/// <param name="Department">Department.</param>
/// <param name="Period">Reporting month.</param>
/// <param name="RegionPrefix">Region the feed covers.</param>
/// <param name="FirstImport">True when this import created the feed.</param>
/// <param name="DueOn">Due date under the policy (null when the department is not expected that month).</param>
/// <param name="Late">Arrived after its due date.</param>
/// <param name="RowsReceived">Rows in this import.</param>
/// <param name="AlreadyImported">Rows skipped because their row number was imported before under this feed id.</param>
/// <param name="Applied">Rows applied.</param>
/// <param name="Unchanged">Rows equal to what was recorded.</param>
/// <param name="Duplicates">Duplicate rows.</param>
/// <param name="Invalid">Invalid rows (including repeated row numbers).</param>
/// <param name="Unmatched">Rows naming nobody registered.</param>
/// <param name="OutsideScope">Rows naming someone outside the feed's region.</param>
/// <param name="HouseholdsQueued">Households queued for evaluation.</param>
/// <param name="MatchRate">The feed's match rate over every import of it.</param>
/// <param name="ErrorRate">The feed's error rate over every import of it.</param>
/// <param name="Rejections">Every row not applied, with its reason (all of them: nothing is dropped silently).</param>
/// <param name="Anomalies">Anomaly kinds announced by this import.</param>
public sealed record ImportFeedResult(
    long FeedKey,
    string FeedId,
    string Department,
    string Period,
    string RegionPrefix,
    bool FirstImport,
    DateOnly? DueOn,
    bool Late,
    int RowsReceived,
    int AlreadyImported,
    int Applied,
    int Unchanged,
    int Duplicates,
    int Invalid,
    int Unmatched,
    int OutsideScope,
    int HouseholdsQueued,
    decimal? MatchRate,
    decimal? ErrorRate,
    IReadOnlyList<RowRejection> Rejections,
    IReadOnlyList<string> Anomalies);

/// <summary>
/// Imports a department's monthly feed from a stream of rows (gRPC client stream or CSV file). Every row is
/// checked and hashed as it arrives and copied into staging; then one set-based merge matches persons to
/// households through the registry's keyed ID hash and applies everything in one transaction. Invalid,
/// unmatched, duplicate and out-of-scope rows come back with row number and reason; re-importing a feed id
/// skips rows already imported, so it changes nothing and announces nothing. A late feed raises FeedOverdue
/// (unless already announced), an unusual one FeedAnomaly.
/// </summary>
public sealed class ImportFeed(MonitoringDbContext db, MonitoringClock clock, MonitoringPolicies policies, IdNumberHasher hasher, FeedImportProgressBoard board,
    EvaluationWakeUp evaluation, MonitoringWorkerOptions workers)
{
    /// <summary>How often progress is reported while receiving.</summary>
    public const int ProgressEveryRows = 10_000;

    /// <summary>Imports the feed.</summary>
    public async Task<ImportFeedResult> HandleAsync(Caller caller, ImportFeedRequest request, IAsyncEnumerable<FeedRow> rows,
        IProgress<ImportProgress>? progress = null, CancellationToken ct = default)
    {
        RegionScope.DemandRole(caller, "import department feeds", MonitoringAccess.ImportFeed);
        var validator = new Validator();
        var feedId = request.FeedId?.Trim() ?? "";
        validator.Require(feedId.Length is > 0 and <= 100, "feed_id", "must be 1–100 characters");
        validator.Require(Departments.All.Contains(request.Department), "department",
            $"'{request.Department}' is not a known department; expected one of: {string.Join(", ", Departments.All)}");
        var today = clock.Today;
        var period = YearMonth.Of(today);
        if (!YearMonth.TryParse(request.Period, out period))
        {
            validator.Add("period", $"'{request.Period}' is not a month (yyyy-MM)");
        }
        else
        {
            validator.Require(period <= YearMonth.Of(today), "period", $"{period} is in the future");
        }
        RegionPrefix? requested = null;
        if (!string.IsNullOrEmpty(request.Region))
        {
            validator.Require(RegionPrefix.TryParse(request.Region, out var p, out var error), "region", error);
            requested = p;
        }
        validator.ThrowIfInvalid();
        if (caller.Role == CallerRole.Department && caller.Department != request.Department)
        {
            throw new AccessDeniedException($"department {caller.Department} may not send the feed of {request.Department}");
        }
        var scope = RegionScope.Narrow(caller, requested);
        progress = Both(board.Track(request.Department, feedId), progress);
        var now = clock.UtcNow;
        var policy = policies.InForce(scope.Value, today);
        var dueOn = policy.DepartmentFeeds.DueDate(request.Department, period.Year, period.Month);

        var connection = await Sql.ConnectionAsync(db, ct).ConfigureAwait(false);
        await using var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        var feed = (await db.Feeds.FromSqlInterpolated(
                $"SELECT * FROM feeds WHERE department = {request.Department} AND feed_id = {feedId} FOR UPDATE")
            .ToListAsync(ct).ConfigureAwait(false)).SingleOrDefault();
        var firstImport = feed is null;
        if (feed is not null && (feed.Period != period.FirstDay || feed.RegionPrefix != scope.Value))
        {
            throw new PreconditionFailedException(
                $"feed {feedId} of {request.Department} was imported for period {YearMonth.Of(feed.Period)} and region {feed.RegionPrefix}; a feed id names one feed",
                $"period {YearMonth.Of(feed.Period)}, region {feed.RegionPrefix}");
        }
        if (feed is null)
        {
            feed = new Feed
            {
                FeedId = feedId,
                Department = request.Department,
                Period = period.FirstDay,
                RegionPrefix = scope.Value,
                ArrivedAt = now,
                LastImportedAt = now,
                ImportedBy = caller.Subject,
                DueOn = dueOn,
                Late = dueOn is { } due && today > due,
            };
            db.Feeds.Add(feed);
            try
            {
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
            }
            catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
            {
                throw new PreconditionFailedException($"feed {feedId} of {request.Department} is being imported by another call; retry when it ends", "importing");
            }
        }

        // Receive: check and hash each row as it comes, copy it into staging; keep nothing but repeated row numbers.
        var merge = new FeedMerge(db, connection);
        var repeated = new List<RowRejection>();
        var seen = new HashSet<int>();
        var received = 0;
        progress?.Report(new ImportProgress(FeedImportPhase.Receiving, 0));
        using var hashing = hasher.CreateSession();
        await using (var writer = await merge.BeginStagingAsync(ct).ConfigureAwait(false))
        {
            await foreach (var row in rows.WithCancellation(ct).ConfigureAwait(false))
            {
                received++;
                if (row.RowNumber <= 0)
                {
                    repeated.Add(new RowRejection(row.RowNumber, FeedRowOutcome.Invalid, $"row_number {row.RowNumber} is not positive (row {received} of this import)"));
                }
                else if (!seen.Add(row.RowNumber))
                {
                    repeated.Add(new RowRejection(row.RowNumber, FeedRowOutcome.Invalid, $"row_number {row.RowNumber} appears more than once in this import; only the first was taken"));
                }
                else
                {
                    var checkedRow = FeedRowCheck.Check(row, request.Department, period, today);
                    var hash = checkedRow.Id is { } id ? hashing.Hash(id) : null;
                    FeedMerge.Write(writer, received, row.RowNumber, hash, checkedRow);
                }
                if (received % ProgressEveryRows == 0)
                {
                    progress?.Report(new ImportProgress(FeedImportPhase.Receiving, received));
                }
            }
            await writer.CompleteAsync(ct).ConfigureAwait(false);
        }
        progress?.Report(new ImportProgress(FeedImportPhase.Matching, received));

        IProgress<int>? steps = progress is null
            ? null
            : new StepProgress(s => progress.Report(new ImportProgress(s < 2 ? FeedImportPhase.Matching : FeedImportPhase.Applying, received, s)));
        var outcome = await merge.MergeAsync(feed.Key, firstImport, feedId, request.Department, scope.Value, now, caller.Subject,
            request.Backfill ? now + workers.BackfillHold : null, steps, ct).ConfigureAwait(false);

        feed.RowCount += outcome.Fresh;
        feed.AppliedRows += outcome.Applied;
        feed.UnchangedRows += outcome.Unchanged;
        feed.DuplicateRows += outcome.Duplicates;
        feed.InvalidRows += outcome.Invalid;
        feed.UnmatchedRows += outcome.Unmatched;
        feed.OutsideScopeRows += outcome.OutsideScope;
        var anomalies = new List<string>();
        if (outcome.Fresh > 0)
        {
            feed.LastImportedAt = now;
            await AnnounceAsync(feed, policy, now, anomalies, ct).ConfigureAwait(false);
        }
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        if (outcome.HouseholdsQueued > 0 && !request.Backfill)
        {
            evaluation.Wake();
        }
        progress?.Report(new ImportProgress(FeedImportPhase.Done, received, 5));

        var rejections = outcome.Rejected.Select(r => new RowRejection(r.RowNumber, r.Outcome, r.Reason)).Concat(repeated)
            .OrderBy(r => r.RowNumber).ToList();
        return new ImportFeedResult(feed.Key, feed.FeedId, feed.Department, period.ToString(), feed.RegionPrefix, firstImport, feed.DueOn, feed.Late,
            received, received - repeated.Count - outcome.Fresh, outcome.Applied, outcome.Unchanged, outcome.Duplicates,
            outcome.Invalid + repeated.Count, outcome.Unmatched, outcome.OutsideScope, outcome.HouseholdsQueued, feed.MatchRate, feed.ErrorRate,
            rejections, anomalies);
    }

    /// <summary>Lateness (once per department, region and period) and anomalies (once per feed and kind).</summary>
    private async Task AnnounceAsync(Feed feed, ProvincePolicy policy, DateTimeOffset now, List<string> anomalies, CancellationToken ct)
    {
        var region = RegionCodeOf(feed.RegionPrefix);
        var period = YearMonth.Of(feed.Period).ToString();
        if (feed.Late && feed.DueOn is { } due)
        {
            var prefix = feed.RegionPrefix;
            var announced = await db.FeedOverdueNotices.AnyAsync(n => n.Department == feed.Department && n.Period == feed.Period
                && (n.RegionPrefix.StartsWith(prefix) || prefix.StartsWith(n.RegionPrefix)), ct).ConfigureAwait(false);
            // Concurrent late feeds of one department and period race for the notice: the row decides (a second
            // insert waits for the first to commit and then does nothing), so one announces and none fails.
            if (!announced && await db.Database.ExecuteSqlInterpolatedAsync($"""
                    INSERT INTO feed_overdue_notices (department, region_prefix, period, due_on, raised_at)
                    VALUES ({feed.Department}, {prefix}, {feed.Period}, {due}, {now}) ON CONFLICT DO NOTHING
                    """, ct).ConfigureAwait(false) == 1)
            {
                db.Raise(new FeedOverdue(feed.Department, period, due, feed.ArrivedAt) { OccurredAt = now, RegionCode = region, HouseholdId = null });
            }
        }
        var rule = policy.DepartmentFeeds.Anomaly;
        var earlier = await db.Feeds.AsNoTracking()
            .Where(f => f.Department == feed.Department && f.RegionPrefix == feed.RegionPrefix && f.Key != feed.Key && f.Period <= feed.Period)
            .OrderByDescending(f => f.Period).ThenByDescending(f => f.Key)
            .Take(rule.UsualOverLastFeeds)
            .ToListAsync(ct).ConfigureAwait(false);
        foreach (var (kind, detail) in FeedRates.Anomalies(feed, earlier, rule))
        {
            if (feed.AnomaliesRaised.Contains(kind))
            {
                continue;
            }
            feed.AnomaliesRaised = [.. feed.AnomaliesRaised, kind];
            anomalies.Add(kind);
            db.Raise(new FeedAnomaly(feed.Department, period, feed.FeedId, kind, detail, feed.RowCount, feed.MatchRate, feed.ErrorRate)
            {
                OccurredAt = now,
                RegionCode = region,
                HouseholdId = null,
            });
        }
    }

    /// <summary>A region prefix as the 12-digit code events carry (the region itself, lower levels zero).</summary>
    public static string RegionCodeOf(string prefix) => prefix.PadRight(12, '0');

    private static IProgress<ImportProgress> Both(IProgress<ImportProgress> board, IProgress<ImportProgress>? caller) =>
        caller is null ? board : new ProgressPair(board, caller);

    private sealed class ProgressPair(IProgress<ImportProgress> first, IProgress<ImportProgress> second) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value)
        {
            first.Report(value);
            second.Report(value);
        }
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool and could reorder reports).</summary>
    private sealed class StepProgress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }
}
