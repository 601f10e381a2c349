using FanPin.Messaging.Persistence;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Microsoft.EntityFrameworkCore;

/// <summary>Outbox and inbox DDL for a service's hand-written migration.</summary>
public static class MessagingMigrationBuilderExtensions
{
    /// <summary>In <c>Up</c>: creates the outbox and inbox tables, their indexes and the NOTIFY trigger.</summary>
    public static MigrationBuilder CreateOutboxAndInbox(this MigrationBuilder migrationBuilder, string? schema = null)
    {
        migrationBuilder.Sql(MessagingSchemaSql.Create(schema));
        return migrationBuilder;
    }

    /// <summary>In <c>Down</c>: drops them.</summary>
    public static MigrationBuilder DropOutboxAndInbox(this MigrationBuilder migrationBuilder, string? schema = null)
    {
        migrationBuilder.Sql(MessagingSchemaSql.Drop(schema));
        return migrationBuilder;
    }
}
