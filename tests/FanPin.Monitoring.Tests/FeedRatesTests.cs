using FanPin.Monitoring.Domain;
using FanPin.Policies;

namespace FanPin.Monitoring.Tests;

/// <summary>Feed statistics and the anomaly rule (policy department_feeds.anomaly).</summary>
public class FeedRatesTests
{
    private static readonly FeedAnomalyRule Rule = DefaultPolicy.Policy.DepartmentFeeds.Anomaly;

    private static Feed Feed(int rows, int invalid, int unmatched) => new() { RowCount = rows, InvalidRows = invalid, UnmatchedRows = unmatched };

    [Theory]
    [InlineData(100, 0, 0, 1.0, 0.0)]
    [InlineData(100, 10, 9, 0.9, 0.1)]
    [InlineData(100, 100, 0, null, 1.0)]
    [InlineData(0, 0, 0, null, null)]
    public void Rates(int rows, int invalid, int unmatched, double? match, double? error)
    {
        Assert.Equal((decimal?)match, FeedRates.MatchRate(rows, invalid, unmatched));
        Assert.Equal((decimal?)error, FeedRates.ErrorRate(rows, invalid));
    }

    [Fact]
    public void Without_earlier_feeds_only_the_error_rate_is_judged()
    {
        Assert.Empty(FeedRates.Anomalies(Feed(100, 5, 90), [], Rule));                 // 5% is not over 5%
        var anomaly = Assert.Single(FeedRates.Anomalies(Feed(100, 6, 0), [], Rule));   // 6% is
        Assert.Equal(FeedAnomalyKinds.HighErrorRate, anomaly.Kind);
    }

    [Theory]
    [InlineData(76, false)]  // match 0.76 ≥ 0.8 × 0.95 = 0.76
    [InlineData(75, true)]   // 0.75 < 0.76
    public void A_match_rate_far_below_the_usual_is_an_anomaly(int matched, bool anomaly)
    {
        Feed[] earlier = [Feed(100, 0, 5), Feed(100, 0, 4), Feed(100, 0, 6)]; // usual (median) match rate 0.95
        var kinds = FeedRates.Anomalies(Feed(100, 0, 100 - matched), earlier, Rule).Select(a => a.Kind);
        Assert.Equal(anomaly, kinds.Contains(FeedAnomalyKinds.LowMatchRate));
    }

    [Theory]
    [InlineData(500, false)]
    [InlineData(499, true)]
    public void Far_fewer_rows_than_usual_is_an_anomaly(int rows, bool anomaly)
    {
        Feed[] earlier = [Feed(1000, 0, 0), Feed(900, 0, 0), Feed(1100, 0, 0)];
        var kinds = FeedRates.Anomalies(Feed(rows, 0, 0), earlier, Rule).Select(a => a.Kind);
        Assert.Equal(anomaly, kinds.Contains(FeedAnomalyKinds.RowCountDrop));
    }

    [Fact]
    public void The_median_of_an_even_count_is_the_mean_of_the_middle_two() =>
        Assert.Equal(2.5m, FeedRates.Median([4m, 1m, 2m, 3m]));
}
