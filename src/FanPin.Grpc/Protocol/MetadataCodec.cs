namespace FanPin.Grpc.Protocol;

/// <summary>Converts metadata to and from HTTP/2 header values (base64 for <c>-bin</c> keys).</summary>
public static class MetadataCodec
{
    /// <summary>The header value of an entry: the text, or unpadded base64 of the bytes (as the spec asks senders to emit).</summary>
    public static string ToHeaderValue(Metadata.Entry entry) =>
        entry.IsBinary ? Convert.ToBase64String(entry.ValueBytes).TrimEnd('=') : entry.Value;

    /// <summary>
    /// Adds the entries of one received header to <paramref name="metadata"/>. Reserved transport headers
    /// are skipped. A binary header may hold several comma-separated base64 values, padded or not.
    /// Throws INTERNAL for a binary value that is not base64.
    /// </summary>
    public static void AddFromHeader(Metadata metadata, string key, IEnumerable<string?> values)
    {
        var lower = key.ToLowerInvariant();
        if (GrpcProtocol.IsReservedHeader(lower) || !IsValidKey(lower))
        {
            return;
        }
        var binary = Metadata.Entry.IsBinaryKey(lower);
        foreach (var value in values)
        {
            if (value is null)
            {
                continue;
            }
            if (!binary)
            {
                if (IsPrintableAscii(value))
                {
                    metadata.Add(new Metadata.Entry(lower, value));
                }
                continue;
            }
            foreach (var part in value.Split(',', StringSplitOptions.TrimEntries))
            {
                metadata.Add(new Metadata.Entry(lower, DecodeBase64(lower, part)));
            }
        }
    }

    /// <summary>Decodes base64 with or without padding.</summary>
    public static byte[] DecodeBase64(string key, string value)
    {
        var padded = (value.Length % 4) switch
        {
            2 => value + "==",
            3 => value + "=",
            _ => value,
        };
        try
        {
            return Convert.FromBase64String(padded);
        }
        catch (FormatException)
        {
            throw new RpcException(new Status(StatusCode.Internal, $"Metadata '{key}' is not valid base64."));
        }
    }

    private static bool IsValidKey(string key)
    {
        foreach (var c in key)
        {
            if (!(c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-' or '_' or '.'))
            {
                return false;
            }
        }
        return key.Length > 0;
    }

    private static bool IsPrintableAscii(string value)
    {
        foreach (var c in value)
        {
            if (c is < (char)0x20 or > (char)0x7E)
            {
                return false;
            }
        }
        return true;
    }
}
