namespace FanPin.Assistance.Tests;

/// <summary>A clock the test moves by hand, so that working-day deadlines are tested on chosen dates.</summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => _now;

    /// <summary>Sets the clock to 10:00 China time on <paramref name="day"/>.</summary>
    public void SetToday(DateOnly day) => _now = new DateTimeOffset(day.ToDateTime(new TimeOnly(10, 0)), TimeSpan.FromHours(8)).ToUniversalTime();

    /// <summary>Moves the clock forward.</summary>
    public void Advance(TimeSpan by) => _now += by;
}
