using System.Collections.Concurrent;
using FanPin.Grpc;
using Grading = FanPin.Contracts.Grading.V1;

namespace FanPin.EndToEnd.Tests.Harness;

/// <summary>A downstream client of <c>WarningService.WatchWarnings</c> (server stream), collecting in the background.</summary>
public sealed class WarningWatch : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<Grading.WarningLogEntry> _entries = new();
    private readonly Task _reading;

    public WarningWatch(SuiteClients clients, string regionPrefix, long fromSequence = 0)
    {
        _reading = Task.Run(async () =>
        {
            try
            {
                using var call = clients.Warnings.WatchWarnings(new Grading.WatchWarningsRequest { RegionPrefix = regionPrefix, FromSequence = fromSequence }, cancellationToken: _stop.Token);
                await foreach (var response in call.ResponseStream.ReadAllAsync(_stop.Token))
                {
                    _entries.Enqueue(response.Entry);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException || (ex is RpcException r && r.StatusCode == StatusCode.Cancelled && _stop.IsCancellationRequested))
            {
            }
            catch (RpcException ex)
            {
                Error = $"{ex.StatusCode}: {ex.Status.Detail}";
            }
        });
    }

    /// <summary>Entries received so far, in order.</summary>
    public IReadOnlyList<Grading.WarningLogEntry> Entries => [.. _entries];

    /// <summary>Why the stream ended, when it failed.</summary>
    public string? Error { get; private set; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _reading.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
        }
        _stop.Dispose();
    }
}
