using FanPin.IntegrationEvents;
using FanPin.Messaging.Persistence;
using FanPin.Registry.Domain;
using FanPin.Registry.Domain.Events;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Registry.Infrastructure;

/// <summary>
/// THE hook where domain events leave the registry. <see cref="RegistryDbContext"/> calls
/// <see cref="Stage"/> inside <c>SaveChangesAsync</c>, before the state changes are written, so whatever
/// this adds to the context is committed in the same transaction as the change (or not at all). Bulk imports
/// stage set-based through <see cref="StageImportSql"/>.
/// </summary>
public interface IDomainEventStaging
{
    /// <summary>Adds the events (in the order raised) to the unit of work.</summary>
    void Stage(RegistryDbContext context, IReadOnlyList<DomainEvent> events);

    /// <summary>
    /// SQL run in the import transaction after the households of a batch are inserted: stages one
    /// <see cref="Domain.Events.HouseholdRegistered"/> per household of the batch (parameters <c>@batch_id</c>, <c>@now</c>).
    /// </summary>
    string StageImportSql { get; }
}

/// <summary>
/// Stages every domain event as its integration event in the messaging library's outbox
/// (<see cref="DbContextOutboxExtensions.AddIntegrationEvent"/>); the relay publishes after the commit.
/// Household events carry the household as it stands at the commit (<see cref="HouseholdSnapshot"/>).
/// </summary>
public sealed class OutboxStaging : IDomainEventStaging
{
    /// <inheritdoc />
    public void Stage(RegistryDbContext context, IReadOnlyList<DomainEvent> events)
    {
        var households = context.ChangeTracker.Entries<Household>().Select(e => e.Entity).ToDictionary(h => h.Id);
        var snapshots = new Dictionary<Guid, HouseholdSnapshot>();
        foreach (var domainEvent in events)
        {
            context.AddIntegrationEvent(RegistryEventMapping.ToIntegrationEvent(domainEvent, households, snapshots));
        }
    }

    /// <inheritdoc />
    public string StageImportSql { get; } = $"""
        INSERT INTO {MessagingTables.Outbox} (event_id, event_type, destination, partition_key, routing_key, payload, correlation_id, created_at, next_attempt_at)
        SELECT e.event_id, '{typeof(IntegrationEvents.HouseholdRegistered).FullName}', 0, replace(e.id::text, '-', ''), NULL,
               jsonb_build_object(
                   'eventId', e.event_id, 'occurredAt', to_char(@now AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'),
                   'regionCode', e.region_code, 'householdId', e.id, 'correlationId', '00000000-0000-0000-0000-000000000000', 'schemaVersion', 1,
                   'category', e.category, 'memberCount', e.member_count, 'origin', 'import:' || @batch_id,
                   'household', jsonb_build_object(
                       'version', e.revision, 'category', e.category, 'minimumLivingGuarantee', e.minimum_living_guarantee,
                       'extremePovertySupport', e.extreme_poverty_support, 'status', e.status, 'monitoringType', NULL, 'riskTypes', '[]'::jsonb,
                       'memberCount', e.member_count, 'members', e.members, 'dissolved', false, 'mergedIntoId', NULL))::text,
               '00000000-0000-0000-0000-000000000000', now(), now()
        FROM (SELECT gen_random_uuid() AS event_id, h.id, h.region_code, h.category, h.minimum_living_guarantee, h.extreme_poverty_support,
                     h.status, h.member_count, h.revision,
                     (SELECT jsonb_agg(jsonb_build_object(
                                 'memberId', m.id, 'idNumberHash', encode(m.id_number_hash, 'hex'), 'relation', m.relation,
                                 'labourAbility', m.labour_ability, 'health', m.health, 'disabilityGrade', m.disability_grade,
                                 'schooling', m.schooling, 'birthDate', m.birth_date, 'medicalInsured', m.medical_insured,
                                 'pensionInsured', m.pension_insured) ORDER BY m.id)
                      FROM members m WHERE m.household_id = h.id AND m.left_on IS NULL) AS members
              FROM households h WHERE h.import_batch_id = @batch_id ORDER BY h.region_code, h.id) e
        """;
}
