using System.Net.Sockets;
using System.Text;

namespace FanPin.LocalInfrastructure;

/// <summary>
/// Just enough of the Redis protocol (RESP2) to probe a server and clean up test keys, so this library
/// does not depend on a Redis client.
/// </summary>
public static class RespClient
{
    /// <summary>Sends one command and returns a simple or bulk string reply, an integer as text, or the array's items joined by newlines.</summary>
    public static async Task<string?> CommandAsync(string host, int port, IReadOnlyList<string> command, CancellationToken cancellationToken)
    {
        using var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
        await using var stream = client.GetStream();
        var request = new StringBuilder().Append('*').Append(command.Count).Append("\r\n");
        foreach (var part in command)
        {
            request.Append('$').Append(Encoding.UTF8.GetByteCount(part)).Append("\r\n").Append(part).Append("\r\n");
        }
        await stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()), cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await ReadReplyAsync(reader, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<string?> ReadReplyAsync(StreamReader reader, CancellationToken cancellationToken)
    {
        var line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new IOException("connection closed before a reply");
        switch (line[0])
        {
            case '+':
            case ':':
                return line[1..];
            case '-':
                throw new InvalidOperationException($"Redis error: {line[1..]}");
            case '$':
                var length = int.Parse(line.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
                if (length < 0)
                {
                    return null;
                }
                var buffer = new char[length];
                var read = 0;
                while (read < length)
                {
                    var n = await reader.ReadAsync(buffer.AsMemory(read, length - read), cancellationToken).ConfigureAwait(false);
                    if (n == 0)
                    {
                        throw new IOException("connection closed inside a reply");
                    }
                    read += n;
                }
                await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
                return new string(buffer);
            case '*':
                var count = int.Parse(line.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
                var items = new List<string?>();
                for (var i = 0; i < count; i++)
                {
                    items.Add(await ReadReplyAsync(reader, cancellationToken).ConfigureAwait(false));
                }
                return string.Join('\n', items);
            default:
                throw new InvalidOperationException($"unexpected reply '{line}'");
        }
    }
}
