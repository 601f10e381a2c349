using System.Collections.Concurrent;
using FanPin.Contracts.Testing.V1;

namespace FanPin.Grpc.Interop;

/// <summary>Remembers how tagged calls ended, so a peer can check that its cancellation or deadline reached the server.</summary>
public sealed class CallRecorder
{
    private readonly ConcurrentDictionary<string, GetCallRecordResponse> _records = new(StringComparer.Ordinal);

    /// <summary>Records the end of a call carrying <paramref name="tag"/> (ignored when empty).</summary>
    public void Record(string tag, ServerCallContext context)
    {
        if (tag.Length > 0)
        {
            _records[tag] = new GetCallRecordResponse
            {
                Found = true,
                Cancelled = context.CancellationToken.IsCancellationRequested,
                DeadlineExceeded = context.IsDeadlineExceeded,
            };
        }
    }

    /// <summary>The record of <paramref name="tag"/>, or one with Found = false.</summary>
    public GetCallRecordResponse Get(string tag) => _records.TryGetValue(tag, out var record) ? record : new GetCallRecordResponse();
}
