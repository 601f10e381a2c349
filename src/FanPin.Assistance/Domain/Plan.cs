namespace FanPin.Assistance.Domain;

/// <summary>The latest warning of a household (from WarningRaised / WarningGradeChanged), stored as received.</summary>
public sealed class HouseholdWarning
{
    /// <summary>The household (key: only the latest warning counts).</summary>
    public Guid HouseholdId { get; set; }

    /// <summary>The warning's id.</summary>
    public Guid WarningId { get; set; }

    /// <summary>Village code.</summary>
    public string RegionCode { get; set; } = "";

    /// <summary>Grade.</summary>
    public WarningGrade Grade { get; set; }

    /// <summary>Risk types.</summary>
    public List<RiskType> RiskTypes { get; set; } = [];

    /// <summary>Labour ability of each member.</summary>
    public List<FanPin.Policies.LabourAbility> MemberLabour { get; set; } = [];

    /// <summary>Category.</summary>
    public FanPin.Policies.HouseholdCategory Category { get; set; }

    /// <summary>When received.</summary>
    public DateTimeOffset ReceivedAt { get; set; }

    /// <summary>Grading's position in its warning log of the last event applied (null: recorded over the API); older events are ignored.</summary>
    public long? Sequence { get; set; }

    /// <summary>When grading cleared the warning (WarningCleared); a cleared warning allows no new recommendations or confirmations.</summary>
    public DateTimeOffset? ClearedAt { get; set; }

    /// <summary>As the recommender's input.</summary>
    public WarningInput ToInput() => new(WarningId, HouseholdId, FanPin.RegionCode.Parse(RegionCode), Grade, RiskTypes, MemberLabour, Category);
}

/// <summary>A household's single plan (一户一策); each confirmation raises its version and adds tasks.</summary>
public sealed class AssistancePlan : AggregateRoot
{
    /// <summary>Plan id.</summary>
    public Guid Id { get; set; }

    /// <summary>The household (unique).</summary>
    public Guid HouseholdId { get; set; }

    /// <summary>Village code.</summary>
    public string RegionCode { get; set; } = "";

    /// <summary>Version.</summary>
    public int Version { get; set; }

    /// <summary>Persons (members in the latest warning).</summary>
    public int Persons { get; set; }

    /// <summary>The plan version for which RiskEliminationProposed was raised, if any.</summary>
    public int? EliminationProposedVersion { get; set; }

    /// <summary>Created.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Last changed.</summary>
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Concurrency token (PostgreSQL xmin).</summary>
    public uint RowVersion { get; set; }

    /// <summary>Tasks.</summary>
    public List<AssistanceTask> Tasks { get; set; } = [];

    /// <summary>A new, empty plan (version 0 until the first confirmation).</summary>
    public static AssistancePlan Open(Guid householdId, string region, int persons, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(), HouseholdId = householdId, RegionCode = region, Persons = persons, CreatedAt = now, UpdatedAt = now,
    };

    /// <summary>Adds confirmed measures as tasks of the next version.</summary>
    public IReadOnlyList<AssistanceTask> Confirm(IReadOnlyList<(MeasureType Measure, DateOnly DueOn, long AmountFen, string? Note)> measures, int persons,
        DateOnly today, DateTimeOffset now, string actor)
    {
        Version++;
        Persons = persons;
        UpdatedAt = now;
        var added = new List<AssistanceTask>();
        foreach (var (measure, due, amount, note) in measures)
        {
            var township = measure.ResponsibleDepartment == MeasureType.Township;
            var task = new AssistanceTask
            {
                Id = Guid.CreateVersion7(),
                PlanId = Id,
                HouseholdId = HouseholdId,
                RegionCode = RegionCode,
                MeasureCode = measure.Code,
                MeasureVersion = measure.Version,
                MeasureName = measure.Name,
                Category = measure.Category,
                AssigneeKind = township ? AssigneeKind.Township : AssigneeKind.Department,
                Assignee = township ? RegionCode[..9] : measure.ResponsibleDepartment,
                Status = AssistanceTaskStatus.Planned,
                AssignedOn = today,
                DueOn = due,
                AmountFen = amount,
                Note = note,
                PlanVersion = Version,
                AssignedBy = actor,
                UpdatedAt = now,
            };
            Tasks.Add(task);
            added.Add(task);
            Raise(new TaskAssigned(task.Id, Id, task.MeasureCode, task.AssigneeKind, task.Assignee, due, Version) { OccurredAt = now, RegionCode = RegionCode, HouseholdId = HouseholdId });
        }
        return added;
    }

    /// <summary>True when there is at least one task and every task is done or cancelled, at least one done.</summary>
    public bool AllTasksDone => Tasks.Count > 0 && Tasks.All(t => t.Status is AssistanceTaskStatus.Done or AssistanceTaskStatus.Cancelled)
        && Tasks.Any(t => t.Status == AssistanceTaskStatus.Done);

    /// <summary>Records that the task's plan has worked (once per plan version).</summary>
    public void ProposeElimination(IncomeSummary income, DateTimeOffset now)
    {
        EliminationProposedVersion = Version;
        UpdatedAt = now;
        Raise(new RiskEliminationProposed(Id, Version, income.StableSince, income.PerCapitaIncomeFen, income.MonitoringLineFen,
            $"all {Tasks.Count(t => t.Status == AssistanceTaskStatus.Done)} measure(s) of plan v{Version} done; per-capita income {InsurancePayout.Yuan(income.PerCapitaIncomeFen)} above the line {InsurancePayout.Yuan(income.MonitoringLineFen)} since {income.StableSince:yyyy-MM-dd}, no guarantee gap")
        { OccurredAt = now, RegionCode = RegionCode, HouseholdId = HouseholdId });
    }

    /// <summary>Marks a task overdue (raised once per task).</summary>
    public void MarkOverdue(AssistanceTask task, DateOnly today, DateTimeOffset now)
    {
        task.OverdueDetectedOn = today;
        task.UpdatedAt = now;
        UpdatedAt = now; // the plan's row version guards against a second scanner flagging the same task
        Raise(new TaskOverdue(task.Id, Id, task.MeasureCode, task.AssigneeKind, task.Assignee, task.DueOn, today) { OccurredAt = now, RegionCode = RegionCode, HouseholdId = HouseholdId });
    }

    /// <summary>Completes a task.</summary>
    public void Complete(AssistanceTask task, long amountFen, long incomeEffectFen, string evidence, DateOnly today, DateTimeOffset now)
    {
        task.RequireOpen("complete");
        task.Status = AssistanceTaskStatus.Done;
        task.AmountFen = amountFen;
        task.YearlyIncomeEffectFen = incomeEffectFen;
        task.EvidenceReference = evidence;
        task.ClosedOn = today;
        task.UpdatedAt = now;
        UpdatedAt = now;
        Raise(new TaskCompleted(task.Id, task.MeasureCode, amountFen, incomeEffectFen, evidence, today) { OccurredAt = now, RegionCode = RegionCode, HouseholdId = HouseholdId });
    }
}

/// <summary>A measure handed to a department or township, with a deadline.</summary>
public sealed class AssistanceTask
{
    /// <summary>Task id.</summary>
    public Guid Id { get; set; }

    /// <summary>Plan.</summary>
    public Guid PlanId { get; set; }

    /// <summary>Household.</summary>
    public Guid HouseholdId { get; set; }

    /// <summary>Village code.</summary>
    public string RegionCode { get; set; } = "";

    /// <summary>Measure code.</summary>
    public string MeasureCode { get; set; } = "";

    /// <summary>Measure version at confirmation.</summary>
    public int MeasureVersion { get; set; }

    /// <summary>Measure name at confirmation.</summary>
    public string MeasureName { get; set; } = "";

    /// <summary>Category.</summary>
    public MeasureCategory Category { get; set; }

    /// <summary>Assignee kind.</summary>
    public AssigneeKind AssigneeKind { get; set; }

    /// <summary>Department code or township prefix.</summary>
    public string Assignee { get; set; } = "";

    /// <summary>Status.</summary>
    public AssistanceTaskStatus Status { get; set; }

    /// <summary>Date assigned.</summary>
    public DateOnly AssignedOn { get; set; }

    /// <summary>Deadline.</summary>
    public DateOnly DueOn { get; set; }

    /// <summary>When the overdue scan found it past its deadline.</summary>
    public DateOnly? OverdueDetectedOn { get; set; }

    /// <summary>Amount, fen.</summary>
    public long AmountFen { get; set; }

    /// <summary>Yearly income effect, fen.</summary>
    public long YearlyIncomeEffectFen { get; set; }

    /// <summary>Evidence reference.</summary>
    public string? EvidenceReference { get; set; }

    /// <summary>Done or cancelled on.</summary>
    public DateOnly? ClosedOn { get; set; }

    /// <summary>Note or cancellation reason.</summary>
    public string? Note { get; set; }

    /// <summary>Plan version that added it.</summary>
    public int PlanVersion { get; set; }

    /// <summary>Who confirmed it.</summary>
    public string AssignedBy { get; set; } = "";

    /// <summary>Last change.</summary>
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Open: planned or in progress.</summary>
    public bool IsOpen => Status is AssistanceTaskStatus.Planned or AssistanceTaskStatus.InProgress;

    /// <summary>Open and past its deadline on <paramref name="today"/>.</summary>
    public bool IsOverdueOn(DateOnly today) => IsOpen && DueOn < today;

    /// <summary>Planned → in progress.</summary>
    public void Start(DateTimeOffset now)
    {
        if (Status != AssistanceTaskStatus.Planned)
        {
            throw new PreconditionFailedException($"task {Id} can only be started when planned", Status.ToString());
        }
        Status = AssistanceTaskStatus.InProgress;
        UpdatedAt = now;
    }

    /// <summary>Open → cancelled.</summary>
    public void Cancel(string reason, DateOnly today, DateTimeOffset now)
    {
        RequireOpen("cancel");
        Status = AssistanceTaskStatus.Cancelled;
        Note = reason;
        ClosedOn = today;
        UpdatedAt = now;
    }

    internal void RequireOpen(string action)
    {
        if (!IsOpen)
        {
            throw new PreconditionFailedException($"task {Id} is closed; cannot {action} it", Status.ToString());
        }
    }
}

/// <summary>A household's latest income summary from the monitoring service.</summary>
/// <param name="PerCapitaIncomeFen">Per-capita annual disposable income of the latest window.</param>
/// <param name="MonitoringLineFen">The line it was compared with.</param>
/// <param name="HasGuaranteeGap">Any of 两不愁三保障及饮水安全 open.</param>
/// <param name="StableSince">Since when income has been above the line.</param>
public sealed record IncomeSummary(long PerCapitaIncomeFen, long MonitoringLineFen, bool HasGuaranteeGap, DateOnly StableSince)
{
    /// <summary>Above the line with no guarantee gap.</summary>
    public bool ShowsEffect => PerCapitaIncomeFen > MonitoringLineFen && !HasGuaranteeGap;
}
