using FanPin.IntegrationEvents;
using FanPin.Messaging.Inbox;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace FanPin.Benchmarks.Messaging;

/// <summary>A consumer's side effect in the benchmark: one row per event.</summary>
public sealed class Consumed
{
    public Guid EventId { get; set; }

    public Guid HouseholdId { get; set; }
}

public sealed class BenchDbContext(DbContextOptions<BenchDbContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Consumed>(b =>
        {
            b.ToTable("consumed");
            b.HasKey(c => c.EventId);
            b.Property(c => c.EventId).HasColumnName("event_id");
            b.Property(c => c.HouseholdId).HasColumnName("household_id");
        });
        modelBuilder.AddOutboxAndInbox();
    }
}

[DbContext(typeof(BenchDbContext))]
[Migration("20261123000000_Bench")]
public sealed class BenchMigration : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateOutboxAndInbox();
        migrationBuilder.Sql("CREATE TABLE consumed (event_id uuid PRIMARY KEY, household_id uuid NOT NULL)");
    }
}

/// <summary>The benchmark's consumer: the idempotent consumer (inbox + one side-effect row), then the event counts as consumed.</summary>
public sealed class BenchConsumer(BenchDbContext db, LatencyRecorder recorder) : IConsumer<HouseholdChanged>
{
    private readonly SideEffect _inner = new(db);

    public async Task Consume(ConsumeContext<HouseholdChanged> context)
    {
        await _inner.Consume(context);
        recorder.Consumed(context.Message.EventId); // after the consumer's commit returned
    }

    private sealed class SideEffect(BenchDbContext db) : IdempotentConsumer<HouseholdChanged, BenchDbContext>(db)
    {
        protected override Task HandleAsync(HouseholdChanged message, ConsumeContext<HouseholdChanged> context, CancellationToken cancellationToken)
        {
            Db.Set<Consumed>().Add(new Consumed { EventId = message.EventId, HouseholdId = message.HouseholdId ?? Guid.Empty });
            return Task.CompletedTask;
        }
    }
}

/// <summary>The same side effect through the batch consumer: one transaction per batch.</summary>
public sealed class BenchBatchConsumer(BenchDbContext db, LatencyRecorder recorder) : IConsumer<Batch<HouseholdChanged>>
{
    private readonly SideEffects _inner = new(db);

    public async Task Consume(ConsumeContext<Batch<HouseholdChanged>> context)
    {
        await _inner.Consume(context);
        foreach (var message in context.Message)
        {
            recorder.Consumed(message.Message.EventId);
        }
    }

    private sealed class SideEffects(BenchDbContext db) : IdempotentBatchConsumer<HouseholdChanged, BenchDbContext>(db)
    {
        protected override Task HandleBatchAsync(IReadOnlyList<HouseholdChanged> messages, ConsumeContext<Batch<HouseholdChanged>> context, CancellationToken cancellationToken)
        {
            Db.Set<Consumed>().AddRange(messages.Select(m => new Consumed { EventId = m.EventId, HouseholdId = m.HouseholdId ?? Guid.Empty }));
            return Task.CompletedTask;
        }
    }
}
