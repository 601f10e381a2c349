using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FanPin.Messaging.Tests.Support;

/// <summary>
/// Plays the part of a service's supervisor (AppHost, systemd, Kubernetes): when the host stops by itself
/// (the bus watchdog stops a service whose MassTransit connection is stuck), a new one is built and started.
/// </summary>
internal sealed class SupervisedHost(Func<IHost> build) : IAsyncDisposable
{
    private readonly CancellationTokenSource _disposed = new();
    private IHost? _current;
    private Task? _supervision;

    /// <summary>How many times the service was restarted after stopping by itself.</summary>
    public int Restarts { get; private set; }

    public IHost Current => _current ?? throw new InvalidOperationException("not started");

    public async Task StartAsync()
    {
        _current = build();
        await _current.StartAsync();
        _supervision = SuperviseAsync();
    }

    private async Task SuperviseAsync()
    {
        while (!_disposed.IsCancellationRequested)
        {
            var stopping = _current!.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            try
            {
                await Task.Delay(Timeout.Infinite, CancellationTokenSource.CreateLinkedTokenSource(stopping, _disposed.Token).Token);
            }
            catch (OperationCanceledException)
            {
            }
            if (_disposed.IsCancellationRequested)
            {
                return;
            }
            await StopQuietlyAsync(_current);
            Restarts++;
            _current = build();
            await _current.StartAsync();
        }
    }

    private static async Task StopQuietlyAsync(IHost host)
    {
        try
        {
            await host.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            // A wedged bus may not stop cleanly; its process would simply be gone.
        }
        host.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await _disposed.CancelAsync();
        if (_supervision is not null)
        {
            await _supervision;
        }
        if (_current is not null)
        {
            await StopQuietlyAsync(_current);
        }
        _disposed.Dispose();
    }
}
