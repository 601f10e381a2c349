namespace FanPin.Monitoring.Domain;

/// <summary>
/// One department feed (部门数据): which department, which reporting month, for which region scope, when it
/// arrived and how its rows fared. Identified by the department's own feed id: importing the same feed id again
/// applies only rows not imported before.
/// </summary>
public sealed class Feed
{
    /// <summary>Internal key (rows, records and snapshots refer to it).</summary>
    public long Key { get; set; }

    /// <summary>The department's id of the feed (unique per department).</summary>
    public string FeedId { get; set; } = "";

    /// <summary>Department name as in the <c>dept</c> claim (e.g. <c>medical-insurance</c>).</summary>
    public string Department { get; set; } = "";

    /// <summary>First day of the reporting month (the month the feed is due in).</summary>
    public DateOnly Period { get; set; }

    /// <summary>Region prefix the feed covers (the department's scope).</summary>
    public string RegionPrefix { get; set; } = "";

    /// <summary>When the feed first arrived.</summary>
    public DateTimeOffset ArrivedAt { get; set; }

    /// <summary>When rows were last added.</summary>
    public DateTimeOffset LastImportedAt { get; set; }

    /// <summary>Who imported it first.</summary>
    public string ImportedBy { get; set; } = "";

    /// <summary>The policy's due date for this department and month; null when not expected that month.</summary>
    public DateOnly? DueOn { get; set; }

    /// <summary>Arrived after its due date.</summary>
    public bool Late { get; set; }

    /// <summary>Rows received over every import of this feed.</summary>
    public int RowCount { get; set; }

    /// <summary>Rows applied.</summary>
    public int AppliedRows { get; set; }

    /// <summary>Rows matched and valid but equal to what was recorded.</summary>
    public int UnchangedRows { get; set; }

    /// <summary>Duplicate rows.</summary>
    public int DuplicateRows { get; set; }

    /// <summary>Invalid rows.</summary>
    public int InvalidRows { get; set; }

    /// <summary>Rows naming nobody registered.</summary>
    public int UnmatchedRows { get; set; }

    /// <summary>Rows naming someone outside the feed's scope.</summary>
    public int OutsideScopeRows { get; set; }

    /// <summary>Kinds of anomaly already announced for this feed (announced once each).</summary>
    public string[] AnomaliesRaised { get; set; } = [];

    /// <summary>Valid rows whose person was found: (applied + unchanged + duplicate + outside scope) / (rows − invalid).</summary>
    public decimal? MatchRate => FeedRates.MatchRate(RowCount, InvalidRows, UnmatchedRows);

    /// <summary>Invalid rows / rows.</summary>
    public decimal? ErrorRate => FeedRates.ErrorRate(RowCount, InvalidRows);
}

/// <summary>Feed statistics and anomaly rules (pure).</summary>
public static class FeedRates
{
    /// <summary>Share of valid rows whose person was found; null without valid rows.</summary>
    public static decimal? MatchRate(int rows, int invalid, int unmatched)
    {
        var valid = rows - invalid;
        return valid <= 0 ? null : decimal.Round((decimal)(valid - unmatched) / valid, 4, MidpointRounding.AwayFromZero);
    }

    /// <summary>Share of invalid rows; null without rows.</summary>
    public static decimal? ErrorRate(int rows, int invalid) =>
        rows <= 0 ? null : decimal.Round((decimal)invalid / rows, 4, MidpointRounding.AwayFromZero);

    /// <summary>The median of earlier values (the "usual"), or null without any.</summary>
    public static decimal? Median(IReadOnlyList<decimal> values)
    {
        if (values.Count == 0)
        {
            return null;
        }
        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /// <summary>
    /// The anomalies of a feed against the department's usual feeds (policy <c>department_feeds.anomaly</c>):
    /// kind and explanation for each.
    /// </summary>
    public static IReadOnlyList<(string Kind, string Detail)> Anomalies(Feed feed, IReadOnlyList<Feed> earlier, Policies.FeedAnomalyRule rule)
    {
        var found = new List<(string, string)>();
        if (feed.ErrorRate is { } errorRate && errorRate > rule.MaxErrorRate)
        {
            found.Add((FeedAnomalyKinds.HighErrorRate,
                FormattableString.Invariant($"{feed.InvalidRows} of {feed.RowCount} rows invalid (error rate {errorRate:0.####} > {rule.MaxErrorRate:0.####})")));
        }
        var usualMatch = Median(earlier.Select(f => f.MatchRate).OfType<decimal>().ToList());
        if (usualMatch is { } usual && feed.MatchRate is { } match && match < usual * rule.MinMatchRateShareOfUsual)
        {
            found.Add((FeedAnomalyKinds.LowMatchRate,
                FormattableString.Invariant($"match rate {match:0.####} is below {rule.MinMatchRateShareOfUsual:0.##} × the usual {usual:0.####} (median of {earlier.Count} earlier feeds)")));
        }
        var usualRows = Median(earlier.Select(f => (decimal)f.RowCount).ToList());
        if (usualRows is { } rows && feed.RowCount < rows * rule.MinRowCountShareOfUsual)
        {
            found.Add((FeedAnomalyKinds.RowCountDrop,
                FormattableString.Invariant($"{feed.RowCount} rows is below {rule.MinRowCountShareOfUsual:0.##} × the usual {rows:0.#} (median of {earlier.Count} earlier feeds)")));
        }
        return found;
    }
}

/// <summary>Anomaly kinds of <see cref="Events.FeedAnomalyDetected"/>.</summary>
public static class FeedAnomalyKinds
{
    /// <summary>The match rate is far below the usual one.</summary>
    public const string LowMatchRate = "LowMatchRate";
    /// <summary>Too many invalid rows.</summary>
    public const string HighErrorRate = "HighErrorRate";
    /// <summary>Far fewer rows than usual.</summary>
    public const string RowCountDrop = "RowCountDrop";
}

/// <summary>The outcome of one feed row (the per-row ledger that makes re-imports idempotent).</summary>
public sealed class FeedRowResult
{
    /// <summary>The feed.</summary>
    public long FeedKey { get; set; }

    /// <summary>The row number the department gave (1-based data row of the file).</summary>
    public int RowNumber { get; set; }

    /// <summary>What happened to it.</summary>
    public FeedRowOutcome Outcome { get; set; }

    /// <summary>Why it was not applied; null when applied or unchanged.</summary>
    public string? Reason { get; set; }

    /// <summary>The matched household, if any.</summary>
    public Guid? HouseholdId { get; set; }
}

/// <summary>An expected feed that did not arrive by its due date, or arrived late: announced once per department, region and period.</summary>
public sealed class FeedOverdueNotice
{
    /// <summary>Department.</summary>
    public string Department { get; set; } = "";

    /// <summary>Region prefix expecting it (a county).</summary>
    public string RegionPrefix { get; set; } = "";

    /// <summary>First day of the reporting month.</summary>
    public DateOnly Period { get; set; }

    /// <summary>Due date.</summary>
    public DateOnly DueOn { get; set; }

    /// <summary>When it was announced.</summary>
    public DateTimeOffset RaisedAt { get; set; }
}
