using FanPin.Grading.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace FanPin.Grading.Infrastructure.Configurations;

// Column names are snake_case and match the hand-written migration; enums are stored as smallint.

internal sealed class PolicyVersionConfiguration : IEntityTypeConfiguration<PolicyVersionRecord>
{
    public void Configure(EntityTypeBuilder<PolicyVersionRecord> b)
    {
        b.ToTable("policy_versions");
        b.HasKey(p => new { p.Province, p.Version });
        b.Property(p => p.Province).HasColumnName("province");
        b.Property(p => p.Version).HasColumnName("version");
        b.Property(p => p.EffectiveFrom).HasColumnName("effective_from");
        b.Property(p => p.Title).HasColumnName("title");
        b.Property(p => p.Document).HasColumnName("document");
        b.Property(p => p.Sha256).HasColumnName("sha256");
        b.Property(p => p.PublishedAt).HasColumnName("published_at");
        b.Property(p => p.PublishedBy).HasColumnName("published_by");
        b.Property(p => p.PublicationOrder).HasColumnName("publication_order").ValueGeneratedOnAdd();
    }
}

internal sealed class PolicyRegradeConfiguration : IEntityTypeConfiguration<PolicyRegrade>
{
    public void Configure(EntityTypeBuilder<PolicyRegrade> b)
    {
        b.ToTable("policy_regrades");
        b.HasKey(p => p.Province);
        b.Property(p => p.Province).HasColumnName("province");
        b.Property(p => p.PolicyProvince).HasColumnName("policy_province");
        b.Property(p => p.PolicyVersion).HasColumnName("policy_version");
        b.Property(p => p.CompletedAt).HasColumnName("completed_at");
        b.Property(p => p.Households).HasColumnName("households");
        b.Property(p => p.Changed).HasColumnName("changed");
    }
}

internal sealed class HouseholdFactsConfiguration : IEntityTypeConfiguration<HouseholdFacts>
{
    public void Configure(EntityTypeBuilder<HouseholdFacts> b)
    {
        b.ToTable("household_facts");
        b.HasKey(f => f.HouseholdId);
        b.Property(f => f.HouseholdId).HasColumnName("household_id");
        b.Property(f => f.RegionCode).HasColumnName("region_code");
        b.Property(f => f.Province).HasColumnName("province");
        b.Property(f => f.Category).HasColumnName("category").HasConversion<short>();
        b.Property(f => f.Status).HasColumnName("status").HasConversion<short>();
        b.Property(f => f.MonitoringType).HasColumnName("monitoring_type").HasConversion<short?>();
        b.Property(f => f.RiskTypeMask).HasColumnName("risk_type_mask");
        b.Property(f => f.Dissolved).HasColumnName("dissolved");
        b.Property(f => f.MembersFull).HasColumnName("members_full");
        b.Property(f => f.MembersPartial).HasColumnName("members_partial");
        b.Property(f => f.MembersLost).HasColumnName("members_lost");
        b.Property(f => f.MembersNone).HasColumnName("members_none");
        b.Property(f => f.RegistryVersion).HasColumnName("registry_version");
        b.Property(f => f.RegistryAsOf).HasColumnName("registry_as_of");
        b.Property(f => f.SignalCodes).HasColumnName("signal_codes");
        b.Property(f => f.Signals).HasColumnName("signals").HasColumnType("jsonb");
        b.Property(f => f.PerCapitaIncomeFen).HasColumnName("per_capita_income_fen");
        b.Property(f => f.LastYearIncomeFen).HasColumnName("last_year_income_fen");
        b.Property(f => f.RigidExpenditureFen).HasColumnName("rigid_expenditure_fen");
        b.Property(f => f.IncomeDropShare).HasColumnName("income_drop_share");
        b.Property(f => f.TransferIncomeShare).HasColumnName("transfer_income_share");
        b.Property(f => f.IncomeUnstable).HasColumnName("income_unstable");
        b.Property(f => f.SignalsPolicyVersion).HasColumnName("signals_policy_version");
        b.Property(f => f.SignalsAsOf).HasColumnName("signals_as_of");
        b.Property(f => f.Grade).HasColumnName("grade").HasConversion<short?>();
        b.Property(f => f.GradeRuleId).HasColumnName("grade_rule_id");
        b.Property(f => f.GradeVersion).HasColumnName("grade_version");
        b.Property(f => f.GradedAt).HasColumnName("graded_at");
        b.Property(f => f.OpenWarningId).HasColumnName("open_warning_id");
        b.Property(f => f.UpdatedAt).HasColumnName("updated_at");
    }
}

internal sealed class WarningConfiguration : IEntityTypeConfiguration<Warning>
{
    public void Configure(EntityTypeBuilder<Warning> b)
    {
        b.ToTable("warnings");
        b.HasKey(w => w.Id);
        b.Property(w => w.Id).HasColumnName("id").ValueGeneratedNever();
        b.Property(w => w.HouseholdId).HasColumnName("household_id");
        b.Property(w => w.RegionCode).HasColumnName("region_code");
        b.Property(w => w.Province).HasColumnName("province");
        b.Property(w => w.Grade).HasColumnName("grade").HasConversion<short>();
        b.Property(w => w.Status).HasColumnName("status").HasConversion<short>();
        b.Property(w => w.EscalationLevel).HasColumnName("escalation_level");
        b.Property(w => w.RuleId).HasColumnName("rule_id");
        b.Property(w => w.Reason).HasColumnName("reason").HasColumnType("jsonb");
        b.Property(w => w.PolicyProvince).HasColumnName("policy_province");
        b.Property(w => w.PolicyVersion).HasColumnName("policy_version");
        b.Property(w => w.RaisedAt).HasColumnName("raised_at");
        b.Property(w => w.RaisedOn).HasColumnName("raised_on");
        b.Property(w => w.DueOn).HasColumnName("due_on");
        b.Property(w => w.AcknowledgedAt).HasColumnName("acknowledged_at");
        b.Property(w => w.DispatchedAt).HasColumnName("dispatched_at");
        b.Property(w => w.DispatchedTownship).HasColumnName("dispatched_township");
        b.Property(w => w.DispatchedDepartments).HasColumnName("dispatched_departments");
        b.Property(w => w.AssistanceStartedAt).HasColumnName("assistance_started_at");
        b.Property(w => w.EscalatedAt).HasColumnName("escalated_at");
        b.Property(w => w.ClearedAt).HasColumnName("cleared_at");
        b.Property(w => w.UpdatedAt).HasColumnName("updated_at");
        b.Property(w => w.Version).HasColumnName("version").IsConcurrencyToken();
        b.Ignore(w => w.IsOpen);
        b.Ignore(w => w.PendingEvents);
        b.Ignore(w => w.NewTransitions);
    }
}

internal sealed class WarningTransitionConfiguration : IEntityTypeConfiguration<WarningTransition>
{
    public void Configure(EntityTypeBuilder<WarningTransition> b)
    {
        b.ToTable("warning_transitions");
        b.HasKey(t => t.Id);
        b.Property(t => t.Id).HasColumnName("id").UseIdentityByDefaultColumn();
        b.Property(t => t.WarningId).HasColumnName("warning_id");
        b.Property(t => t.HouseholdId).HasColumnName("household_id");
        b.Property(t => t.At).HasColumnName("at");
        b.Property(t => t.Action).HasColumnName("action").HasConversion<short>();
        b.Property(t => t.FromStatus).HasColumnName("from_status").HasConversion<short?>();
        b.Property(t => t.ToStatus).HasColumnName("to_status").HasConversion<short>();
        b.Property(t => t.FromGrade).HasColumnName("from_grade").HasConversion<short?>();
        b.Property(t => t.ToGrade).HasColumnName("to_grade").HasConversion<short>();
        b.Property(t => t.EscalationLevel).HasColumnName("escalation_level");
        b.Property(t => t.DueOn).HasColumnName("due_on");
        b.Property(t => t.Actor).HasColumnName("actor");
        b.Property(t => t.Note).HasColumnName("note");
        b.Property(t => t.RuleId).HasColumnName("rule_id");
        // Declared so EF inserts a new warning before its first history row (the table has the foreign key).
        b.HasOne<Warning>().WithMany().HasForeignKey(t => t.WarningId);
    }
}

internal sealed class GradeChangeConfiguration : IEntityTypeConfiguration<GradeChange>
{
    public void Configure(EntityTypeBuilder<GradeChange> b)
    {
        b.ToTable("grade_changes");
        b.HasKey(c => c.Id);
        b.Property(c => c.Id).HasColumnName("id").UseIdentityByDefaultColumn();
        b.Property(c => c.HouseholdId).HasColumnName("household_id");
        b.Property(c => c.RegionCode).HasColumnName("region_code");
        b.Property(c => c.At).HasColumnName("at");
        b.Property(c => c.FromGrade).HasColumnName("from_grade").HasConversion<short?>();
        b.Property(c => c.ToGrade).HasColumnName("to_grade").HasConversion<short?>();
        b.Property(c => c.RuleId).HasColumnName("rule_id");
        b.Property(c => c.Reason).HasColumnName("reason").HasColumnType("jsonb");
        b.Property(c => c.PolicyProvince).HasColumnName("policy_province");
        b.Property(c => c.PolicyVersion).HasColumnName("policy_version");
        b.Property(c => c.WarningId).HasColumnName("warning_id");
        b.Property(c => c.Cause).HasColumnName("cause").HasConversion<short>();
    }
}

internal sealed class WarningLogEntryConfiguration : IEntityTypeConfiguration<WarningLogEntry>
{
    public void Configure(EntityTypeBuilder<WarningLogEntry> b)
    {
        b.ToTable("warning_log");
        b.HasKey(e => new { e.Province, e.Sequence });
        b.Property(e => e.Province).HasColumnName("province");
        b.Property(e => e.Sequence).HasColumnName("sequence").ValueGeneratedNever();
        b.Property(e => e.EventId).HasColumnName("event_id");
        b.Property(e => e.EventType).HasColumnName("event_type").HasConversion<short>();
        b.Property(e => e.WarningId).HasColumnName("warning_id");
        b.Property(e => e.HouseholdId).HasColumnName("household_id");
        b.Property(e => e.RegionCode).HasColumnName("region_code");
        b.Property(e => e.Grade).HasColumnName("grade").HasConversion<short>();
        b.Property(e => e.PreviousGrade).HasColumnName("previous_grade").HasConversion<short?>();
        b.Property(e => e.Status).HasColumnName("status").HasConversion<short>();
        b.Property(e => e.EscalationLevel).HasColumnName("escalation_level");
        b.Property(e => e.RuleId).HasColumnName("rule_id");
        b.Property(e => e.DueOn).HasColumnName("due_on");
        b.Property(e => e.OccurredAt).HasColumnName("occurred_at");
    }
}
