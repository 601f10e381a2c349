using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace FanPin.Registry.Infrastructure.Migrations;

/// <summary>
/// The registry schema. Written by hand (the EF Design package is not on this feed) as SQL, because the
/// indexes that make the service fast are PostgreSQL-specific: "C" collation on region codes (prefix LIKE
/// uses the b-tree), partial unique indexes (one current holder per ID number, one open case per household),
/// and the covering index the ledger counts from without touching the table.
/// </summary>
[DbContext(typeof(RegistryDbContext))]
[Migration("20261123090000_Initial")]
public sealed class Initial : Migration
{
    /// <inheritdoc />
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            CREATE TABLE regions (
                code        varchar(12) COLLATE "C" PRIMARY KEY,
                name        text NOT NULL,
                level       smallint NOT NULL,
                parent_code varchar(12) COLLATE "C" REFERENCES regions (code)
            );
            CREATE INDEX ix_regions_parent ON regions (parent_code, code);

            CREATE TABLE households (
                id                       uuid PRIMARY KEY,
                region_code              varchar(12) COLLATE "C" NOT NULL REFERENCES regions (code),
                category                 text NOT NULL,
                minimum_living_guarantee boolean NOT NULL,
                extreme_poverty_support  boolean NOT NULL,
                status                   text NOT NULL,
                monitoring_type          text,
                risk_type_mask           integer NOT NULL DEFAULT 0,
                helper_name              text,
                helper_phone             text,
                helper_organisation      text,
                helper_assigned_on       date,
                member_count             integer NOT NULL,
                head_name                text NOT NULL,
                dissolved_on             date,
                merged_into_id           uuid,
                created_at               timestamptz NOT NULL,
                updated_at               timestamptz NOT NULL,
                import_batch_id          text
            );
            -- Lists (cursor on region_code, id) and the ledger (index-only: every counted column is included).
            CREATE INDEX ix_households_region ON households (region_code, id)
                INCLUDE (category, status, monitoring_type, risk_type_mask, member_count)
                WHERE dissolved_on IS NULL;
            CREATE INDEX ix_households_import_batch ON households (import_batch_id) WHERE import_batch_id IS NOT NULL;

            CREATE TABLE members (
                id                  uuid PRIMARY KEY,
                household_id        uuid NOT NULL REFERENCES households (id),
                name                text NOT NULL,
                id_number_cipher    bytea NOT NULL,
                id_number_hash      bytea NOT NULL,
                id_number_masked    varchar(18) NOT NULL,
                birth_date          date NOT NULL,
                sex                 text NOT NULL,
                relation            text NOT NULL,
                labour_ability      text NOT NULL,
                health              text NOT NULL,
                disability_grade    integer,
                schooling           text NOT NULL,
                employment_location text NOT NULL,
                employment_months   integer NOT NULL,
                medical_insured     boolean NOT NULL,
                pension_insured     boolean NOT NULL,
                joined_on           date NOT NULL,
                joined_by           text,
                left_on             date,
                left_by             text
            );
            CREATE INDEX ix_members_household ON members (household_id);
            -- A person belongs to one household at a time; former memberships stay as history.
            CREATE UNIQUE INDEX ux_members_current_id_number ON members (id_number_hash) WHERE left_on IS NULL;

            CREATE TABLE member_changes (
                id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                household_id       uuid NOT NULL REFERENCES households (id),
                member_id          uuid NOT NULL REFERENCES members (id),
                kind               text NOT NULL,
                effective_on       date NOT NULL,
                recorded_at        timestamptz NOT NULL,
                recorded_by        text NOT NULL,
                other_household_id uuid,
                details            jsonb
            );
            CREATE INDEX ix_member_changes_household ON member_changes (household_id, id);

            CREATE TABLE identification_cases (
                id                             uuid PRIMARY KEY,
                household_id                   uuid NOT NULL REFERENCES households (id),
                region_code                    varchar(12) COLLATE "C" NOT NULL,
                source                         text NOT NULL,
                source_reference               text,
                summary                        text NOT NULL,
                state                          text NOT NULL,
                status_before                  text NOT NULL,
                policy_province                varchar(2) NOT NULL,
                policy_version                 integer NOT NULL,
                opened_on                      date NOT NULL,
                opened_at                      timestamptz NOT NULL,
                opened_by                      text NOT NULL,
                first_visit_due_on             date,
                verification_due_on            date,
                decision_due_on                date,
                verified_on                    date,
                verified_per_capita_income_fen bigint,
                appraised_on                   date,
                appraisal_result               text,
                appraisal_minutes_reference    text,
                asset_check_authorised         boolean,
                compared_on                    date,
                exclusions                     jsonb NOT NULL DEFAULT '[]',
                notice_starts_on               date,
                notice_ends_on                 date,
                reopenings                     integer NOT NULL DEFAULT 0,
                entered_on                     date,
                rejected_at                    text,
                rejection_reason               text,
                closed_at                      timestamptz
            );
            CREATE INDEX ix_identification_cases_household ON identification_cases (household_id);
            CREATE INDEX ix_identification_cases_region ON identification_cases (region_code, state);
            -- At most one case in progress per household, even under concurrent openings.
            CREATE UNIQUE INDEX ux_identification_cases_open ON identification_cases (household_id)
                WHERE state NOT IN ('Entered', 'Rejected');
            -- A re-delivered signal or petition opens nothing new.
            CREATE UNIQUE INDEX ux_identification_cases_source ON identification_cases (source, source_reference)
                WHERE source_reference IS NOT NULL;

            CREATE TABLE closing_cases (
                id                          uuid PRIMARY KEY,
                household_id                uuid NOT NULL REFERENCES households (id),
                region_code                 varchar(12) COLLATE "C" NOT NULL,
                source                      text NOT NULL,
                source_reference            text,
                summary                     text NOT NULL,
                state                       text NOT NULL,
                policy_province             varchar(2) NOT NULL,
                policy_version              integer NOT NULL,
                income_stable_since         date NOT NULL,
                opened_on                   date NOT NULL,
                opened_at                   timestamptz NOT NULL,
                opened_by                   text NOT NULL,
                appraised_on                date,
                appraisal_minutes_reference text,
                reviewed_on                 date,
                notice_starts_on            date,
                notice_ends_on              date,
                eliminated_on               date,
                rejected_at                 text,
                rejection_reason            text,
                closed_at                   timestamptz
            );
            CREATE INDEX ix_closing_cases_household ON closing_cases (household_id);
            CREATE INDEX ix_closing_cases_region ON closing_cases (region_code, state);
            CREATE UNIQUE INDEX ux_closing_cases_open ON closing_cases (household_id)
                WHERE state NOT IN ('RiskEliminated', 'Rejected');
            CREATE UNIQUE INDEX ux_closing_cases_source ON closing_cases (source, source_reference)
                WHERE source_reference IS NOT NULL;

            CREATE TABLE case_transitions (
                id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                case_id       uuid NOT NULL,
                case_kind     text NOT NULL,
                from_state    text,
                to_state      text NOT NULL,
                action        text NOT NULL,
                actor_subject text NOT NULL,
                actor_role    text NOT NULL,
                at            timestamptz NOT NULL,
                details       jsonb NOT NULL
            );
            CREATE INDEX ix_case_transitions_case ON case_transitions (case_id, id);

            CREATE TABLE import_batches (
                batch_id     text PRIMARY KEY,
                requested_by text NOT NULL,
                completed_at timestamptz NOT NULL,
                row_count    integer NOT NULL,
                accepted     integer NOT NULL,
                rejected     integer NOT NULL,
                result       jsonb NOT NULL
            );

            CREATE TABLE domain_events (
                sequence     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                event_id     uuid NOT NULL UNIQUE,
                event_type   text NOT NULL,
                occurred_at  timestamptz NOT NULL,
                region_code  varchar(12) COLLATE "C" NOT NULL,
                household_id uuid NOT NULL,
                payload      jsonb NOT NULL
            );
            """);
    }

    /// <inheritdoc />
    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("""
            DROP TABLE domain_events, import_batches, case_transitions, closing_cases, identification_cases,
                member_changes, members, households, regions;
            """);
}
