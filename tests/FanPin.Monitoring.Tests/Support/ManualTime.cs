namespace FanPin.Monitoring.Tests.Support;

/// <summary>A clock the test sets: "today" is a date in China (UTC+8).</summary>
public sealed class ManualTime : TimeProvider
{
    private DateTimeOffset _now;

    public ManualTime(DateOnly today) => SetToday(today);

    public override DateTimeOffset GetUtcNow() => _now;

    /// <summary>10:00 in China on <paramref name="today"/>.</summary>
    public void SetToday(DateOnly today) => _now = new DateTimeOffset(today.ToDateTime(new TimeOnly(10, 0)), TimeSpan.FromHours(8)).ToUniversalTime();

    public void Advance(TimeSpan by) => _now += by;
}
