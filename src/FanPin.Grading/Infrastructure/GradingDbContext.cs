using FanPin.Grading.Domain;
using FanPin.Grading.Domain.Events;
using FanPin.Grading.Infrastructure.WarningLog;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace FanPin.Grading.Infrastructure;

/// <summary>
/// Grading's database (connection string <c>gradingdb</c>). Schema: the hand-written migrations in
/// <c>Infrastructure/Migrations</c>, applied at start-up. Saving collects the warnings' domain events and
/// history, gives warning events their gap-free log sequence, writes them to the warning log and hands every
/// event to <see cref="IDomainEventStaging"/> — all in one transaction.
/// </summary>
public sealed class GradingDbContext(DbContextOptions<GradingDbContext> options, IDomainEventStaging staging) : DbContext(options)
{
    private readonly List<DomainEvent> _raised = [];
    private readonly List<Func<CancellationToken, Task>> _afterCommit = [];

    /// <summary>Published policy versions.</summary>
    public DbSet<PolicyVersionRecord> PolicyVersions => Set<PolicyVersionRecord>();

    /// <summary>Which version each province was last re-graded with.</summary>
    public DbSet<PolicyRegrade> PolicyRegrades => Set<PolicyRegrade>();

    /// <summary>The household read model.</summary>
    public DbSet<HouseholdFacts> HouseholdFacts => Set<HouseholdFacts>();

    /// <summary>Warnings.</summary>
    public DbSet<Warning> Warnings => Set<Warning>();

    /// <summary>Warning history.</summary>
    public DbSet<WarningTransition> WarningTransitions => Set<WarningTransition>();

    /// <summary>Households' grade history with reasons.</summary>
    public DbSet<GradeChange> GradeChanges => Set<GradeChange>();

    /// <summary>The durable warning log.</summary>
    public DbSet<WarningLogEntry> WarningLog => Set<WarningLogEntry>();

    /// <summary>The staging hook this context hands events to (the bulk writer uses it too).</summary>
    internal IDomainEventStaging Staging => staging;

    /// <summary>
    /// Runs <paramref name="action"/> once the current transaction has committed (<see cref="GradingCommitHooks"/>),
    /// and never when it rolls back: the Redis projection must only show grades PostgreSQL holds, also when the
    /// transaction is a consumer's (the inbox base class commits it).
    /// </summary>
    public void AfterCommit(Func<CancellationToken, Task> action) => _afterCommit.Add(action);

    /// <summary>Runs and forgets the after-commit actions.</summary>
    internal async Task RunAfterCommitAsync(CancellationToken ct)
    {
        var actions = _afterCommit.ToList();
        _afterCommit.Clear();
        foreach (var action in actions)
        {
            await action(ct).ConfigureAwait(false);
        }
    }

    /// <summary>Forgets the after-commit actions (a rollback, or a new transaction after a failed attempt).</summary>
    internal void DiscardAfterCommit() => _afterCommit.Clear();

    /// <summary>Raises an event that no aggregate owns (e.g. a policy publication); staged at the next save.</summary>
    public void Raise(DomainEvent domainEvent) => _raised.Add(domainEvent);

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(GradingDbContext).Assembly);
        // The messaging library's outbox (events leave through it, IDomainEventStaging) and inbox (consumers).
        modelBuilder.AddOutboxAndInbox();
    }

    /// <summary>
    /// Collects events and history, sequences warning events, stages, and saves — inside the caller's transaction
    /// or, when there is none, one of its own.
    /// </summary>
    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        var events = CollectPending();
        if (events.Count == 0)
        {
            return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken).ConfigureAwait(false);
        }
        var own = Database.CurrentTransaction is null ? await Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false) : null;
        try
        {
            var connection = (NpgsqlConnection)Database.GetDbConnection();
            var transaction = (NpgsqlTransaction)Database.CurrentTransaction!.GetDbTransaction();
            var logged = events.OfType<WarningLogEvent>().ToList();
            if (logged.Count > 0)
            {
                await WarningLogSequences.AssignAsync(connection, transaction, logged, cancellationToken).ConfigureAwait(false);
                WarningLog.AddRange(logged.Select(WarningLogEntry.From));
            }
            staging.Stage(this, events);
            var written = await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken).ConfigureAwait(false);
            if (logged.Count > 0)
            {
                await WarningLogSequences.NotifyAsync(connection, transaction, logged.Select(e => e.Province), cancellationToken).ConfigureAwait(false);
            }
            if (own is not null)
            {
                await own.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
            return written;
        }
        finally
        {
            if (own is not null)
            {
                await own.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Synchronous saving is not offered: sequencing warning events needs database round trips.</summary>
    public override int SaveChanges(bool acceptAllChangesOnSuccess) =>
        throw new InvalidOperationException("GradingDbContext saves asynchronously only (SaveChangesAsync): warning events are sequenced in the saving transaction.");

    private List<DomainEvent> CollectPending()
    {
        var events = new List<DomainEvent>();
        foreach (var warning in ChangeTracker.Entries<Warning>().Select(e => e.Entity).ToList())
        {
            var (warningEvents, transitions) = warning.TakePending();
            events.AddRange(warningEvents);
            WarningTransitions.AddRange(transitions);
        }
        events.AddRange(_raised);
        _raised.Clear();
        // Per warning in the order raised; warnings in the order the use case loaded or created them.
        return events;
    }
}
