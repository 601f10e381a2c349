using System.Text;
using RabbitMQ.Client;

namespace FanPin.Messaging.ErrorQueues;

/// <summary>One faulted message as it sits in an error queue.</summary>
public sealed record ErrorMessage(string? MessageId, string? ExceptionType, string? ExceptionMessage, string? FaultedAt, int Replays, int BodyLength);

/// <summary>The result of a replay.</summary>
public sealed record ReplayResult(string ErrorQueue, string TargetQueue, int Replayed, int LeftInErrorQueue);

/// <summary>
/// Inspecting and replaying a receive endpoint's error queue (<c>&lt;queue&gt;_error</c>), where MassTransit moves a
/// message whose consumer failed after its retries, with the exception in <c>MT-Fault-*</c> headers.
/// Replay moves each message back to its queue (body and properties unchanged, fault headers removed,
/// <c>FanPin-Replays</c> counted up) and acknowledges it in the error queue only after the broker confirmed the copy.
/// </summary>
public static class ErrorQueue
{
    public const string Suffix = "_error";
    public const string ReplaysHeader = "FanPin-Replays";

    /// <summary>The error queue of a queue (given either name).</summary>
    public static string ErrorQueueOf(string queue) => queue.EndsWith(Suffix, StringComparison.Ordinal) ? queue : queue + Suffix;

    /// <summary>The queue an error queue belongs to.</summary>
    public static string TargetQueueOf(string queue) => queue.EndsWith(Suffix, StringComparison.Ordinal) ? queue[..^Suffix.Length] : queue;

    /// <summary>Lists up to <paramref name="max"/> messages without removing them (they are requeued when the channel closes).</summary>
    public static async Task<IReadOnlyList<ErrorMessage>> PeekAsync(Uri brokerUri, string queue, int max, CancellationToken cancellationToken)
    {
        var errorQueue = ErrorQueueOf(queue);
        await using var connection = await Connect(brokerUri, "fanpin-error-peek", cancellationToken).ConfigureAwait(false);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await channel.QueueDeclarePassiveAsync(errorQueue, cancellationToken).ConfigureAwait(false);
        var list = new List<ErrorMessage>();
        while (list.Count < max && await channel.BasicGetAsync(errorQueue, autoAck: false, cancellationToken).ConfigureAwait(false) is { } got)
        {
            var headers = got.BasicProperties.Headers;
            list.Add(new ErrorMessage(
                got.BasicProperties.MessageId,
                Header(headers, "MT-Fault-ExceptionType"),
                Header(headers, "MT-Fault-Message"),
                Header(headers, "MT-Fault-Timestamp"),
                ReplayCount(headers),
                got.Body.Length));
        }
        // Closing the channel without acks puts them back.
        await channel.CloseAsync(cancellationToken).ConfigureAwait(false);
        return list;
    }

    /// <summary>
    /// Moves up to <paramref name="max"/> messages (default: as many as the error queue held when the replay
    /// started, so a message that fails again is not replayed twice in one run) back to their queue.
    /// </summary>
    public static async Task<ReplayResult> ReplayAsync(Uri brokerUri, string queue, int? max, CancellationToken cancellationToken)
    {
        var errorQueue = ErrorQueueOf(queue);
        var target = TargetQueueOf(queue);
        await using var connection = await Connect(brokerUri, "fanpin-error-replay", cancellationToken).ConfigureAwait(false);
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken).ConfigureAwait(false);
        var waiting = (int)(await channel.QueueDeclarePassiveAsync(errorQueue, cancellationToken).ConfigureAwait(false)).MessageCount;
        await channel.QueueDeclarePassiveAsync(target, cancellationToken).ConfigureAwait(false); // fail clearly if the queue is gone
        var limit = Math.Min(waiting, max ?? int.MaxValue);
        var replayed = 0;
        while (replayed < limit && await channel.BasicGetAsync(errorQueue, autoAck: false, cancellationToken).ConfigureAwait(false) is { } got)
        {
            var properties = new BasicProperties(got.BasicProperties);
            var headers = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var (key, value) in got.BasicProperties.Headers ?? new Dictionary<string, object?>())
            {
                if (!key.StartsWith("MT-Fault-", StringComparison.Ordinal) && key != "MT-Reason" && key != ReplaysHeader)
                {
                    headers[key] = value;
                }
            }
            headers[ReplaysHeader] = ReplayCount(got.BasicProperties.Headers) + 1;
            properties.Headers = headers;
            try
            {
                // The default exchange routes by queue name: straight back to the consumer's queue, not to every subscriber.
                await channel.BasicPublishAsync("", target, mandatory: false, properties, got.Body, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await channel.BasicNackAsync(got.DeliveryTag, multiple: false, requeue: true, CancellationToken.None).ConfigureAwait(false);
                throw;
            }
            await channel.BasicAckAsync(got.DeliveryTag, multiple: false, cancellationToken).ConfigureAwait(false);
            replayed++;
        }
        var left = (int)(await channel.QueueDeclarePassiveAsync(errorQueue, cancellationToken).ConfigureAwait(false)).MessageCount;
        return new ReplayResult(errorQueue, target, replayed, left);
    }

    private static Task<IConnection> Connect(Uri brokerUri, string name, CancellationToken cancellationToken) =>
        new ConnectionFactory { Uri = brokerUri, ClientProvidedName = name, AutomaticRecoveryEnabled = false, RequestedConnectionTimeout = TimeSpan.FromSeconds(10) }
            .CreateConnectionAsync(cancellationToken);

    private static int ReplayCount(IDictionary<string, object?>? headers) =>
        headers is not null && headers.TryGetValue(ReplaysHeader, out var value) ? Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture) : 0;

    private static string? Header(IDictionary<string, object?>? headers, string name) =>
        headers is not null && headers.TryGetValue(name, out var value) ? value switch
        {
            byte[] bytes => Encoding.UTF8.GetString(bytes),
            null => null,
            _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture),
        } : null;
}
