using FanPin.Registry.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace FanPin.Registry.Infrastructure.Configurations;

// Column names are snake_case and enums are stored by name: the database reads well in psql and in the
// ledger's SQL, and reordering an enum can never change stored meaning. The schema itself is the migration's.

internal sealed class RegionConfiguration : IEntityTypeConfiguration<Region>
{
    public void Configure(EntityTypeBuilder<Region> b)
    {
        b.ToTable("regions");
        b.HasKey(r => r.Code);
        b.Property(r => r.Code).HasColumnName("code");
        b.Property(r => r.Name).HasColumnName("name");
        b.Property(r => r.Level).HasColumnName("level").HasConversion<short>();
        b.Property(r => r.ParentCode).HasColumnName("parent_code");
    }
}

internal sealed class HouseholdConfiguration : IEntityTypeConfiguration<Household>
{
    public void Configure(EntityTypeBuilder<Household> b)
    {
        b.ToTable("households");
        b.HasKey(h => h.Id);
        b.Property(h => h.Id).HasColumnName("id").ValueGeneratedNever();
        b.Property(h => h.RegionCode).HasColumnName("region_code");
        b.Property(h => h.Category).HasColumnName("category").HasConversion<string>();
        b.Property(h => h.MinimumLivingGuarantee).HasColumnName("minimum_living_guarantee");
        b.Property(h => h.ExtremePovertySupport).HasColumnName("extreme_poverty_support");
        b.Property(h => h.Status).HasColumnName("status").HasConversion<string>();
        b.Property(h => h.MonitoringType).HasColumnName("monitoring_type").HasConversion<string>();
        b.Property(h => h.RiskTypeMask).HasColumnName("risk_type_mask");
        b.Property(h => h.MemberCount).HasColumnName("member_count");
        b.Property(h => h.HeadName).HasColumnName("head_name");
        b.Property(h => h.DissolvedOn).HasColumnName("dissolved_on");
        b.Property(h => h.MergedIntoId).HasColumnName("merged_into_id");
        b.Property(h => h.CreatedAt).HasColumnName("created_at");
        b.Property(h => h.UpdatedAt).HasColumnName("updated_at");
        b.Property(h => h.Version).HasColumnName("xmin").HasColumnType("xid").IsRowVersion();
        b.Property(h => h.Revision).HasColumnName("revision");
        b.Property<string?>("ImportBatchId").HasColumnName("import_batch_id");
        b.OwnsOne(h => h.Helper, helper =>
        {
            helper.Property(x => x.Name).HasColumnName("helper_name");
            helper.Property(x => x.Phone).HasColumnName("helper_phone");
            helper.Property(x => x.Organisation).HasColumnName("helper_organisation");
            helper.Property(x => x.AssignedOn).HasColumnName("helper_assigned_on");
        });
        b.Navigation(h => h.Helper).IsRequired(false);
        b.Ignore(h => h.RiskTypes);
        b.Ignore(h => h.Members);
        b.Ignore(h => h.DomainEvents);
        b.HasMany(h => h.AllMembers).WithOne().HasForeignKey(m => m.HouseholdId);
        b.Navigation(h => h.AllMembers).HasField("_members").UsePropertyAccessMode(PropertyAccessMode.Field);
        b.HasMany(h => h.Changes).WithOne().HasForeignKey(c => c.HouseholdId);
        b.Navigation(h => h.Changes).HasField("_changes").UsePropertyAccessMode(PropertyAccessMode.Field);
    }
}

internal sealed class MemberConfiguration : IEntityTypeConfiguration<Member>
{
    public void Configure(EntityTypeBuilder<Member> b)
    {
        b.ToTable("members");
        b.HasKey(m => m.Id);
        b.Property(m => m.Id).HasColumnName("id").ValueGeneratedNever();
        b.Property(m => m.HouseholdId).HasColumnName("household_id");
        b.Property(m => m.Name).HasColumnName("name");
        b.Property(m => m.IdNumberCipher).HasColumnName("id_number_cipher");
        b.Property(m => m.IdNumberHash).HasColumnName("id_number_hash");
        b.Property(m => m.IdNumberMasked).HasColumnName("id_number_masked");
        b.Property(m => m.BirthDate).HasColumnName("birth_date");
        b.Property(m => m.Sex).HasColumnName("sex").HasConversion<string>();
        b.Property(m => m.Relation).HasColumnName("relation").HasConversion<string>();
        b.Property(m => m.LabourAbility).HasColumnName("labour_ability").HasConversion<string>();
        b.Property(m => m.Health).HasColumnName("health").HasConversion<string>();
        b.Property(m => m.DisabilityGrade).HasColumnName("disability_grade");
        b.Property(m => m.Schooling).HasColumnName("schooling").HasConversion<string>();
        b.Property(m => m.EmploymentLocation).HasColumnName("employment_location").HasConversion<string>();
        b.Property(m => m.EmploymentMonths).HasColumnName("employment_months");
        b.Property(m => m.MedicalInsured).HasColumnName("medical_insured");
        b.Property(m => m.PensionInsured).HasColumnName("pension_insured");
        b.Property(m => m.JoinedOn).HasColumnName("joined_on");
        b.Property(m => m.JoinedBy).HasColumnName("joined_by").HasConversion<string>();
        b.Property(m => m.LeftOn).HasColumnName("left_on");
        b.Property(m => m.LeftBy).HasColumnName("left_by").HasConversion<string>();
        b.Ignore(m => m.IsCurrent);
        b.Ignore(m => m.ProtectedIdNumber);
        b.Ignore(m => m.Facts);
    }
}

internal sealed class MemberChangeConfiguration : IEntityTypeConfiguration<MemberChange>
{
    public void Configure(EntityTypeBuilder<MemberChange> b)
    {
        b.ToTable("member_changes");
        b.HasKey(c => c.Id);
        b.Property(c => c.Id).HasColumnName("id").UseIdentityAlwaysColumn();
        b.Property(c => c.HouseholdId).HasColumnName("household_id");
        b.Property(c => c.MemberId).HasColumnName("member_id");
        b.Property(c => c.Kind).HasColumnName("kind").HasConversion<string>();
        b.Property(c => c.EffectiveOn).HasColumnName("effective_on");
        b.Property(c => c.RecordedAt).HasColumnName("recorded_at");
        b.Property(c => c.RecordedBy).HasColumnName("recorded_by");
        b.Property(c => c.OtherHouseholdId).HasColumnName("other_household_id");
        b.Property(c => c.Details).HasColumnName("details").HasColumnType("jsonb");
        // Known to EF so that a new member is inserted before the history entry that names it.
        b.HasOne<Member>().WithMany().HasForeignKey(c => c.MemberId);
    }
}

internal sealed class IdentificationCaseConfiguration : IEntityTypeConfiguration<IdentificationCase>
{
    public void Configure(EntityTypeBuilder<IdentificationCase> b)
    {
        b.ToTable("identification_cases");
        b.HasKey(c => c.Id);
        b.Property(c => c.Id).HasColumnName("id").ValueGeneratedNever();
        b.Property(c => c.HouseholdId).HasColumnName("household_id");
        b.Property(c => c.RegionCode).HasColumnName("region_code");
        b.Property(c => c.Source).HasColumnName("source").HasConversion<string>();
        b.Property(c => c.SourceReference).HasColumnName("source_reference");
        b.Property(c => c.Summary).HasColumnName("summary");
        b.Property(c => c.State).HasColumnName("state").HasConversion<string>();
        b.Property(c => c.StatusBefore).HasColumnName("status_before").HasConversion<string>();
        b.Property(c => c.PolicyProvince).HasColumnName("policy_province");
        b.Property(c => c.PolicyVersion).HasColumnName("policy_version");
        b.Property(c => c.OpenedOn).HasColumnName("opened_on");
        b.Property(c => c.OpenedAt).HasColumnName("opened_at");
        b.Property(c => c.OpenedBy).HasColumnName("opened_by");
        b.Property(c => c.FirstVisitDueOn).HasColumnName("first_visit_due_on");
        b.Property(c => c.VerificationDueOn).HasColumnName("verification_due_on");
        b.Property(c => c.DecisionDueOn).HasColumnName("decision_due_on");
        b.Property(c => c.VerifiedOn).HasColumnName("verified_on");
        b.Property(c => c.VerifiedPerCapitaIncomeFen).HasColumnName("verified_per_capita_income_fen");
        b.Property(c => c.AppraisedOn).HasColumnName("appraised_on");
        b.Property(c => c.AppraisalResult).HasColumnName("appraisal_result").HasConversion<string>();
        b.Property(c => c.AppraisalMinutesReference).HasColumnName("appraisal_minutes_reference");
        b.Property(c => c.AssetCheckAuthorised).HasColumnName("asset_check_authorised");
        b.Property(c => c.ComparedOn).HasColumnName("compared_on");
        b.Property(c => c.ExclusionsJson).HasColumnName("exclusions").HasColumnType("jsonb");
        b.Property(c => c.NoticeStartsOn).HasColumnName("notice_starts_on");
        b.Property(c => c.NoticeEndsOn).HasColumnName("notice_ends_on");
        b.Property(c => c.Reopenings).HasColumnName("reopenings");
        b.Property(c => c.EnteredOn).HasColumnName("entered_on");
        b.Property(c => c.RejectedAt).HasColumnName("rejected_at").HasConversion<string>();
        b.Property(c => c.RejectionReason).HasColumnName("rejection_reason");
        b.Property(c => c.ClosedAt).HasColumnName("closed_at");
        b.Property(c => c.Version).HasColumnName("xmin").HasColumnType("xid").IsRowVersion();
        b.Ignore(c => c.Exclusions);
        b.Ignore(c => c.NewTransitions);
        b.Ignore(c => c.DomainEvents);
        b.Ignore(c => c.IsOpen);
    }
}

internal sealed class ClosingCaseConfiguration : IEntityTypeConfiguration<ClosingCase>
{
    public void Configure(EntityTypeBuilder<ClosingCase> b)
    {
        b.ToTable("closing_cases");
        b.HasKey(c => c.Id);
        b.Property(c => c.Id).HasColumnName("id").ValueGeneratedNever();
        b.Property(c => c.HouseholdId).HasColumnName("household_id");
        b.Property(c => c.RegionCode).HasColumnName("region_code");
        b.Property(c => c.Source).HasColumnName("source").HasConversion<string>();
        b.Property(c => c.SourceReference).HasColumnName("source_reference");
        b.Property(c => c.Summary).HasColumnName("summary");
        b.Property(c => c.State).HasColumnName("state").HasConversion<string>();
        b.Property(c => c.PolicyProvince).HasColumnName("policy_province");
        b.Property(c => c.PolicyVersion).HasColumnName("policy_version");
        b.Property(c => c.IncomeStableSince).HasColumnName("income_stable_since");
        b.Property(c => c.OpenedOn).HasColumnName("opened_on");
        b.Property(c => c.OpenedAt).HasColumnName("opened_at");
        b.Property(c => c.OpenedBy).HasColumnName("opened_by");
        b.Property(c => c.AppraisedOn).HasColumnName("appraised_on");
        b.Property(c => c.AppraisalMinutesReference).HasColumnName("appraisal_minutes_reference");
        b.Property(c => c.ReviewedOn).HasColumnName("reviewed_on");
        b.Property(c => c.NoticeStartsOn).HasColumnName("notice_starts_on");
        b.Property(c => c.NoticeEndsOn).HasColumnName("notice_ends_on");
        b.Property(c => c.EliminatedOn).HasColumnName("eliminated_on");
        b.Property(c => c.RejectedAt).HasColumnName("rejected_at").HasConversion<string>();
        b.Property(c => c.RejectionReason).HasColumnName("rejection_reason");
        b.Property(c => c.ClosedAt).HasColumnName("closed_at");
        b.Property(c => c.Version).HasColumnName("xmin").HasColumnType("xid").IsRowVersion();
        b.Ignore(c => c.NewTransitions);
        b.Ignore(c => c.DomainEvents);
        b.Ignore(c => c.IsOpen);
    }
}

internal sealed class CaseTransitionConfiguration : IEntityTypeConfiguration<CaseTransition>
{
    public void Configure(EntityTypeBuilder<CaseTransition> b)
    {
        b.ToTable("case_transitions");
        b.HasKey(t => t.Id);
        b.Property(t => t.Id).HasColumnName("id").UseIdentityAlwaysColumn();
        b.Property(t => t.CaseId).HasColumnName("case_id");
        b.Property(t => t.CaseKind).HasColumnName("case_kind").HasConversion<string>();
        b.Property(t => t.FromState).HasColumnName("from_state");
        b.Property(t => t.ToState).HasColumnName("to_state");
        b.Property(t => t.Action).HasColumnName("action");
        b.Property(t => t.ActorSubject).HasColumnName("actor_subject");
        b.Property(t => t.ActorRole).HasColumnName("actor_role");
        b.Property(t => t.At).HasColumnName("at");
        b.Property(t => t.Details).HasColumnName("details").HasColumnType("jsonb");
    }
}

internal sealed class ImportBatchConfiguration : IEntityTypeConfiguration<ImportBatch>
{
    public void Configure(EntityTypeBuilder<ImportBatch> b)
    {
        b.ToTable("import_batches");
        b.HasKey(x => x.BatchId);
        b.Property(x => x.BatchId).HasColumnName("batch_id");
        b.Property(x => x.RequestedBy).HasColumnName("requested_by");
        b.Property(x => x.CompletedAt).HasColumnName("completed_at");
        b.Property(x => x.RowCount).HasColumnName("row_count");
        b.Property(x => x.Accepted).HasColumnName("accepted");
        b.Property(x => x.Rejected).HasColumnName("rejected");
        b.Property(x => x.Result).HasColumnName("result").HasColumnType("jsonb");
    }
}
