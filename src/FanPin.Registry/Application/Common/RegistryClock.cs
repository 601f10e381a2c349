namespace FanPin.Registry.Application.Common;

/// <summary>
/// The registry's clock: the current instant and the local date in China (UTC+8, no daylight saving), on
/// which deadlines and "effective from" dates are counted. Tests pass a manual <see cref="TimeProvider"/>.
/// </summary>
public sealed class RegistryClock(TimeProvider time)
{
    private static readonly TimeSpan ChinaOffset = TimeSpan.FromHours(8);

    /// <summary>Now, with the China offset.</summary>
    public DateTimeOffset Now => time.GetUtcNow().ToOffset(ChinaOffset);

    /// <summary>Today's date in China.</summary>
    public DateOnly Today => DateOnly.FromDateTime(Now.DateTime);
}
