using System.Text.Json;
using System.Text.Json.Serialization;
using FanPin.Grading.Domain.Events;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace FanPin.Grading.Infrastructure;

/// <summary>
/// THE hook where domain events leave grading. <see cref="GradingDbContext"/> calls <see cref="Stage"/> inside
/// <c>SaveChangesAsync</c>, after warning-log sequences are assigned and before the changes are written, so what
/// it adds to the context commits with the state change or not at all. The bulk re-grade calls
/// <see cref="StageBulkAsync"/> inside its chunk transaction with up to thousands of events. The integrator
/// replaces <see cref="DomainEventJournal"/> by a staging that maps each event to its integration event
/// (<c>WarningRaised</c> → <c>FanPin.IntegrationEvents.WarningRaised</c>, ...) and calls the messaging library's
/// <c>AddIntegrationEvent</c>.
/// </summary>
public interface IDomainEventStaging
{
    /// <summary>Adds the events (in the order raised) to the unit of work.</summary>
    void Stage(GradingDbContext context, IReadOnlyList<DomainEvent> events);

    /// <summary>
    /// Bulk path: writes the events inside the open transaction of <paramref name="context"/>
    /// (<c>context.Database.CurrentTransaction</c>). Entities added to the context are saved by the caller right
    /// after; a set-based write (COPY) on the context's connection is faster for large batches.
    /// </summary>
    Task StageBulkAsync(GradingDbContext context, IReadOnlyList<DomainEvent> events, CancellationToken ct);
}

/// <summary>A staged event row (<c>domain_events</c>): the durable journal of everything grading announced.</summary>
public sealed class StagedDomainEvent
{
    /// <summary>Order of staging.</summary>
    public long Id { get; set; }

    /// <summary>The event's id.</summary>
    public Guid EventId { get; set; }

    /// <summary>Type name, e.g. <c>WarningRaised</c>.</summary>
    public string EventType { get; set; } = "";

    /// <summary>When it happened.</summary>
    public DateTimeOffset OccurredAt { get; set; }

    /// <summary>Region code.</summary>
    public string RegionCode { get; set; } = "";

    /// <summary>The household, when there is one.</summary>
    public Guid? HouseholdId { get; set; }

    /// <summary>The whole event as JSON (camelCase, enums as names).</summary>
    public string Payload { get; set; } = "{}";
}

/// <summary>
/// The staging used until the outbox library is merged: every event becomes a row of <c>domain_events</c> in
/// the same transaction, so nothing announced is lost and a relay can publish from it in <c>id</c> order.
/// </summary>
public sealed class DomainEventJournal : IDomainEventStaging
{
    /// <summary>How payloads are written.</summary>
    public static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <inheritdoc />
    public void Stage(GradingDbContext context, IReadOnlyList<DomainEvent> events)
    {
        ArgumentNullException.ThrowIfNull(context);
        foreach (var e in events)
        {
            context.DomainEvents.Add(ToRow(e));
        }
    }

    /// <inheritdoc />
    public async Task StageBulkAsync(GradingDbContext context, IReadOnlyList<DomainEvent> events, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (events.Count == 0)
        {
            return;
        }
        var connection = (NpgsqlConnection)context.Database.GetDbConnection();
        await using var importer = await connection.BeginBinaryImportAsync(
            "COPY domain_events (event_id, event_type, occurred_at, region_code, household_id, payload) FROM STDIN (FORMAT BINARY)", ct).ConfigureAwait(false);
        foreach (var e in events)
        {
            var row = ToRow(e);
            await importer.StartRowAsync(ct).ConfigureAwait(false);
            await importer.WriteAsync(row.EventId, NpgsqlDbType.Uuid, ct).ConfigureAwait(false);
            await importer.WriteAsync(row.EventType, NpgsqlDbType.Text, ct).ConfigureAwait(false);
            await importer.WriteAsync(row.OccurredAt, NpgsqlDbType.TimestampTz, ct).ConfigureAwait(false);
            await importer.WriteAsync(row.RegionCode, NpgsqlDbType.Varchar, ct).ConfigureAwait(false);
            if (row.HouseholdId is { } household)
            {
                await importer.WriteAsync(household, NpgsqlDbType.Uuid, ct).ConfigureAwait(false);
            }
            else
            {
                await importer.WriteNullAsync(ct).ConfigureAwait(false);
            }
            await importer.WriteAsync(row.Payload, NpgsqlDbType.Jsonb, ct).ConfigureAwait(false);
        }
        await importer.CompleteAsync(ct).ConfigureAwait(false);
    }

    private static StagedDomainEvent ToRow(DomainEvent e) => new()
    {
        EventId = e.EventId,
        EventType = e.EventType,
        OccurredAt = e.OccurredAt.ToUniversalTime(),
        RegionCode = e.RegionCode,
        HouseholdId = e.HouseholdId,
        Payload = JsonSerializer.Serialize(e, e.GetType(), PayloadJson),
    };
}
