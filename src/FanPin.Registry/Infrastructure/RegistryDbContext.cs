using FanPin.Registry.Domain;
using FanPin.Registry.Domain.Events;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Registry.Infrastructure;

/// <summary>
/// The registry's database (connection string <c>registrydb</c>). Schema: the hand-written migrations in
/// <c>Infrastructure/Migrations</c>, applied at start-up. Saving collects the aggregates' domain events and
/// case transitions and stages them in the same transaction (<see cref="IDomainEventStaging"/>).
/// </summary>
public sealed class RegistryDbContext(DbContextOptions<RegistryDbContext> options, IDomainEventStaging staging) : DbContext(options)
{
    /// <summary>Regions.</summary>
    public DbSet<Region> Regions => Set<Region>();

    /// <summary>Households.</summary>
    public DbSet<Household> Households => Set<Household>();

    /// <summary>Members (current and former).</summary>
    public DbSet<Member> Members => Set<Member>();

    /// <summary>Dated member history.</summary>
    public DbSet<MemberChange> MemberChanges => Set<MemberChange>();

    /// <summary>Identification cases.</summary>
    public DbSet<IdentificationCase> IdentificationCases => Set<IdentificationCase>();

    /// <summary>Closing cases.</summary>
    public DbSet<ClosingCase> ClosingCases => Set<ClosingCase>();

    /// <summary>Audit trail of both kinds of case.</summary>
    public DbSet<CaseTransition> CaseTransitions => Set<CaseTransition>();

    /// <summary>Import batches (idempotency).</summary>
    public DbSet<ImportBatch> ImportBatches => Set<ImportBatch>();

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(RegistryDbContext).Assembly);
        // The messaging library's outbox (events leave with the state change) and inbox (consumers run once per event).
        modelBuilder.AddOutboxAndInbox();
    }

    /// <summary>Stages events and transitions, then saves everything in one transaction.</summary>
    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        foreach (var household in ChangedHouseholds())
        {
            var members = Entry(household).Collection(h => h.AllMembers);
            if (!members.IsLoaded)
            {
                await members.LoadAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        StageAggregateOutput();
        return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        foreach (var household in ChangedHouseholds())
        {
            var members = Entry(household).Collection(h => h.AllMembers);
            if (!members.IsLoaded)
            {
                members.Load();
            }
        }
        StageAggregateOutput();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    /// <summary>Households that raised events in this unit of work: their events carry a snapshot with every member.</summary>
    private List<Household> ChangedHouseholds() =>
        ChangeTracker.Entries<Household>().Where(e => e.Entity.TicketedEvents.Any()).Select(e => e.Entity).ToList();

    private void StageAggregateOutput()
    {
        var aggregates = ChangeTracker.Entries<AggregateRoot>().Select(e => e.Entity).ToList();
        foreach (var audited in aggregates.OfType<IAuditedCase>())
        {
            CaseTransitions.AddRange(audited.NewTransitions);
            audited.ClearTransitions();
        }
        // Events in the order they were raised across aggregates: a case's "opened" before the household's "changed" it caused.
        var events = aggregates.SelectMany(a => a.TicketedEvents).OrderBy(e => e.Ticket).Select(e => e.Event).ToList();
        foreach (var aggregate in aggregates)
        {
            // A household's revision counts the units of work that changed it (a new one starts at 1).
            if (aggregate is Household household && household.TicketedEvents.Any() && Entry(household).State != EntityState.Added)
            {
                household.NextRevision();
            }
            aggregate.ClearDomainEvents();
        }
        if (events.Count > 0)
        {
            staging.Stage(this, events);
        }
    }
}

/// <summary>An import batch: its id makes a re-sent batch a no-op returning the first result.</summary>
public sealed class ImportBatch
{
    /// <summary>The client's batch id.</summary>
    public string BatchId { get; set; } = "";

    /// <summary>Who sent it.</summary>
    public string RequestedBy { get; set; } = "";

    /// <summary>When it was committed.</summary>
    public DateTimeOffset CompletedAt { get; set; }

    /// <summary>Rows received.</summary>
    public int RowCount { get; set; }

    /// <summary>Households registered.</summary>
    public int Accepted { get; set; }

    /// <summary>Rows refused.</summary>
    public int Rejected { get; set; }

    /// <summary>The full result (row errors) as JSON.</summary>
    public string Result { get; set; } = "{}";
}
