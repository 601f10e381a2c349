using System.Text.Json;
using FanPin.Monitoring.Application.Common;
using FanPin.Monitoring.Domain.Events;
using FanPin.Monitoring.Infrastructure;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Monitoring.Application.Evaluation;

/// <summary>Reads the signal change log after a cursor, inside a region (what WatchSignals streams).</summary>
/// <param name="Region">Region prefix; default the caller's scope.</param>
/// <param name="AfterSequence">Resume cursor: the last sequence number the subscriber has seen (0 from the start).</param>
/// <param name="Limit">At most this many changes (1–1000).</param>
public sealed record ReadSignalChangesRequest(string? Region = null, long AfterSequence = 0, int Limit = 500);

/// <summary>A page of changes, oldest first, and the cursor to continue from.</summary>
public sealed record ReadSignalChangesResult(IReadOnlyList<RiskSignalsDetected> Changes, long NextAfterSequence);

/// <summary>
/// Changes of findings in sequence order for a region prefix: the durable log behind the server-streaming
/// WatchSignals (the transport polls this from the subscriber's cursor, replaying history first).
/// </summary>
public sealed class ReadSignalChanges(MonitoringDbContext db)
{
    /// <summary>Reads a page.</summary>
    public async Task<ReadSignalChangesResult> HandleAsync(Caller caller, ReadSignalChangesRequest request, CancellationToken ct = default)
    {
        RegionScope.DemandRole(caller, "watch signals", MonitoringAccess.Read);
        var validator = new Validator();
        RegionPrefix? requested = null;
        if (!string.IsNullOrEmpty(request.Region))
        {
            validator.Require(RegionPrefix.TryParse(request.Region, out var p, out var error), "region", error);
            requested = p;
        }
        validator.Require(request.AfterSequence >= 0, "after_sequence", "must not be negative");
        validator.Require(request.Limit is > 0 and <= 1000, "limit", "must be 1–1000");
        validator.ThrowIfInvalid();
        var prefix = RegionScope.Narrow(caller, requested).Value;
        var rows = await db.SignalChanges.AsNoTracking()
            .Where(c => c.Sequence > request.AfterSequence && c.RegionCode.StartsWith(prefix))
            .OrderBy(c => c.Sequence)
            .Take(request.Limit)
            .ToListAsync(ct).ConfigureAwait(false);
        var changes = rows.Select(r => JsonSerializer.Deserialize<RiskSignalsDetected>(r.Payload, MonitoringJson.Options)
            ?? throw new InvalidOperationException($"Signal change {r.Sequence} is empty.")).ToList();
        return new ReadSignalChangesResult(changes, rows.Count > 0 ? rows[^1].Sequence : request.AfterSequence);
    }
}
