using FanPin.Assistance.Application.Common;
using FanPin.Assistance.Domain;
using FanPin.Assistance.Infrastructure;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Assistance.Application.Tasks;

/// <summary>Task list filters.</summary>
public sealed record ListTasksRequest(RegionPrefix? RegionPrefix, AssistanceTaskStatus? Status, bool OverdueOnly, string? Department, string? Township, int Limit);

/// <summary>
/// A department's or township's task list (清单), overdue first, then by deadline. A department token sees
/// only tasks assigned to its department; everyone only inside the region scope.
/// </summary>
public sealed class ListTasks(AssistanceDbContext db, AssistanceClock clock)
{
    /// <summary>Runs the use case.</summary>
    public async Task<IReadOnlyList<TaskView>> HandleAsync(Caller caller, ListTasksRequest request, CancellationToken ct = default)
    {
        RegionScope.DemandRole(caller, "read tasks", AssistanceAccess.Read);
        new Validator().Require(request.Limit is >= 0 and <= 500, "limit", "must be 0 to 500").ThrowIfInvalid();
        var prefix = RegionScope.Narrow(caller, request.RegionPrefix).Value;
        var today = clock.Today;
        var query = db.Tasks.AsNoTracking().Where(t => t.RegionCode.StartsWith(prefix));
        if (caller.Role == CallerRole.Department)
        {
            query = query.Where(t => t.AssigneeKind == AssigneeKind.Department && t.Assignee == caller.Department);
        }
        else if (!string.IsNullOrWhiteSpace(request.Department))
        {
            query = query.Where(t => t.AssigneeKind == AssigneeKind.Department && t.Assignee == request.Department);
        }
        if (!string.IsNullOrWhiteSpace(request.Township))
        {
            query = query.Where(t => t.AssigneeKind == AssigneeKind.Township && t.Assignee == request.Township);
        }
        if (request.Status is { } status)
        {
            query = query.Where(t => t.Status == status);
        }
        var open = new[] { AssistanceTaskStatus.Planned, AssistanceTaskStatus.InProgress };
        if (request.OverdueOnly)
        {
            query = query.Where(t => open.Contains(t.Status) && t.DueOn < today);
        }
        var limit = request.Limit == 0 ? 100 : request.Limit;
        var tasks = await query
            .OrderByDescending(t => open.Contains(t.Status) && t.DueOn < today)
            .ThenBy(t => t.DueOn).ThenBy(t => t.Id)
            .Take(limit).ToListAsync(ct).ConfigureAwait(false);
        return tasks.Select(t => new TaskView(t, t.IsOverdueOn(today))).ToList();
    }
}

/// <summary>A task to start.</summary>
public sealed record StartTaskRequest(Guid TaskId);

/// <summary>Planned → in progress, by the assignee (or county/province).</summary>
public sealed class StartTask(AssistanceDbContext db, AssistanceClock clock)
{
    /// <summary>Runs the use case.</summary>
    public async Task<TaskView> HandleAsync(Caller caller, StartTaskRequest request, CancellationToken ct = default)
    {
        var (_, task) = await TaskStore.LoadAsync(db, caller, request.TaskId, ct).ConfigureAwait(false);
        AssistanceAccess.DemandCarry(caller, task);
        task.Start(clock.Now);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return new TaskView(task, task.IsOverdueOn(clock.Today));
    }
}

/// <summary>A task done, with what it cost and brought.</summary>
public sealed record CompleteTaskRequest(Guid TaskId, long AmountFen, long YearlyIncomeEffectFen, string? EvidenceReference);

/// <summary>The outcome of a completion, and whether it proposed risk elimination.</summary>
public sealed record CompleteTaskResult(TaskView Task, bool EliminationProposed, string EffectExplanation);

/// <summary>
/// Completes a task (TaskCompleted). When every task of the household is then done and its latest income
/// summary is above the line with no guarantee gap, raises RiskEliminationProposed (once per plan version).
/// </summary>
public sealed class CompleteTask(AssistanceDbContext db, AssistanceClock clock, EffectEvaluation effect)
{
    /// <summary>Runs the use case.</summary>
    public async Task<CompleteTaskResult> HandleAsync(Caller caller, CompleteTaskRequest request, CancellationToken ct = default)
    {
        var (plan, task) = await TaskStore.LoadAsync(db, caller, request.TaskId, ct).ConfigureAwait(false);
        AssistanceAccess.DemandCarry(caller, task);
        new Validator()
            .Require(request.AmountFen >= 0, "amount_fen", "must not be negative")
            .Require(request.YearlyIncomeEffectFen >= 0, "yearly_income_effect_fen", "must not be negative")
            .Require(!string.IsNullOrWhiteSpace(request.EvidenceReference), "evidence_reference", "is required: name the document or photo proving the measure")
            .ThrowIfInvalid();
        plan.Complete(task, request.AmountFen, request.YearlyIncomeEffectFen, request.EvidenceReference!.Trim(), clock.Today, clock.Now);
        await EffectEvaluation.SaveAsync(db, ct).ConfigureAwait(false);
        var (proposed, why) = await effect.EvaluateAsync(plan, ct).ConfigureAwait(false);
        return new CompleteTaskResult(new TaskView(task, false), proposed, why);
    }
}

/// <summary>
/// Whether a plan has worked (§9: measures done, income stable above the line, guarantee gaps closed), and if so
/// RiskEliminationProposed, once per plan version. Used after each completion and by the periodic review.
/// </summary>
public sealed class EffectEvaluation(AssistanceDbContext db, AssistanceClock clock, IIncomeSummaries incomes)
{
    /// <summary>Evaluates a tracked plan (with its tasks) and saves a proposal; returns whether it proposed and why (not).</summary>
    public async Task<(bool Proposed, string Explanation)> EvaluateAsync(AssistancePlan plan, CancellationToken ct)
    {
        if (!plan.AllTasksDone)
        {
            return (false, $"{plan.Tasks.Count(t => t.IsOpen)} task(s) of the plan still open");
        }
        if (plan.EliminationProposedVersion == plan.Version)
        {
            return (false, $"risk elimination was already proposed for plan v{plan.Version}");
        }
        IncomeSummary? income;
        try
        {
            income = await incomes.GetAsync(plan.HouseholdId, plan.RegionCode, ct).ConfigureAwait(false);
        }
        catch (IncomeSummaryUnavailableException ex)
        {
            // The completion stands; the periodic review (ReviewPendingEffects) asks again.
            return (false, $"every task is done, but {ex.Message}: no risk elimination proposed");
        }
        if (income is null)
        {
            return (false, "every task is done, but the monitoring service has no income summary of the household");
        }
        if (!income.ShowsEffect)
        {
            return (false, income.HasGuaranteeGap
                ? "every task is done, but a guarantee gap is still open"
                : $"every task is done, but per-capita income {InsurancePayout.Yuan(income.PerCapitaIncomeFen)} is not above the line {InsurancePayout.Yuan(income.MonitoringLineFen)}");
        }
        plan.ProposeElimination(income, clock.Now);
        await SaveAsync(db, ct).ConfigureAwait(false);
        return (true, $"every task is done; per-capita income {InsurancePayout.Yuan(income.PerCapitaIncomeFen)} above the line {InsurancePayout.Yuan(income.MonitoringLineFen)}, no guarantee gap: risk elimination proposed");
    }

    /// <summary>Saves; a concurrent change of the plan is FAILED_PRECONDITION "Changed".</summary>
    internal static async Task SaveAsync(AssistanceDbContext db, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new PreconditionFailedException("the plan was changed meanwhile: retry", "Changed");
        }
    }
}

/// <summary>The outcome of one review: plans looked at, and proposals made.</summary>
public sealed record EffectReviewResult(int Reviewed, int Proposed);

/// <summary>
/// The periodic effect review: plans whose tasks are all done (at least one) and that have no proposal for their
/// current version are evaluated again, so that a plan finished while monitoring was unreachable, or before its
/// income rose above the line, is proposed once the summary shows the effect. Every such plan is looked at once
/// per run, in batches of <see cref="BatchSize"/> by id; a plan changed meanwhile is left to the next run.
/// </summary>
public sealed class ReviewPendingEffects(AssistanceDbContext db, EffectEvaluation effect)
{
    /// <summary>Plans per batch.</summary>
    public const int BatchSize = 200;

    /// <summary>Runs one review.</summary>
    public async Task<EffectReviewResult> HandleAsync(CancellationToken ct = default)
    {
        var (reviewed, proposed) = (0, 0);
        var after = Guid.Empty;
        while (true)
        {
            var ids = await db.Plans.AsNoTracking()
                .Where(p => p.Id.CompareTo(after) > 0
                    && (p.EliminationProposedVersion == null || p.EliminationProposedVersion != p.Version)
                    && p.Tasks.Any(t => t.Status == AssistanceTaskStatus.Done)
                    && !p.Tasks.Any(t => t.Status == AssistanceTaskStatus.Planned || t.Status == AssistanceTaskStatus.InProgress))
                .OrderBy(p => p.Id).Select(p => p.Id).Take(BatchSize).ToListAsync(ct).ConfigureAwait(false);
            if (ids.Count == 0)
            {
                return new EffectReviewResult(reviewed, proposed);
            }
            foreach (var id in ids)
            {
                db.ChangeTracker.Clear();
                var plan = await db.Plans.Include(p => p.Tasks).FirstAsync(p => p.Id == id, ct).ConfigureAwait(false);
                reviewed++;
                try
                {
                    if ((await effect.EvaluateAsync(plan, ct).ConfigureAwait(false)).Proposed)
                    {
                        proposed++;
                    }
                }
                catch (PreconditionFailedException)
                {
                    // Changed by a completion or another reviewer meanwhile: the next run sees its new state.
                }
            }
            after = ids[^1];
            db.ChangeTracker.Clear();
        }
    }
}

/// <summary>A task to cancel, with the reason.</summary>
public sealed record CancelTaskRequest(Guid TaskId, string? Reason);

/// <summary>The county (or province) cancels an open task with a reason.</summary>
public sealed class CancelTask(AssistanceDbContext db, AssistanceClock clock)
{
    /// <summary>Runs the use case.</summary>
    public async Task<TaskView> HandleAsync(Caller caller, CancelTaskRequest request, CancellationToken ct = default)
    {
        RegionScope.DemandRole(caller, "cancel tasks", AssistanceAccess.Cancel);
        var (_, task) = await TaskStore.LoadAsync(db, caller, request.TaskId, ct).ConfigureAwait(false);
        new Validator().Require(!string.IsNullOrWhiteSpace(request.Reason), "reason", "is required").ThrowIfInvalid();
        task.Cancel(request.Reason!.Trim(), clock.Today, clock.Now);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return new TaskView(task, false);
    }
}

internal static class TaskStore
{
    /// <summary>The task with its plan (all tasks), or NOT_FOUND when outside what the caller may see.</summary>
    public static async Task<(AssistancePlan Plan, AssistanceTask Task)> LoadAsync(AssistanceDbContext db, Caller caller, Guid taskId, CancellationToken ct)
    {
        var planId = await db.Tasks.Where(t => t.Id == taskId).Select(t => (Guid?)t.PlanId).FirstOrDefaultAsync(ct).ConfigureAwait(false);
        var plan = planId is null ? null : await db.Plans.Include(p => p.Tasks).FirstOrDefaultAsync(p => p.Id == planId, ct).ConfigureAwait(false);
        var task = plan?.Tasks.FirstOrDefault(t => t.Id == taskId);
        if (plan is null || task is null || !AssistanceAccess.MaySee(caller, task))
        {
            throw new NotFoundException("task", taskId.ToString());
        }
        return (plan, task);
    }
}
