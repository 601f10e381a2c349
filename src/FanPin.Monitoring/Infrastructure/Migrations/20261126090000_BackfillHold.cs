using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace FanPin.Monitoring.Infrastructure.Migrations;

/// <summary>
/// Back-fill feeds hold the households they touch in the evaluation queue until the back-fill ends
/// (<c>held_until</c>; null: due now), so loading a year of history evaluates each household once.
/// </summary>
[DbContext(typeof(MonitoringDbContext))]
[Migration("20261126090000_BackfillHold")]
public sealed class BackfillHold : Migration
{
    /// <inheritdoc />
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("ALTER TABLE evaluation_queue ADD COLUMN held_until timestamptz;");

    /// <inheritdoc />
    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("ALTER TABLE evaluation_queue DROP COLUMN held_until;");
}
