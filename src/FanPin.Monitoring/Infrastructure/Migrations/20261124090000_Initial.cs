using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace FanPin.Monitoring.Infrastructure.Migrations;

/// <summary>
/// The monitoring schema. Written by hand (the EF Design package is not on this feed) as SQL, because what
/// makes the service fast is PostgreSQL-specific: "C" collation on region codes (prefix LIKE uses the b-tree),
/// partial indexes on current records, and a per-row feed ledger keyed for idempotent re-imports.
/// </summary>
[DbContext(typeof(MonitoringDbContext))]
[Migration("20261124090000_Initial")]
public sealed class Initial : Migration
{
    /// <inheritdoc />
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            -- Read model of the registry: households and members as the registry announces them.
            CREATE TABLE known_households (
                id          uuid PRIMARY KEY,
                region_code varchar(12) COLLATE "C" NOT NULL,
                category    smallint,
                status      smallint,
                updated_at  timestamptz NOT NULL
            );
            CREATE INDEX ix_known_households_region ON known_households (region_code, id);

            CREATE TABLE known_members (
                id             uuid PRIMARY KEY,
                household_id   uuid NOT NULL,
                id_hash        bytea NOT NULL,
                joined_on      date,
                left_on        date,
                labour_ability smallint,
                updated_at     timestamptz NOT NULL
            );
            -- Feeds match on the keyed ID hash; the household's members are read for the denominator.
            CREATE INDEX ix_known_members_id_hash ON known_members (id_hash);
            CREATE INDEX ix_known_members_household ON known_members (household_id);

            -- Monthly amounts. Never updated except to mark a version superseded.
            CREATE TABLE records (
                id                uuid PRIMARY KEY,
                household_id      uuid NOT NULL,
                category          smallint NOT NULL,
                month             date NOT NULL CHECK (extract(day FROM month) = 1),
                amount_fen        bigint NOT NULL CHECK (amount_fen >= 0),
                source            smallint NOT NULL,
                reference         text NOT NULL DEFAULT '',
                department        text,
                feed_key          bigint,
                feed_row          integer,
                member_id_hash    bytea,
                version           integer NOT NULL,
                supersedes_id     uuid,
                superseded_by_id  uuid,
                superseded_at     timestamptz,
                correction_reason text,
                recorded_at       timestamptz NOT NULL,
                recorded_by       text NOT NULL
            );
            CREATE INDEX ix_records_household_month ON records (household_id, month);
            -- A feed finds the current records it may supersede among its department's records of its months.
            CREATE INDEX ix_records_feed ON records (department, month, household_id)
                WHERE superseded_by_id IS NULL AND department IS NOT NULL;
            -- One correction per version: two concurrent corrections of the same version cannot both win.
            CREATE UNIQUE INDEX ux_records_supersedes ON records (supersedes_id) WHERE supersedes_id IS NOT NULL;

            CREATE TABLE guarantee_snapshots (
                id                              uuid PRIMARY KEY,
                household_id                    uuid NOT NULL,
                observed_on                     date NOT NULL,
                source                          smallint NOT NULL,
                department                      text,
                feed_key                        bigint,
                reference                       text NOT NULL DEFAULT '',
                food_and_clothing_secure        boolean,
                out_of_school_children          integer CHECK (out_of_school_children >= 0),
                uninsured_members               integer CHECK (uninsured_members >= 0),
                housing_grade                   smallint,
                water_litres_per_person_per_day integer CHECK (water_litres_per_person_per_day >= 0),
                water_quality_meets_standard    boolean,
                water_fetch_round_trip_minutes  integer CHECK (water_fetch_round_trip_minutes >= 0),
                water_supply_rate               numeric(5,4) CHECK (water_supply_rate BETWEEN 0 AND 1),
                recorded_at                     timestamptz NOT NULL,
                recorded_by                     text NOT NULL
            );
            CREATE INDEX ix_guarantee_snapshots_household ON guarantee_snapshots (household_id, observed_on, recorded_at);

            CREATE TABLE visits (
                id           uuid PRIMARY KEY,
                household_id uuid NOT NULL,
                visited_on   date NOT NULL,
                helper_name  text NOT NULL,
                findings     text NOT NULL,
                next_actions text NOT NULL,
                recorded_at  timestamptz NOT NULL,
                recorded_by  text NOT NULL
            );
            CREATE INDEX ix_visits_household ON visits (household_id, visited_on);

            CREATE TABLE exclusion_facts (
                id             uuid PRIMARY KEY,
                household_id   uuid NOT NULL,
                kind           smallint NOT NULL,
                department     text NOT NULL,
                member_id_hash bytea NOT NULL,
                month          date NOT NULL,
                amount_fen     bigint,
                reference      text NOT NULL DEFAULT '',
                feed_key       bigint NOT NULL,
                feed_row       integer NOT NULL,
                recorded_at    timestamptz NOT NULL
            );
            -- The same fact reported again (next month's feed) is the same fact.
            CREATE UNIQUE INDEX ux_exclusion_facts ON exclusion_facts (household_id, kind, department, member_id_hash, reference);

            CREATE TABLE feeds (
                key                bigserial PRIMARY KEY,
                feed_id            text NOT NULL,
                department         text NOT NULL,
                period             date NOT NULL,
                region_prefix      varchar(12) COLLATE "C" NOT NULL,
                arrived_at         timestamptz NOT NULL,
                last_imported_at   timestamptz NOT NULL,
                imported_by        text NOT NULL,
                due_on             date,
                late               boolean NOT NULL,
                row_count          integer NOT NULL,
                applied_rows       integer NOT NULL,
                unchanged_rows     integer NOT NULL,
                duplicate_rows     integer NOT NULL,
                invalid_rows       integer NOT NULL,
                unmatched_rows     integer NOT NULL,
                outside_scope_rows integer NOT NULL,
                anomalies_raised   text[] NOT NULL DEFAULT '{}'
            );
            CREATE UNIQUE INDEX ux_feeds_department_feed_id ON feeds (department, feed_id);
            CREATE INDEX ix_feeds_department_period ON feeds (department, period, region_prefix);

            -- One row per feed row: re-importing a feed skips rows already here.
            CREATE TABLE feed_rows (
                feed_key     bigint NOT NULL,
                row_number   integer NOT NULL,
                outcome      smallint NOT NULL,
                reason       text,
                household_id uuid,
                PRIMARY KEY (feed_key, row_number)
            );

            CREATE TABLE feed_overdue_notices (
                department    text NOT NULL,
                region_prefix varchar(12) COLLATE "C" NOT NULL,
                period        date NOT NULL,
                due_on        date NOT NULL,
                raised_at     timestamptz NOT NULL,
                PRIMARY KEY (department, region_prefix, period)
            );

            CREATE TABLE evaluation_queue (
                household_id uuid PRIMARY KEY,
                enqueued_at  timestamptz NOT NULL
            );

            CREATE TABLE household_evaluations (
                household_id    uuid PRIMARY KEY,
                evaluated_at    timestamptz NOT NULL,
                reference_month date NOT NULL,
                policy_province text NOT NULL,
                policy_version  integer NOT NULL,
                fingerprint     bytea NOT NULL,
                signal_count    integer NOT NULL,
                signal_codes    text[] NOT NULL,
                has_findings    boolean NOT NULL,
                payload         jsonb NOT NULL
            );
            CREATE INDEX ix_household_evaluations_reference ON household_evaluations (reference_month);

            CREATE TABLE signal_changes (
                sequence     bigserial PRIMARY KEY,
                event_id     uuid NOT NULL,
                household_id uuid NOT NULL,
                region_code  varchar(12) COLLATE "C" NOT NULL,
                occurred_at  timestamptz NOT NULL,
                payload      jsonb NOT NULL
            );
            CREATE INDEX ix_signal_changes_region ON signal_changes (region_code, sequence);

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
    }

    /// <inheritdoc />
    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            DROP TABLE domain_events, signal_changes, household_evaluations, evaluation_queue, feed_overdue_notices,
                feed_rows, feeds, exclusion_facts, visits, guarantee_snapshots, records, known_members, known_households;
            """);
    }
}
