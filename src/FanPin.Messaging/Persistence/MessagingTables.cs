using Microsoft.EntityFrameworkCore;

namespace FanPin.Messaging.Persistence;

/// <summary>Table and column names, shared by the EF model, the DDL and the relay's SQL so they cannot drift apart.</summary>
public static class MessagingTables
{
    public const string Outbox = "outbox_message";
    public const string Inbox = "inbox_message";

    /// <summary>The NOTIFY channel an outbox insert signals on commit; the relay LISTENs on it.</summary>
    public const string NotifyChannel = "fanpin_outbox";

    /// <summary>Quoted, schema-qualified name of a table as mapped in the context's model.</summary>
    public static string QualifiedName<TEntity>(DbContext db)
    {
        var entity = db.Model.FindEntityType(typeof(TEntity))
            ?? throw new InvalidOperationException(
                $"{db.GetType().Name} does not map {typeof(TEntity).Name}: call modelBuilder.AddOutboxAndInbox() in OnModelCreating.");
        return Qualify(entity.GetSchema(), entity.GetTableName() ?? typeof(TEntity).Name);
    }

    /// <summary>"schema"."table", or "table" when the schema is null (the search_path decides).</summary>
    public static string Qualify(string? schema, string table) =>
        schema is null ? Quote(table) : $"{Quote(schema)}.{Quote(table)}";

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
