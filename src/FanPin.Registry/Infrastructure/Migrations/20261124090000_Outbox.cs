using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace FanPin.Registry.Infrastructure.Migrations;

/// <summary>
/// Events leave through the messaging library's transactional outbox (and consumers deduplicate through its
/// inbox) instead of the interim <c>domain_events</c> journal; households get the revision their events carry.
/// </summary>
[DbContext(typeof(RegistryDbContext))]
[Migration("20261124090000_Outbox")]
public sealed class Outbox : Migration
{
    /// <inheritdoc />
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateOutboxAndInbox();
        migrationBuilder.Sql("""
            ALTER TABLE households ADD COLUMN revision bigint NOT NULL DEFAULT 1;
            DROP TABLE domain_events;
            """);
    }

    /// <inheritdoc />
    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            CREATE TABLE domain_events (
                sequence     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                event_id     uuid NOT NULL UNIQUE,
                event_type   text NOT NULL,
                occurred_at  timestamptz NOT NULL,
                region_code  varchar(12) COLLATE "C" NOT NULL,
                household_id uuid NOT NULL,
                payload      jsonb NOT NULL
            );
            ALTER TABLE households DROP COLUMN revision;
            """);
        migrationBuilder.DropOutboxAndInbox();
    }
}
