using FanPin.Monitoring.Domain;

namespace FanPin.Monitoring.Application.Common;

/// <summary>
/// Monitoring's clock: the current instant and the local date in China (UTC+8, no daylight saving), on which
/// months, windows and due dates are counted. Tests pass a manual <see cref="TimeProvider"/>.
/// </summary>
public sealed class MonitoringClock(TimeProvider time)
{
    private static readonly TimeSpan ChinaOffset = TimeSpan.FromHours(8);

    /// <summary>Now, in UTC (what is stored).</summary>
    public DateTimeOffset UtcNow => time.GetUtcNow();

    /// <summary>Now, with the China offset.</summary>
    public DateTimeOffset Now => time.GetUtcNow().ToOffset(ChinaOffset);

    /// <summary>Today's date in China.</summary>
    public DateOnly Today => DateOnly.FromDateTime(Now.DateTime);

    /// <summary>The current month in China.</summary>
    public YearMonth CurrentMonth => YearMonth.Of(Today);
}
