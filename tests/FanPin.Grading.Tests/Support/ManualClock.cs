namespace FanPin.Grading.Tests.Support;

/// <summary>A clock tests move by hand (deadlines, escalation). Starts on a working Monday, 10:00 in China.</summary>
public sealed class ManualClock : TimeProvider
{
    private DateTimeOffset _now = At(new DateOnly(2025, 9, 29));

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => _now;

    /// <summary>Moves to 10:00 in China on <paramref name="date"/>.</summary>
    public void SetDate(DateOnly date) => _now = At(date);

    /// <summary>Moves forward.</summary>
    public void Advance(TimeSpan by) => _now += by;

    /// <summary>Today in China.</summary>
    public DateOnly Today => DateOnly.FromDateTime(_now.ToOffset(TimeSpan.FromHours(8)).DateTime);

    private static DateTimeOffset At(DateOnly date) =>
        new DateTimeOffset(date.ToDateTime(new TimeOnly(10, 0)), TimeSpan.FromHours(8)).ToUniversalTime();
}
