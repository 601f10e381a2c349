using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace FanPin.Monitoring.Infrastructure.Migrations;

/// <summary>
/// Events leave through the messaging library's transactional outbox (and the registry's events come in through
/// its inbox) instead of the interim <c>domain_events</c> journal, which nothing reads any more.
/// </summary>
[DbContext(typeof(MonitoringDbContext))]
[Migration("20261125090000_Outbox")]
public sealed class Outbox : Migration
{
    /// <inheritdoc />
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateOutboxAndInbox();
        migrationBuilder.Sql("DROP TABLE domain_events;");
    }

    /// <inheritdoc />
    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            CREATE TABLE domain_events (
                sequence     bigserial PRIMARY KEY,
                event_id     uuid NOT NULL UNIQUE,
                event_type   text NOT NULL,
                occurred_at  timestamptz NOT NULL,
                region_code  varchar(12) COLLATE "C" NOT NULL,
                household_id uuid,
                payload      jsonb NOT NULL
            );
            """);
        migrationBuilder.DropOutboxAndInbox();
    }
}
