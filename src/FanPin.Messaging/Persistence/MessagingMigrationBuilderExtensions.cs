using FanPin.Messaging.Persistence;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Microsoft.EntityFrameworkCore;

/// <summary>Outbox and inbox DDL for a service's hand-written migration.</summary>
public static class MessagingMigrationBuilderExtensions
{
    /// <summary>
    /// In <c>Up</c>: creates the outbox and inbox tables and their indexes; <paramref name="notifyTrigger"/> adds the
    /// NOTIFY trigger for writers outside the service process (see <see cref="MessagingSchemaSql.Create"/>).
    /// </summary>
    public static MigrationBuilder CreateOutboxAndInbox(this MigrationBuilder migrationBuilder, string? schema = null, bool notifyTrigger = false)
    {
        migrationBuilder.Sql(MessagingSchemaSql.Create(schema, notifyTrigger));
        return migrationBuilder;
    }

    /// <summary>In <c>Down</c>: drops them.</summary>
    public static MigrationBuilder DropOutboxAndInbox(this MigrationBuilder migrationBuilder, string? schema = null)
    {
        migrationBuilder.Sql(MessagingSchemaSql.Drop(schema));
        return migrationBuilder;
    }
}
