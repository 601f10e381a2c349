using System.Text;

namespace FanPin.Grpc.Protocol;

/// <summary>
/// The percent-encoding of <c>grpc-message</c>: UTF-8 bytes outside printable ASCII, and '%' itself, are
/// sent as %XX, so any text (Chinese, newlines) reaches every peer intact.
/// </summary>
public static class PercentEncoding
{
    /// <summary>Encodes a status message for the wire.</summary>
    public static string Encode(string value)
    {
        if (!NeedsEncoding(value))
        {
            return value;
        }
        var bytes = Encoding.UTF8.GetBytes(value);
        var builder = new StringBuilder(bytes.Length * 2);
        foreach (var b in bytes)
        {
            if (b is >= 0x20 and <= 0x7E && b != '%')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(HexDigit(b >> 4)).Append(HexDigit(b & 0xF));
            }
        }
        return builder.ToString();
    }

    /// <summary>
    /// Decodes a received status message. A malformed escape is kept as it is (the spec asks receivers
    /// to be lenient); invalid UTF-8 becomes U+FFFD.
    /// </summary>
    public static string Decode(string value)
    {
        if (!value.Contains('%'))
        {
            return value;
        }
        var bytes = new List<byte>(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '%' && i + 2 < value.Length && TryHex(value[i + 1], out var hi) && TryHex(value[i + 2], out var lo))
            {
                bytes.Add((byte)((hi << 4) | lo));
                i += 2;
            }
            else if (c <= 0x7F)
            {
                bytes.Add((byte)c);
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
            }
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static bool NeedsEncoding(string value)
    {
        foreach (var c in value)
        {
            if (c is < (char)0x20 or > (char)0x7E or '%')
            {
                return true;
            }
        }
        return false;
    }

    private static char HexDigit(int value) => (char)(value < 10 ? '0' + value : 'A' + value - 10);

    private static bool TryHex(char c, out int value)
    {
        value = c switch
        {
            >= '0' and <= '9' => c - '0',
            >= 'a' and <= 'f' => c - 'a' + 10,
            >= 'A' and <= 'F' => c - 'A' + 10,
            _ => -1,
        };
        return value >= 0;
    }
}
