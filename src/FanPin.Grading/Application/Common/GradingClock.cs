namespace FanPin.Grading.Application.Common;

/// <summary>
/// Time as grading reads it: instants in UTC, and dates in China (UTC+8, no daylight saving) because deadlines
/// are working days of a Chinese province's calendar. From the injected <see cref="TimeProvider"/>, so tests move
/// time by hand.
/// </summary>
public sealed class GradingClock(TimeProvider time)
{
    /// <summary>China Standard Time's offset.</summary>
    public static readonly TimeSpan ChinaOffset = TimeSpan.FromHours(8);

    /// <summary>Now, UTC.</summary>
    public DateTimeOffset Now => time.GetUtcNow();

    /// <summary>Today's date in China.</summary>
    public DateOnly Today => DateInChina(Now);

    /// <summary>The date in China of an instant.</summary>
    public static DateOnly DateInChina(DateTimeOffset instant) => DateOnly.FromDateTime(instant.ToOffset(ChinaOffset).DateTime);
}
