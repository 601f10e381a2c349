using FanPin.Messaging.Persistence;

namespace Microsoft.EntityFrameworkCore;

/// <summary>Maps the outbox and inbox tables into a service's DbContext.</summary>
public static class MessagingModelBuilderExtensions
{
    /// <summary>
    /// Call from <c>OnModelCreating</c>. Use the same <paramref name="schema"/> as the migration's
    /// <c>CreateOutboxAndInbox</c> (null: the context's default schema / search_path).
    /// </summary>
    public static ModelBuilder AddOutboxAndInbox(this ModelBuilder modelBuilder, string? schema = null)
    {
        modelBuilder.Entity<OutboxMessage>(b =>
        {
            b.ToTable(MessagingTables.Outbox, schema);
            b.HasKey(m => m.Id);
            b.Property(m => m.Id).HasColumnName("id").UseIdentityByDefaultColumn();
            b.Property(m => m.EventId).HasColumnName("event_id");
            b.Property(m => m.EventType).HasColumnName("event_type");
            b.Property(m => m.Destination).HasColumnName("destination");
            b.Property(m => m.PartitionKey).HasColumnName("partition_key");
            b.Property(m => m.RoutingKey).HasColumnName("routing_key");
            b.Property(m => m.Payload).HasColumnName("payload");
            b.Property(m => m.CorrelationId).HasColumnName("correlation_id");
            b.Property(m => m.CreatedAt).HasColumnName("created_at");
            b.Property(m => m.Attempts).HasColumnName("attempts");
            b.Property(m => m.NextAttemptAt).HasColumnName("next_attempt_at");
            b.Property(m => m.PublishedAt).HasColumnName("published_at");
            b.Property(m => m.LastError).HasColumnName("last_error");
            b.HasIndex(m => new { m.EventId, m.Destination }).IsUnique().HasDatabaseName("ux_outbox_message_event");
        });
        modelBuilder.Entity<InboxMessage>(b =>
        {
            b.ToTable(MessagingTables.Inbox, schema);
            b.HasKey(m => new { m.Consumer, m.EventId });
            b.Property(m => m.Consumer).HasColumnName("consumer");
            b.Property(m => m.EventId).HasColumnName("event_id");
            b.Property(m => m.ProcessedAt).HasColumnName("processed_at");
        });
        return modelBuilder;
    }
}
