using System.Globalization;

namespace FanPin.Grpc.Protocol;

/// <summary>The <c>grpc-timeout</c> header: at most 8 digits and a unit (H, M, S, m, u, n).</summary>
public static class GrpcTimeout
{
    private const long MaxValue = 99_999_999;

    /// <summary>Parses a header value; false for anything the protocol does not allow.</summary>
    public static bool TryParse(string? value, out TimeSpan timeout)
    {
        timeout = default;
        if (string.IsNullOrEmpty(value) || value.Length < 2 || value.Length > 9)
        {
            return false;
        }
        var digits = value.AsSpan(0, value.Length - 1);
        foreach (var c in digits)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }
        var amount = long.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        timeout = value[^1] switch
        {
            'H' => TimeSpan.FromHours(amount),
            'M' => TimeSpan.FromMinutes(amount),
            'S' => TimeSpan.FromSeconds(amount),
            'm' => TimeSpan.FromMilliseconds(amount),
            'u' => TimeSpan.FromTicks(amount * 10),
            'n' => TimeSpan.FromTicks(amount / 100),
            _ => TimeSpan.MinValue,
        };
        return timeout != TimeSpan.MinValue;
    }

    /// <summary>
    /// Formats a timeout in the finest unit that fits 8 digits, rounding up so a peer never sees less time
    /// than there is. Zero or negative becomes <c>1n</c> (the call is already late; the peer ends it).
    /// </summary>
    public static string Format(TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero)
        {
            return "1n";
        }
        var ticks = timeout.Ticks;
        if (ticks <= MaxValue / 100)
        {
            return (ticks * 100).ToString(CultureInfo.InvariantCulture) + "n";
        }
        foreach (var (unitTicks, unit) in Units)
        {
            var amount = ticks / unitTicks + (ticks % unitTicks == 0 ? 0 : 1);
            if (amount <= MaxValue)
            {
                return amount.ToString(CultureInfo.InvariantCulture) + unit;
            }
        }
        return MaxValue.ToString(CultureInfo.InvariantCulture) + "H";
    }

    private static readonly (long Ticks, char Unit)[] Units =
    [
        (TimeSpan.TicksPerMicrosecond, 'u'),
        (TimeSpan.TicksPerMillisecond, 'm'),
        (TimeSpan.TicksPerSecond, 'S'),
        (TimeSpan.TicksPerMinute, 'M'),
        (TimeSpan.TicksPerHour, 'H'),
    ];
}
