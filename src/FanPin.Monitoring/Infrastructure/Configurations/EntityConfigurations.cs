using FanPin.Monitoring.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace FanPin.Monitoring.Infrastructure.Configurations;

// Table and column names follow the hand-written migration exactly (snake_case); enums are stored as smallint.

internal sealed class KnownHouseholdConfiguration : IEntityTypeConfiguration<KnownHousehold>
{
    public void Configure(EntityTypeBuilder<KnownHousehold> b)
    {
        b.ToTable("known_households");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasColumnName("id").ValueGeneratedNever();
        b.Property(x => x.RegionCode).HasColumnName("region_code").HasMaxLength(12);
        b.Property(x => x.Category).HasColumnName("category").HasConversion<short?>();
        b.Property(x => x.Status).HasColumnName("status").HasConversion<short?>();
        b.Property(x => x.UpdatedAt).HasColumnName("updated_at");
    }
}

internal sealed class KnownMemberConfiguration : IEntityTypeConfiguration<KnownMember>
{
    public void Configure(EntityTypeBuilder<KnownMember> b)
    {
        b.ToTable("known_members");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasColumnName("id").ValueGeneratedNever();
        b.Property(x => x.HouseholdId).HasColumnName("household_id");
        b.Property(x => x.IdHash).HasColumnName("id_hash");
        b.Property(x => x.JoinedOn).HasColumnName("joined_on");
        b.Property(x => x.LeftOn).HasColumnName("left_on");
        b.Property(x => x.LabourAbility).HasColumnName("labour_ability").HasConversion<short?>();
        b.Property(x => x.UpdatedAt).HasColumnName("updated_at");
        b.Ignore(x => x.Span);
    }
}

internal sealed class MonthlyRecordConfiguration : IEntityTypeConfiguration<MonthlyRecord>
{
    public void Configure(EntityTypeBuilder<MonthlyRecord> b)
    {
        b.ToTable("records");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasColumnName("id").ValueGeneratedNever();
        b.Property(x => x.HouseholdId).HasColumnName("household_id");
        b.Property(x => x.Category).HasColumnName("category").HasConversion<short>();
        b.Property(x => x.Month).HasColumnName("month");
        b.Property(x => x.AmountFen).HasColumnName("amount_fen");
        b.Property(x => x.Source).HasColumnName("source").HasConversion<short>();
        b.Property(x => x.Reference).HasColumnName("reference");
        b.Property(x => x.Department).HasColumnName("department");
        b.Property(x => x.FeedKey).HasColumnName("feed_key");
        b.Property(x => x.FeedRow).HasColumnName("feed_row");
        b.Property(x => x.MemberIdHash).HasColumnName("member_id_hash");
        b.Property(x => x.Version).HasColumnName("version");
        b.Property(x => x.SupersedesId).HasColumnName("supersedes_id");
        b.Property(x => x.SupersededById).HasColumnName("superseded_by_id");
        b.Property(x => x.SupersededAt).HasColumnName("superseded_at");
        b.Property(x => x.CorrectionReason).HasColumnName("correction_reason");
        b.Property(x => x.RecordedAt).HasColumnName("recorded_at");
        b.Property(x => x.RecordedBy).HasColumnName("recorded_by");
        b.Ignore(x => x.IsCurrent);
        b.Ignore(x => x.Kind);
    }
}

internal sealed class GuaranteeSnapshotConfiguration : IEntityTypeConfiguration<GuaranteeSnapshot>
{
    public void Configure(EntityTypeBuilder<GuaranteeSnapshot> b)
    {
        b.ToTable("guarantee_snapshots");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasColumnName("id").ValueGeneratedNever();
        b.Property(x => x.HouseholdId).HasColumnName("household_id");
        b.Property(x => x.ObservedOn).HasColumnName("observed_on");
        b.Property(x => x.Source).HasColumnName("source").HasConversion<short>();
        b.Property(x => x.Department).HasColumnName("department");
        b.Property(x => x.FeedKey).HasColumnName("feed_key");
        b.Property(x => x.Reference).HasColumnName("reference");
        b.Property(x => x.FoodAndClothingSecure).HasColumnName("food_and_clothing_secure");
        b.Property(x => x.OutOfSchoolChildren).HasColumnName("out_of_school_children");
        b.Property(x => x.UninsuredMembers).HasColumnName("uninsured_members");
        b.Property(x => x.HousingGrade).HasColumnName("housing_grade").HasConversion<short?>();
        b.Property(x => x.WaterLitresPerPersonPerDay).HasColumnName("water_litres_per_person_per_day");
        b.Property(x => x.WaterQualityMeetsStandard).HasColumnName("water_quality_meets_standard");
        b.Property(x => x.WaterFetchRoundTripMinutes).HasColumnName("water_fetch_round_trip_minutes");
        b.Property(x => x.WaterSupplyRate).HasColumnName("water_supply_rate").HasColumnType("numeric(5,4)");
        b.Property(x => x.RecordedAt).HasColumnName("recorded_at");
        b.Property(x => x.RecordedBy).HasColumnName("recorded_by");
        b.Ignore(x => x.Indicators);
    }
}

internal sealed class VisitConfiguration : IEntityTypeConfiguration<Visit>
{
    public void Configure(EntityTypeBuilder<Visit> b)
    {
        b.ToTable("visits");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasColumnName("id").ValueGeneratedNever();
        b.Property(x => x.HouseholdId).HasColumnName("household_id");
        b.Property(x => x.VisitedOn).HasColumnName("visited_on");
        b.Property(x => x.HelperName).HasColumnName("helper_name");
        b.Property(x => x.Findings).HasColumnName("findings");
        b.Property(x => x.NextActions).HasColumnName("next_actions");
        b.Property(x => x.RecordedAt).HasColumnName("recorded_at");
        b.Property(x => x.RecordedBy).HasColumnName("recorded_by");
    }
}

internal sealed class ExclusionFactConfiguration : IEntityTypeConfiguration<ExclusionFact>
{
    public void Configure(EntityTypeBuilder<ExclusionFact> b)
    {
        b.ToTable("exclusion_facts");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasColumnName("id").ValueGeneratedNever();
        b.Property(x => x.HouseholdId).HasColumnName("household_id");
        b.Property(x => x.Kind).HasColumnName("kind").HasConversion<short>();
        b.Property(x => x.Department).HasColumnName("department");
        b.Property(x => x.MemberIdHash).HasColumnName("member_id_hash");
        b.Property(x => x.Month).HasColumnName("month");
        b.Property(x => x.AmountFen).HasColumnName("amount_fen");
        b.Property(x => x.Reference).HasColumnName("reference");
        b.Property(x => x.FeedKey).HasColumnName("feed_key");
        b.Property(x => x.FeedRow).HasColumnName("feed_row");
        b.Property(x => x.RecordedAt).HasColumnName("recorded_at");
        b.Ignore(x => x.View);
    }
}

internal sealed class FeedConfiguration : IEntityTypeConfiguration<Feed>
{
    public void Configure(EntityTypeBuilder<Feed> b)
    {
        b.ToTable("feeds");
        b.HasKey(x => x.Key);
        b.Property(x => x.Key).HasColumnName("key").ValueGeneratedOnAdd();
        b.Property(x => x.FeedId).HasColumnName("feed_id");
        b.Property(x => x.Department).HasColumnName("department");
        b.Property(x => x.Period).HasColumnName("period");
        b.Property(x => x.RegionPrefix).HasColumnName("region_prefix");
        b.Property(x => x.ArrivedAt).HasColumnName("arrived_at");
        b.Property(x => x.LastImportedAt).HasColumnName("last_imported_at");
        b.Property(x => x.ImportedBy).HasColumnName("imported_by");
        b.Property(x => x.DueOn).HasColumnName("due_on");
        b.Property(x => x.Late).HasColumnName("late");
        b.Property(x => x.RowCount).HasColumnName("row_count");
        b.Property(x => x.AppliedRows).HasColumnName("applied_rows");
        b.Property(x => x.UnchangedRows).HasColumnName("unchanged_rows");
        b.Property(x => x.DuplicateRows).HasColumnName("duplicate_rows");
        b.Property(x => x.InvalidRows).HasColumnName("invalid_rows");
        b.Property(x => x.UnmatchedRows).HasColumnName("unmatched_rows");
        b.Property(x => x.OutsideScopeRows).HasColumnName("outside_scope_rows");
        b.Property(x => x.AnomaliesRaised).HasColumnName("anomalies_raised");
        b.Ignore(x => x.MatchRate);
        b.Ignore(x => x.ErrorRate);
    }
}

internal sealed class FeedRowResultConfiguration : IEntityTypeConfiguration<FeedRowResult>
{
    public void Configure(EntityTypeBuilder<FeedRowResult> b)
    {
        b.ToTable("feed_rows");
        b.HasKey(x => new { x.FeedKey, x.RowNumber });
        b.Property(x => x.FeedKey).HasColumnName("feed_key");
        b.Property(x => x.RowNumber).HasColumnName("row_number");
        b.Property(x => x.Outcome).HasColumnName("outcome").HasConversion<short>();
        b.Property(x => x.Reason).HasColumnName("reason");
        b.Property(x => x.HouseholdId).HasColumnName("household_id");
    }
}

internal sealed class FeedOverdueNoticeConfiguration : IEntityTypeConfiguration<FeedOverdueNotice>
{
    public void Configure(EntityTypeBuilder<FeedOverdueNotice> b)
    {
        b.ToTable("feed_overdue_notices");
        b.HasKey(x => new { x.Department, x.RegionPrefix, x.Period });
        b.Property(x => x.Department).HasColumnName("department");
        b.Property(x => x.RegionPrefix).HasColumnName("region_prefix");
        b.Property(x => x.Period).HasColumnName("period");
        b.Property(x => x.DueOn).HasColumnName("due_on");
        b.Property(x => x.RaisedAt).HasColumnName("raised_at");
    }
}

internal sealed class EvaluationQueueEntryConfiguration : IEntityTypeConfiguration<EvaluationQueueEntry>
{
    public void Configure(EntityTypeBuilder<EvaluationQueueEntry> b)
    {
        b.ToTable("evaluation_queue");
        b.HasKey(x => x.HouseholdId);
        b.Property(x => x.HouseholdId).HasColumnName("household_id").ValueGeneratedNever();
        b.Property(x => x.EnqueuedAt).HasColumnName("enqueued_at");
        b.Property(x => x.HeldUntil).HasColumnName("held_until");
    }
}

internal sealed class StoredEvaluationConfiguration : IEntityTypeConfiguration<StoredEvaluation>
{
    public void Configure(EntityTypeBuilder<StoredEvaluation> b)
    {
        b.ToTable("household_evaluations");
        b.HasKey(x => x.HouseholdId);
        b.Property(x => x.HouseholdId).HasColumnName("household_id").ValueGeneratedNever();
        b.Property(x => x.EvaluatedAt).HasColumnName("evaluated_at");
        b.Property(x => x.ReferenceMonth).HasColumnName("reference_month");
        b.Property(x => x.PolicyProvince).HasColumnName("policy_province");
        b.Property(x => x.PolicyVersion).HasColumnName("policy_version");
        b.Property(x => x.Fingerprint).HasColumnName("fingerprint");
        b.Property(x => x.SignalCount).HasColumnName("signal_count");
        b.Property(x => x.SignalCodes).HasColumnName("signal_codes");
        b.Property(x => x.HasFindings).HasColumnName("has_findings");
        b.Property(x => x.Payload).HasColumnName("payload").HasColumnType("jsonb");
    }
}

internal sealed class SignalChangeConfiguration : IEntityTypeConfiguration<SignalChange>
{
    public void Configure(EntityTypeBuilder<SignalChange> b)
    {
        b.ToTable("signal_changes");
        b.HasKey(x => x.Sequence);
        b.Property(x => x.Sequence).HasColumnName("sequence").ValueGeneratedOnAdd();
        b.Property(x => x.EventId).HasColumnName("event_id");
        b.Property(x => x.HouseholdId).HasColumnName("household_id");
        b.Property(x => x.RegionCode).HasColumnName("region_code");
        b.Property(x => x.OccurredAt).HasColumnName("occurred_at");
        b.Property(x => x.Payload).HasColumnName("payload").HasColumnType("jsonb");
    }
}
