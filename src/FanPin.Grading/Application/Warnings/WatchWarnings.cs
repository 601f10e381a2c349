using FanPin.Grading.Application.Common;
using FanPin.Grading.Domain;
using FanPin.Grading.Infrastructure.WarningLog;
using FanPin.ServiceDefaults.Authentication;

namespace FanPin.Grading.Application.Warnings;

/// <summary>Watch the warning stream of a region.</summary>
/// <param name="RegionPrefix">A region prefix inside the caller's scope (at least a province).</param>
/// <param name="FromSequence">First sequence wanted (inclusive) in the prefix's province; 0 or 1: from the start. To resume, pass the last sequence received + 1.</param>
public sealed record WatchWarningsRequest(string RegionPrefix, long FromSequence = 0);

/// <summary>The stream: replay from the log, then live, in sequence order, until the caller cancels.</summary>
public sealed record WatchWarningsResult(string Province, IAsyncEnumerable<WarningLogEntry> Entries);

/// <summary>
/// WatchWarnings: the public warning stream (WarningRaised, WarningGradeChanged, WarningEscalated, WarningCleared)
/// of a region, replayed from the durable log and then followed live, with no gap and no duplicate across the
/// switch. Validation and access checks happen here, before the first entry; the gRPC method forwards
/// <see cref="WatchWarningsResult.Entries"/>.
/// </summary>
public sealed class WatchWarnings(WarningLogWatcher watcher)
{
    /// <summary>Runs the use case (returns at once; enumerate the entries to stream).</summary>
    public WatchWarningsResult Handle(Caller caller, WatchWarningsRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(request);
        var v = new Validator();
        RegionPrefix? prefix = null;
        if (string.IsNullOrEmpty(request.RegionPrefix))
        {
            v.Add("region_prefix", "is required: a watch covers one province or a region inside it");
        }
        else
        {
            prefix = InputChecks.Prefix(request.RegionPrefix, v);
        }
        v.Require(request.FromSequence >= 0, "from_sequence", "must not be negative");
        v.ThrowIfInvalid();
        RegionScope.Demand(caller, prefix!.Value);
        return new WatchWarningsResult(prefix.Value.Value[..2], watcher.WatchAsync(prefix.Value, request.FromSequence, ct));
    }
}
