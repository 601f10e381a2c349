using System.Collections.Concurrent;

namespace FanPin.Monitoring.Application.Feeds;

/// <summary>
/// Progress of the imports running in this process, by department and feed id, so that a client streaming a
/// feed (which gets one answer at the end) can poll GetFeedImportProgress for a progress bar. Process-local: a
/// poll that lands on another instance sees no import (phase unspecified).
/// </summary>
public sealed class FeedImportProgressBoard
{
    private readonly ConcurrentDictionary<(string Department, string FeedId), ImportProgress> _running = new();

    /// <summary>A progress sink for one import, recording its latest report here.</summary>
    public IProgress<ImportProgress> Track(string department, string feedId) => new Sink(this, (department, feedId));

    /// <summary>The latest progress of an import of this feed, or null when none ran here.</summary>
    public ImportProgress? Get(string department, string feedId) => _running.GetValueOrDefault((department, feedId));

    /// <summary>Forgets an import (its answer has been sent).</summary>
    public void Forget(string department, string feedId) => _running.TryRemove((department, feedId), out _);

    private sealed class Sink(FeedImportProgressBoard board, (string, string) key) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => board._running[key] = value;
    }
}
