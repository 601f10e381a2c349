using Microsoft.EntityFrameworkCore;

namespace FanPin.Messaging.TestHost;

/// <summary>A consumer's side effect: one row per processed event, so a duplicate side effect would show as a second row.</summary>
public sealed class SideEffect
{
    public long Id { get; set; }

    public Guid EventId { get; set; }

    public Guid HouseholdId { get; set; }

    public string Consumer { get; set; } = "";

    public DateTimeOffset AppliedAt { get; set; }
}

/// <summary>The reference data whose absence makes a "poison" event fail (the cause an operator fixes before replaying).</summary>
public sealed class KnownHousehold
{
    public Guid HouseholdId { get; set; }
}

/// <summary>A service's DbContext: its own tables plus the outbox and inbox.</summary>
public sealed class ScenarioDbContext(DbContextOptions<ScenarioDbContext> options) : DbContext(options)
{
    public DbSet<SideEffect> SideEffects => Set<SideEffect>();

    public DbSet<KnownHousehold> KnownHouseholds => Set<KnownHousehold>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<SideEffect>(b =>
        {
            b.ToTable("side_effect");
            b.HasKey(e => e.Id);
            b.Property(e => e.Id).HasColumnName("id").UseIdentityByDefaultColumn();
            b.Property(e => e.EventId).HasColumnName("event_id");
            b.Property(e => e.HouseholdId).HasColumnName("household_id");
            b.Property(e => e.Consumer).HasColumnName("consumer");
            b.Property(e => e.AppliedAt).HasColumnName("applied_at");
        });
        modelBuilder.Entity<KnownHousehold>(b =>
        {
            b.ToTable("known_household");
            b.HasKey(e => e.HouseholdId);
            b.Property(e => e.HouseholdId).HasColumnName("household_id");
        });
        modelBuilder.AddOutboxAndInbox();
    }
}
