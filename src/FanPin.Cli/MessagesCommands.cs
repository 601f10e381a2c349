using System.Globalization;
using FanPin.Messaging.ErrorQueues;

namespace FanPin.Cli;

/// <summary><c>fanpin messages errors|replay</c>: the operator's tools for error queues.</summary>
internal static class MessagesCommands
{
    public static async Task<int> ErrorsAsync(Arguments a)
    {
        CliApp.CheckKnown(a, "queue", "uri", "max");
        var (queue, uri, max) = Common(a, defaultMax: 20);
        var messages = await ErrorQueue.PeekAsync(uri, queue, max ?? 20, CancellationToken.None);
        Console.WriteLine($"{ErrorQueue.ErrorQueueOf(queue)}: showing {messages.Count}");
        foreach (var m in messages)
        {
            Console.WriteLine($"{m.MessageId}  {m.FaultedAt}  replays={m.Replays}  {m.ExceptionType}: {m.ExceptionMessage}");
        }
        return 0;
    }

    public static async Task<int> ReplayAsync(Arguments a)
    {
        CliApp.CheckKnown(a, "queue", "uri", "max");
        var (queue, uri, max) = Common(a, defaultMax: null);
        var result = await ErrorQueue.ReplayAsync(uri, queue, max, CancellationToken.None);
        Console.WriteLine($"replayed {result.Replayed} from {result.ErrorQueue} to {result.TargetQueue}; {result.LeftInErrorQueue} left in the error queue");
        return 0;
    }

    private static (string Queue, Uri Uri, int? Max) Common(Arguments a, int? defaultMax)
    {
        var queue = a.Require("queue");
        var text = a.Get("uri") ?? Environment.GetEnvironmentVariable("ConnectionStrings__messaging")
            ?? throw new UsageException("--uri is required when ConnectionStrings__messaging is not set");
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "amqps"))
        {
            throw new UsageException($"--uri '{text}' is not an amqp:// URI");
        }
        int? max = defaultMax;
        if (a.Get("max") is { } m)
        {
            max = int.TryParse(m, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new UsageException("--max must be a positive number");
        }
        return (queue, uri, max);
    }
}
