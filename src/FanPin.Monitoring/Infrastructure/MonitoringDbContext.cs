using FanPin.Monitoring.Domain;
using FanPin.Monitoring.Domain.Events;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Monitoring.Infrastructure;

/// <summary>
/// The monitoring database (connection string <c>monitoringdb</c>). Schema: the hand-written migrations in
/// <c>Infrastructure/Migrations</c>, applied at start-up. Use cases <see cref="Raise"/> domain events; saving
/// hands them to <see cref="IDomainEventStaging"/>, which adds them to the outbox in the same transaction as the state change.
/// </summary>
public sealed class MonitoringDbContext(DbContextOptions<MonitoringDbContext> options, IDomainEventStaging staging) : DbContext(options)
{
    private readonly List<DomainEvent> _raised = [];

    /// <summary>Households known from the registry.</summary>
    public DbSet<KnownHousehold> Households => Set<KnownHousehold>();

    /// <summary>Members known from the registry.</summary>
    public DbSet<KnownMember> Members => Set<KnownMember>();

    /// <summary>Monthly income and cost records (every version).</summary>
    public DbSet<MonthlyRecord> Records => Set<MonthlyRecord>();

    /// <summary>Guarantee snapshots.</summary>
    public DbSet<GuaranteeSnapshot> GuaranteeSnapshots => Set<GuaranteeSnapshot>();

    /// <summary>Visits.</summary>
    public DbSet<Visit> Visits => Set<Visit>();

    /// <summary>Exclusion facts from feeds.</summary>
    public DbSet<ExclusionFact> ExclusionFacts => Set<ExclusionFact>();

    /// <summary>Department feeds.</summary>
    public DbSet<Feed> Feeds => Set<Feed>();

    /// <summary>Outcome of every feed row.</summary>
    public DbSet<FeedRowResult> FeedRows => Set<FeedRowResult>();

    /// <summary>Announced overdue feeds.</summary>
    public DbSet<FeedOverdueNotice> FeedOverdueNotices => Set<FeedOverdueNotice>();

    /// <summary>Households waiting for evaluation.</summary>
    public DbSet<EvaluationQueueEntry> EvaluationQueue => Set<EvaluationQueueEntry>();

    /// <summary>Last evaluation of every household.</summary>
    public DbSet<StoredEvaluation> Evaluations => Set<StoredEvaluation>();

    /// <summary>Log of changed findings.</summary>
    public DbSet<SignalChange> SignalChanges => Set<SignalChange>();

    /// <summary>Events raised and not yet saved.</summary>
    public IReadOnlyList<DomainEvent> PendingEvents => _raised;

    /// <summary>Raises a domain event: it is staged by the next save, in its transaction.</summary>
    public void Raise(DomainEvent domainEvent) => _raised.Add(domainEvent);

    /// <summary>Adds a household to the evaluation queue (tracked: saved with the change that touched it).</summary>
    public async Task EnqueueEvaluationAsync(Guid householdId, DateTimeOffset now, CancellationToken ct)
    {
        // The upsert runs now, inside the caller's transaction when one is open; with none it stands alone,
        // which only makes an extra evaluation, never a missed one.
        await Database.ExecuteSqlInterpolatedAsync(
            $"INSERT INTO evaluation_queue (household_id, enqueued_at) VALUES ({householdId}, {now}) ON CONFLICT (household_id) DO UPDATE SET enqueued_at = excluded.enqueued_at",
            ct).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(MonitoringDbContext).Assembly);
        // The messaging library's outbox (events out) and inbox (registry events in, applied once).
        modelBuilder.AddOutboxAndInbox();
    }

    /// <summary>Stages raised events, then saves everything in one transaction.</summary>
    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        StageRaisedEvents();
        return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        StageRaisedEvents();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    private void StageRaisedEvents()
    {
        if (_raised.Count == 0)
        {
            return;
        }
        var events = _raised.ToList();
        _raised.Clear();
        staging.Stage(this, events);
    }
}

/// <summary>A household waiting for evaluation.</summary>
public sealed class EvaluationQueueEntry
{
    /// <summary>The household.</summary>
    public Guid HouseholdId { get; set; }

    /// <summary>When last enqueued.</summary>
    public DateTimeOffset EnqueuedAt { get; set; }

    /// <summary>
    /// Set by a back-fill feed: not evaluated before this time unless the back-fill ends first (null: due now). Other
    /// paths that queue the household leave it as it is, so a held household is evaluated once, on all the history.
    /// </summary>
    public DateTimeOffset? HeldUntil { get; set; }
}
