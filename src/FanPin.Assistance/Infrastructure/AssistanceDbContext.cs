using FanPin.Assistance.Domain;
using FanPin.Policies;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace FanPin.Assistance.Infrastructure;

/// <summary>
/// The assistance database (connection string <c>assistancedb</c>). Schema: hand-written migrations in
/// <c>Infrastructure/Migrations</c>, applied at start-up. Saving stages the aggregates' domain events in the
/// same transaction (<see cref="IDomainEventStaging"/>).
/// </summary>
public sealed class AssistanceDbContext(DbContextOptions<AssistanceDbContext> options, IDomainEventStaging staging) : DbContext(options)
{
    /// <summary>Catalogue versions.</summary>
    public DbSet<MeasureType> MeasureTypes => Set<MeasureType>();

    /// <summary>Latest warning per household.</summary>
    public DbSet<HouseholdWarning> Warnings => Set<HouseholdWarning>();

    /// <summary>Plans.</summary>
    public DbSet<AssistancePlan> Plans => Set<AssistancePlan>();

    /// <summary>Tasks.</summary>
    public DbSet<AssistanceTask> Tasks => Set<AssistanceTask>();

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder b)
    {
        var risks = new ValueConverter<List<RiskType>, string>(v => string.Join(',', v.Select(r => (int)r)),
            v => v.Length == 0 ? new List<RiskType>() : v.Split(',', StringSplitOptions.None).Select(s => (RiskType)int.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToList());
        var riskComparer = new ValueComparer<List<RiskType>>((a, c) => a!.SequenceEqual(c!), v => v.Aggregate(0, (h, r) => HashCode.Combine(h, r)), v => v.ToList());
        var labour = new ValueConverter<List<LabourAbility>, string>(v => string.Join(',', v.Select(r => (int)r)),
            v => v.Length == 0 ? new List<LabourAbility>() : v.Split(',', StringSplitOptions.None).Select(s => (LabourAbility)int.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToList());
        var labourComparer = new ValueComparer<List<LabourAbility>>((a, c) => a!.SequenceEqual(c!), v => v.Aggregate(0, (h, r) => HashCode.Combine(h, r)), v => v.ToList());

        b.Entity<MeasureType>(e =>
        {
            e.ToTable("measure_types");
            e.HasKey(x => new { x.Code, x.Version });
            e.Property(x => x.Code).HasColumnName("code");
            e.Property(x => x.Version).HasColumnName("version");
            e.Property(x => x.Name).HasColumnName("name");
            e.Property(x => x.Category).HasColumnName("category").HasConversion<string>();
            e.Property(x => x.ResponsibleDepartment).HasColumnName("responsible_department");
            e.Property(x => x.RiskTypes).HasColumnName("risk_types").HasConversion(risks, riskComparer);
            e.Property(x => x.RequiresLabour).HasColumnName("requires_labour");
            e.Property(x => x.DefaultDeadlineWorkingDays).HasColumnName("default_deadline_working_days");
            e.Property(x => x.Active).HasColumnName("active");
            e.Property(x => x.IsCurrent).HasColumnName("is_current");
            e.Property(x => x.PublishedAt).HasColumnName("published_at");
            e.Property(x => x.PublishedBy).HasColumnName("published_by");
        });
        b.Entity<HouseholdWarning>(e =>
        {
            e.ToTable("household_warnings");
            e.HasKey(x => x.HouseholdId);
            e.Property(x => x.HouseholdId).HasColumnName("household_id");
            e.Property(x => x.WarningId).HasColumnName("warning_id");
            e.Property(x => x.RegionCode).HasColumnName("region_code");
            e.Property(x => x.Grade).HasColumnName("grade").HasConversion<string>();
            e.Property(x => x.RiskTypes).HasColumnName("risk_types").HasConversion(risks, riskComparer);
            e.Property(x => x.MemberLabour).HasColumnName("member_labour").HasConversion(labour, labourComparer);
            e.Property(x => x.Category).HasColumnName("category").HasConversion<string>();
            e.Property(x => x.ReceivedAt).HasColumnName("received_at");
            e.Property(x => x.Sequence).HasColumnName("sequence");
            e.Property(x => x.ClearedAt).HasColumnName("cleared_at");
        });
        b.Entity<AssistancePlan>(e =>
        {
            e.ToTable("plans");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasColumnName("id");
            e.Property(x => x.HouseholdId).HasColumnName("household_id");
            e.Property(x => x.RegionCode).HasColumnName("region_code");
            e.Property(x => x.Version).HasColumnName("version");
            e.Property(x => x.Persons).HasColumnName("persons");
            e.Property(x => x.EliminationProposedVersion).HasColumnName("elimination_proposed_version");
            e.Property(x => x.CreatedAt).HasColumnName("created_at");
            e.Property(x => x.UpdatedAt).HasColumnName("updated_at");
            e.Property(x => x.RowVersion).HasColumnName("xmin").HasColumnType("xid").ValueGeneratedOnAddOrUpdate().IsConcurrencyToken();
            e.HasMany(x => x.Tasks).WithOne().HasForeignKey(t => t.PlanId);
            e.Navigation(x => x.Tasks).AutoInclude(false);
            e.Ignore(x => x.DomainEvents);
            e.Ignore(x => x.AllTasksDone);
        });
        b.Entity<AssistanceTask>(e =>
        {
            e.ToTable("tasks");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasColumnName("id");
            e.Property(x => x.PlanId).HasColumnName("plan_id");
            e.Property(x => x.HouseholdId).HasColumnName("household_id");
            e.Property(x => x.RegionCode).HasColumnName("region_code");
            e.Property(x => x.MeasureCode).HasColumnName("measure_code");
            e.Property(x => x.MeasureVersion).HasColumnName("measure_version");
            e.Property(x => x.MeasureName).HasColumnName("measure_name");
            e.Property(x => x.Category).HasColumnName("category").HasConversion<string>();
            e.Property(x => x.AssigneeKind).HasColumnName("assignee_kind").HasConversion<string>();
            e.Property(x => x.Assignee).HasColumnName("assignee");
            e.Property(x => x.Status).HasColumnName("status").HasConversion<string>();
            e.Property(x => x.AssignedOn).HasColumnName("assigned_on");
            e.Property(x => x.DueOn).HasColumnName("due_on");
            e.Property(x => x.OverdueDetectedOn).HasColumnName("overdue_detected_on");
            e.Property(x => x.AmountFen).HasColumnName("amount_fen");
            e.Property(x => x.YearlyIncomeEffectFen).HasColumnName("yearly_income_effect_fen");
            e.Property(x => x.EvidenceReference).HasColumnName("evidence_reference");
            e.Property(x => x.ClosedOn).HasColumnName("closed_on");
            e.Property(x => x.Note).HasColumnName("note");
            e.Property(x => x.PlanVersion).HasColumnName("plan_version");
            e.Property(x => x.AssignedBy).HasColumnName("assigned_by");
            e.Property(x => x.UpdatedAt).HasColumnName("updated_at");
            e.Ignore(x => x.IsOpen);
        });
        // Integration events leave through the outbox (relay → RabbitMQ); consumers record what they handled in the inbox.
        b.AddOutboxAndInbox();
    }

    /// <summary>Stages events, then saves everything in one transaction.</summary>
    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        Stage();
        return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        Stage();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    private void Stage()
    {
        var aggregates = ChangeTracker.Entries<AggregateRoot>().Select(e => e.Entity).ToList();
        var events = aggregates.SelectMany(a => a.TicketedEvents).OrderBy(e => e.Ticket).Select(e => e.Event).ToList();
        foreach (var a in aggregates)
        {
            a.ClearDomainEvents();
        }
        if (events.Count > 0)
        {
            staging.Stage(this, events);
        }
    }
}
