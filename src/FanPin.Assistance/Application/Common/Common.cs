using FanPin.Assistance.Domain;
using FanPin.Policies;
using FanPin.ServiceDefaults.Authentication;

namespace FanPin.Assistance.Application.Common;

/// <summary>The service's clock: UTC now and today's date in China (UTC+8), on which deadlines are counted.</summary>
public sealed class AssistanceClock(TimeProvider time)
{
    /// <summary>Now (UTC).</summary>
    public DateTimeOffset Now => time.GetUtcNow();

    /// <summary>Today in China.</summary>
    public DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).DateTime);
}

/// <summary>The province policies (monitoring line, insurance share, working-day calendar).</summary>
public sealed class AssistancePolicies(PolicySet set)
{
    /// <summary>The version in force for a village's province on a date.</summary>
    public ProvincePolicy InForce(string regionCode, DateOnly on) => set.At(RegionCode.Parse(regionCode), on);
}

/// <summary>
/// A household's latest income summary from the monitoring service (GetIncomeSummary and GetGuaranteeStatus).
/// </summary>
public interface IIncomeSummaries
{
    /// <summary>
    /// The latest summary of the household of <paramref name="regionCode"/>, or null when the monitoring service has
    /// none. Throws <see cref="IncomeSummaryUnavailableException"/> when the monitoring service cannot be asked.
    /// </summary>
    Task<IncomeSummary?> GetAsync(Guid householdId, string regionCode, CancellationToken ct);
}

/// <summary>The monitoring service could not be asked (unreachable, timed out, refused); the message says why.</summary>
public sealed class IncomeSummaryUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Who may do what.</summary>
public static class AssistanceAccess
{
    /// <summary>Read plans, tasks and counts.</summary>
    public static readonly CallerRole[] Read = [CallerRole.Village, CallerRole.Township, CallerRole.County, CallerRole.Department, CallerRole.Province, CallerRole.Downstream];

    /// <summary>Confirm plans and read recommendations.</summary>
    public static readonly CallerRole[] Plan = [CallerRole.Township, CallerRole.County, CallerRole.Province];

    /// <summary>Record warnings (the consumer runs as the county dispatch centre or province).</summary>
    public static readonly CallerRole[] RecordWarning = [CallerRole.County, CallerRole.Province];

    /// <summary>Cancel tasks.</summary>
    public static readonly CallerRole[] Cancel = [CallerRole.County, CallerRole.Province];

    /// <summary>Edit the catalogue.</summary>
    public static readonly CallerRole[] EditCatalogue = [CallerRole.Province];

    /// <summary>Carry out tasks: the department or township assigned, or the county/province.</summary>
    public static readonly CallerRole[] Carry = [CallerRole.Township, CallerRole.Department, CallerRole.County, CallerRole.Province];

    /// <summary>True when the caller may see the task: in scope, and for a department its own task.</summary>
    public static bool MaySee(Caller caller, AssistanceTask task) =>
        RegionScope.Allows(caller, RegionCode.Parse(task.RegionCode))
        && (caller.Role != CallerRole.Department || task.AssigneeKind == AssigneeKind.Department && task.Assignee == caller.Department);

    /// <summary>Demands that the caller may carry out (start, complete) the task.</summary>
    public static void DemandCarry(Caller caller, AssistanceTask task)
    {
        RegionScope.DemandRole(caller, "carry out tasks", Carry);
        RegionScope.Demand(caller, RegionCode.Parse(task.RegionCode));
        if (caller.Role == CallerRole.Department && !(task.AssigneeKind == AssigneeKind.Department && task.Assignee == caller.Department))
        {
            throw new AccessDeniedException($"task {task.Id} is assigned to {task.AssigneeKind.ToString().ToLowerInvariant()} {task.Assignee}, not to department {caller.Department}");
        }
        if (caller.Role == CallerRole.Township && task.AssigneeKind != AssigneeKind.Township)
        {
            throw new AccessDeniedException($"task {task.Id} is assigned to department {task.Assignee}");
        }
    }

    /// <summary>Actor recorded in the task.</summary>
    public static string ActorOf(Caller caller) => $"{caller.Role.ToString().ToLowerInvariant()}:{caller.Subject}";
}

/// <summary>Views returned by use cases.</summary>
public sealed record PlanView(AssistancePlan Plan, DateOnly Today);

/// <summary>A task as shown, with its overdue flag on today's date.</summary>
public sealed record TaskView(AssistanceTask Task, bool Overdue);
