namespace FanPin.Registry.Application.Common;

/// <summary>
/// The registry's clock: the current instant and the local date in China (UTC+8, no daylight saving), on
/// which deadlines and "effective from" dates are counted. Tests pass a manual <see cref="TimeProvider"/>.
/// </summary>
public sealed class RegistryClock(TimeProvider time)
{
    private static readonly TimeSpan ChinaOffset = TimeSpan.FromHours(8);

    /// <summary>Now, in UTC (as stored).</summary>
    public DateTimeOffset Now => time.GetUtcNow();

    /// <summary>Today's date in China.</summary>
    public DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().ToOffset(ChinaOffset).DateTime);
}
